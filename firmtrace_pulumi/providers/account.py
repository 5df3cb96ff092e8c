"""The dynamic provider behind ``Account``: an extra Account (POST /accounts) managed as code.

``name`` and ``url`` update in place. ``deletion_protection`` (default on) lives only in state:
an Account holds visitor data, so deleting one takes an explicit ``deletion_protection=False``
applied by a ``pulumi up`` first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from ..config import AuthMethod
from ..errors import (
    CreateNotConfirmedError,
    DeletionProtectedError,
    FirmtraceError,
    NotFoundError,
    OrphanRiskError,
    TransientError,
    UncertainWriteError,
)
from . import validation as v
from .base import FirmtraceProvider
from .schema import (
    ACCOUNT,
    check_inputs,
    declared,
    input_names,
    output_names,
    with_defaults,
)

if TYPE_CHECKING:  # the wire models (msgspec): loaded by the calls that reach the API
    from .. import contract

__all__ = [
    "CREATE_ATTEMPTS",
    "DELETION_PROTECTION",
    "INPUTS",
    "AccountProvider",
    "outputs",
    "protected",
]

INPUTS = input_names(ACCOUNT)
DELETION_PROTECTION: bool = declared(ACCOUNT, "deletion_protection").default
"""``deletion_protection`` when it is not given: on, since an Account holds visitor data."""
CREATE_ATTEMPTS = 3


def outputs(account: contract.Account, props: dict[str, Any]) -> dict[str, Any]:
    """Every output of an Account: the API's view of it, and ``deletion_protection`` from state."""
    from .. import contract

    known = {**contract.to_data(account), "deletion_protection": protected(props)}
    return {name: known.get(name) for name in output_names(ACCOUNT)}


def protected(props: dict[str, Any]) -> bool:
    """Whether these inputs or outputs keep the Account from being deleted."""
    value = props.get("deletion_protection")
    return DELETION_PROTECTION if value is None else value is not False


class AccountProvider(FirmtraceProvider):
    props = ACCOUNT

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        failures = self.configuration_failures()
        failures += v.unknown_properties(news, INPUTS)
        inputs = with_defaults(ACCOUNT, {k: news[k] for k in INPUTS if k in news})
        failures += check_inputs(ACCOUNT, inputs)
        settings = getattr(self, "_settings", None)
        if not olds and settings is not None and settings.method is AuthMethod.API_KEY:
            failures.append(
                CheckFailure(
                    "",
                    "An Account can only be created by a User: sign in with a token "
                    "(firmtrace:token) or with firmtrace:email + firmtrace:password, not with "
                    "an Account's API key (firmtrace:apiKey).",
                )
            )
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        updates, replaces = self.changes(olds, news)
        return DiffResult(
            changes=bool(updates or replaces), replaces=replaces, stables=["account_id"]
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        account = self._create(props["name"], props["url"])
        return CreateResult(account.account_id, outputs(account, props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        account = next((a for a in self.connection.accounts() if a.account_id == id_), None)
        if account is None:
            return ReadResult("", {})
        outs = outputs(account, props)
        return ReadResult(id_, outs, {k: outs[k] for k in INPUTS})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        name = news["name"] if news.get("name") != olds.get("name") else None
        url = news["url"] if news.get("url") != olds.get("url") else None
        if name is None and url is None:  # only deletion_protection changed: state only
            from .. import contract

            account = contract.from_data(contract.Account, olds)
        else:
            account = self.connection.update_account(id_, name=name, url=url)
        return UpdateResult(outputs(account, news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if protected(props):
            raise DeletionProtectedError(
                f"Account {id_} ('{props.get('name')}') has deletion_protection on: deleting it "
                "destroys its visitor data and API keys. To delete it, set "
                "deletion_protection=False, run `pulumi up`, then destroy or remove it."
            )
        try:
            self.connection.delete_account(id_)
        except NotFoundError:
            pass  # already gone: what delete wanted
        except TransientError:
            # Every answer was lost, but the DELETE may have been carried out: if the Account
            # is gone, the delete is done.
            try:
                gone = all(a.account_id != id_ for a in self.connection.accounts(fresh=True))
            except FirmtraceError:
                gone = False
            if not gone:
                raise

    def _create(self, name: str, url: str) -> contract.Account:
        """POST /accounts; if the answer is lost, find the Account by name and url, or try again."""
        conn = self.connection
        for _ in range(CREATE_ATTEMPTS):
            try:
                return conn.create_account(name, url)
            except UncertainWriteError:
                try:
                    live = conn.accounts(fresh=True)
                except FirmtraceError as exc:
                    raise OrphanRiskError(
                        f"Creating Account '{name}' got no answer, and listing the Accounts to "
                        f"look for it failed too ({exc.message}). An Account named '{name}' with "
                        f"url {url} may now exist that no state knows about: if it does, delete "
                        "it in the Firmtrace app, then run `pulumi up` again."
                    ) from None
                found = [a for a in live if a.name == name and a.url == url]
                if len(found) == 1:
                    return found[0]
                if len(found) > 1:
                    ids = ", ".join(a.account_id for a in found)
                    raise OrphanRiskError(
                        f"Creating Account '{name}' got no answer, and several Accounts now "
                        f"have that name and url ({ids}). Keep one and delete the others in the "
                        "Firmtrace app, then run `pulumi up` again."
                    ) from None
        raise CreateNotConfirmedError(
            f"Could not create Account '{name}': the API did not answer {CREATE_ATTEMPTS} times "
            "and no Account with that name and url exists. Run `pulumi up` again later."
        )
