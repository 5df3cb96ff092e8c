"""``Account``: a Firmtrace Account (a workspace for one website) managed as code.

    site = Account("acme", name="Acme GmbH", url="https://acme.example")

The signed-in User becomes its Administrator. ``name`` and ``url`` update in place. Deletion
is refused while ``deletion_protection`` is on (the default): an Account holds visitor data.
It sets Pulumi's ``protect`` option, so the engine refuses a destroy, a removal or a
replacement before it touches anything; ``opts=ResourceOptions(protect=...)`` overrides it.
"""

from __future__ import annotations

from typing import Any, overload

import pulumi

from ._dynamic import DynamicResource
from ._overloads import args_and_opts
from .providers.account import DELETION_PROTECTION, AccountProvider
from .providers.schema import ACCOUNT, input_names, output_only_names
from .stack_config import warn_plaintext_credentials

__all__ = ["Account", "AccountArgs"]


@pulumi.input_type
class AccountArgs:
    """The arguments of an ``Account``, for ``Account(resource_name, args, opts)``."""

    def __init__(
        __self__,
        *,
        name: pulumi.Input[str],
        url: pulumi.Input[str],
        deletion_protection: pulumi.Input[bool] | None = None,
    ) -> None:
        """
        The set of arguments for constructing an Account resource.

        :param name: The Account's name, usually the company's.
        :param url: The ``https://`` address of the website the Account tracks.
        :param deletion_protection: Refuse to delete the Account (default ``True``).
        """
        pulumi.set(__self__, "name", name)
        pulumi.set(__self__, "url", url)
        if deletion_protection is not None:
            pulumi.set(__self__, "deletion_protection", deletion_protection)

    @property
    @pulumi.getter
    def name(self) -> pulumi.Input[str]:
        """The Account's name. Changing it renames the Account in place."""
        return pulumi.get(self, "name")

    @name.setter
    def name(self, value: pulumi.Input[str]) -> None:
        pulumi.set(self, "name", value)

    @property
    @pulumi.getter
    def url(self) -> pulumi.Input[str]:
        """The website the Account tracks (``https://`` only). Changing it updates in place."""
        return pulumi.get(self, "url")

    @url.setter
    def url(self, value: pulumi.Input[str]) -> None:
        pulumi.set(self, "url", value)

    @property
    @pulumi.getter(name="deletion_protection")
    def deletion_protection(self) -> pulumi.Input[bool] | None:
        """Whether deleting the Account is refused. While true (the default), deleting it fails
        with an explanation."""
        return pulumi.get(self, "deletion_protection")

    @deletion_protection.setter
    def deletion_protection(self, value: pulumi.Input[bool] | None) -> None:
        pulumi.set(self, "deletion_protection", value)


class Account(DynamicResource, module="firmtrace", name="Account"):
    """A Firmtrace Account. Type token ``pulumi-python:dynamic/firmtrace:Account``; id
    ``account_id``."""

    _provider_class = AccountProvider

    @overload
    def __init__(
        self,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        *,
        name: pulumi.Input[str],
        url: pulumi.Input[str],
        deletion_protection: pulumi.Input[bool] | None = None,
    ) -> None:
        """
        Create an Account.

        :param resource_name: The unique name of the resource.
        :param opts: Options for the resource.
        :param name: The Account's name, usually the company's.
        :param url: The ``https://`` address of the website the Account tracks.
        :param deletion_protection: Refuse to delete the Account (default ``True``).
        """

    @overload
    def __init__(
        self,
        resource_name: str,
        args: AccountArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """
        Create an Account.

        :param resource_name: The unique name of the resource.
        :param args: The arguments, as an ``AccountArgs``.
        :param opts: Options for the resource.
        """

    def __init__(self, resource_name: str, *given: Any, **kwargs: Any) -> None:
        args, opts, keywords = args_and_opts(AccountArgs, given, kwargs)
        if args is None:
            missing = [p.name for p in ACCOUNT if p.required and p.name not in keywords]
            if missing:
                raise TypeError(
                    f"Account {resource_name!r} needs {' and '.join(repr(m) for m in missing)} "
                    "(or args=AccountArgs(name=..., url=...))."
                )
            args = AccountArgs(**keywords)
        protect = args.deletion_protection
        if protect is None:
            protect = DELETION_PROTECTION
        if isinstance(protect, bool):
            # Pulumi's own protect: the engine refuses a destroy, a removal or a replacement
            # before it touches anything (the Account's keys included). Only a plain bool can
            # set it; an Output still guards the Account itself, in Delete.
            opts = pulumi.ResourceOptions.merge(pulumi.ResourceOptions(protect=protect), opts)
        props: dict[str, Any] = {
            **{name: getattr(args, name) for name in input_names(ACCOUNT)},
            "deletion_protection": protect,
            **dict.fromkeys(output_only_names(ACCOUNT)),
        }
        warn_plaintext_credentials()
        self._register(resource_name, props, opts)

    @property
    def account_id(self) -> pulumi.Output[str]:
        """The Account's id: pass it as ``account_id`` to ``ApiKey``.

        It is the resource's id, not its ``account_id`` output: an Account's id is known in a
        preview of an update (a rename, a url change), while its outputs are not (the dynamic
        provider cannot preview an update). So the keys of a renamed Account preview as
        unchanged, instead of as replaced because their ``account_id`` looked unknown.
        """
        return self.id

    @property
    @pulumi.getter
    def name(self) -> pulumi.Output[str]:
        """The Account's name."""
        return pulumi.get(self, "name")

    @property
    @pulumi.getter
    def url(self) -> pulumi.Output[str]:
        """The website the Account tracks (``https://`` only)."""
        return pulumi.get(self, "url")

    @property
    @pulumi.getter
    def role(self) -> pulumi.Output[int]:
        """The signed-in User's role in the Account: 10 Administrator, 20 User."""
        return pulumi.get(self, "role")

    @property
    @pulumi.getter(name="deletion_protection")
    def deletion_protection(self) -> pulumi.Output[bool]:
        """Whether deleting the Account is refused."""
        return pulumi.get(self, "deletion_protection")
