"""One test's Firmtrace: a User of its own on the emulator, the settings that point a Pulumi
program at it, what the emulator holds of it, and faults.

    firmtrace = Firmtrace.register(admin)            # what the ``firmtrace`` fixture gives
    cli.run("up", "--yes", cwd=project, env=firmtrace.env)
    firmtrace.api_keys()                             # the keys the program made, no secrets

``ApiAccess`` is only the settings half (a base URL and a User's token), for a stack signed
in as someone other than the test's User.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from firmtrace_pulumi.config import SETTINGS
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin, Registration
from firmtrace_pulumi.emulator.faults import FaultConfig

from .cli import PulumiCli

__all__ = ["ApiAccess", "Firmtrace", "Settings"]

_SHOWN = set(SETTINGS["api_url"])  # the URL's config key and environment variable


class Settings(dict[str, str]):
    """Firmtrace settings, by environment variable or stack config key. ``repr`` shows the API
    URL and hides every other value that is set, so a failure report that shows the settings
    (pytest prints a failing call's arguments) does not show the token."""

    def __repr__(self) -> str:
        shown = {k: v if k in _SHOWN or not v else "[hidden]" for k, v in self.items()}
        return f"Settings({shown!r})"


@dataclass(frozen=True)
class ApiAccess:
    """Where a Pulumi program finds Firmtrace (``api_url``, the base URL without ``/v1.3``) and
    the User token it signs in with. ``repr`` shows no token."""

    api_url: str
    token: str = field(repr=False)

    @property
    def env(self) -> Settings:
        """The ``FIRMTRACE_*`` environment for ``pulumi``: the URL and the token; every other
        Firmtrace setting blank (so a ``FIRMTRACE_API_KEY`` of the CI's does not mix in)."""
        values = {"api_url": self.api_url, "token": self.token}
        return Settings({var: values.get(name, "") for name, (_, var) in SETTINGS.items()})

    def stack_config(self) -> Settings:
        """The same as stack settings: ``firmtrace:apiUrl`` and ``firmtrace:token`` (a secret:
        ``pulumi config set --secret``). Stack config wins over the environment."""
        return Settings({SETTINGS["api_url"][0]: self.api_url, SETTINGS["token"][0]: self.token})

    def configure(self, cli: PulumiCli, project_dir: Path, *, stack: str | None = None) -> None:
        """``pulumi config set`` these on ``stack`` (default: the selected one); the token with
        ``--secret`` and through stdin, never on a command line."""
        where = ("--stack", stack) if stack else ()
        url_key, token_key = SETTINGS["api_url"][0], SETTINGS["token"][0]
        cli.run("config", "set", url_key, self.api_url, *where, cwd=project_dir)
        cli.run("config", "set", "--secret", token_key, *where, cwd=project_dir, input=self.token)


@dataclass(frozen=True, repr=False)
class Firmtrace(ApiAccess):
    """A registered User (``user``: email, password, default Account) on the emulator that
    ``admin`` drives; ``token`` and ``account_id`` are the User's."""

    admin: EmulatorAdmin
    user: Registration

    @classmethod
    def register(cls, admin: EmulatorAdmin) -> Firmtrace:
        """A new User with a default Account, on a company domain of its own."""
        user = admin.register()
        return cls(admin.url, user.token, admin, user)

    def __repr__(self) -> str:
        return f"Firmtrace(api_url={self.api_url!r}, account_id={self.account_id!r}, ...)"

    @property
    def account_id(self) -> str:
        """The User's default Account (the one registration made)."""
        return self.user.account_id

    def accounts(self) -> list[dict[str, Any]]:
        """The Accounts this User has a role in, as the emulator holds them (``account_id``,
        ``name``, ``url``, ``default_of``), each with the User's ``role`` (10 Administrator)."""
        return self._accounts(self.admin.state())

    def api_keys(self, account_id: str | None = None) -> list[dict[str, Any]]:
        """The API keys in this User's Accounts (or in ``account_id`` only), as the emulator
        holds them: ``api_key_part``, ``account_id``, ``name``, ``end_date``, ``active``,
        ``created_at``; never the key itself."""
        state = self.admin.state()
        reachable = {a["account_id"] for a in self._accounts(state)}
        wanted = reachable if account_id is None else reachable & {account_id}
        return [k for k in state["api_keys"] if k["account_id"] in wanted]

    def _accounts(self, state: dict[str, Any]) -> list[dict[str, Any]]:
        mine = next((u for u in state["users"] if u["email"] == self.user.email), None)
        roles: dict[str, int] = mine["roles"] if mine else {}
        return [
            {**a, "role": roles[a["account_id"]]}
            for a in state["accounts"]
            if a["account_id"] in roles
        ]

    def faults(
        self, config: FaultConfig | Mapping[str, Any] | None = None, /, **fields: Any
    ) -> dict[str, Any]:
        """Replace the emulator's faults with ``config`` and ``fields`` (``error_rate=1.0``,
        ``scripts={"POST /api_key": [{"fault": "status", "status": 503}]}``, ``rate_limit=5``;
        see ``firmtrace_pulumi.emulator.faults``) and return them as the emulator has them.
        The ``firmtrace`` fixture clears them after the test, whichever way they were set."""
        if isinstance(config, FaultConfig):
            config = config.to_json()
        return self.admin.set_faults({**(config or {}), **fields})
