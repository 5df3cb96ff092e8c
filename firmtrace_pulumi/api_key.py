"""``ApiKey``: an Account-scoped Firmtrace API key managed as code.

    key = ApiKey("warehouse-sync", account_id=account.account_id, end_date="2027-06-30")
    pulumi.export("key", key.api_key)  # a secret

The full key is returned by the API once. It lands in state as a secret and is kept there by
every later update and refresh. A past ``end_date`` pre-stages the key inactive; moving it
forward switches the key on in place, moving it back switches it off. A change of ``keepers``
mints a new key before the old one is revoked: the rotation trigger.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, overload

import pulumi

from ._dynamic import DynamicResource
from ._overloads import args_and_opts
from .key_names import stack_tag
from .providers.api_key import NAME_PREFIX, STACK_TAG, ApiKeyProvider
from .providers.schema import API_KEY, input_names, output_only_names, secret_names
from .stack_config import warn_plaintext_credentials

__all__ = ["SECRET_OUTPUTS", "ApiKey", "ApiKeyArgs"]

SECRET_OUTPUTS = secret_names(API_KEY)


@pulumi.input_type
class ApiKeyArgs:
    """The arguments of an ``ApiKey``, for ``ApiKey(resource_name, args, opts)``."""

    def __init__(
        __self__,
        *,
        account_id: pulumi.Input[str] | None = None,
        name: pulumi.Input[str] | None = None,
        end_date: pulumi.Input[str | dt.date] | None = None,
        keepers: pulumi.Input[Mapping[str, Any]] | None = None,
        adopt: pulumi.Input[str] | None = None,
    ) -> None:
        """
        The set of arguments for constructing an ApiKey resource.

        :param account_id: The Account to mint the key for. Required when the provider signs in
               with a token (or email and password); implicit with an API key.
        :param name: A label for the key. Defaults to the resource name plus a random suffix.
        :param end_date: ``YYYY-MM-DD``: the key is disabled from that day on (UTC). A past date
               creates the key inactive (pre-staging).
        :param keepers: Any map; a change of it replaces the key (mint new, then revoke old).
        :param adopt: The ``api_key_part`` of an existing key to bring under management instead
               of minting one. Its full value cannot be recovered: ``api_key`` stays empty.
        """
        if account_id is not None:
            pulumi.set(__self__, "account_id", account_id)
        if name is not None:
            pulumi.set(__self__, "name", name)
        if end_date is not None:
            pulumi.set(__self__, "end_date", end_date)
        if keepers is not None:
            pulumi.set(__self__, "keepers", keepers)
        if adopt is not None:
            pulumi.set(__self__, "adopt", adopt)

    @property
    @pulumi.getter(name="account_id")
    def account_id(self) -> pulumi.Input[str] | None:
        """The Account the key belongs to. Changing it replaces the key."""
        return pulumi.get(self, "account_id")

    @account_id.setter
    def account_id(self, value: pulumi.Input[str] | None) -> None:
        pulumi.set(self, "account_id", value)

    @property
    @pulumi.getter
    def name(self) -> pulumi.Input[str] | None:
        """The key's label. Changing it renames the key in place."""
        return pulumi.get(self, "name")

    @name.setter
    def name(self, value: pulumi.Input[str] | None) -> None:
        pulumi.set(self, "name", value)

    @property
    @pulumi.getter(name="end_date")
    def end_date(self) -> pulumi.Input[str | dt.date] | None:
        """``YYYY-MM-DD`` from which the key is disabled (UTC). Changing it updates in place."""
        return pulumi.get(self, "end_date")

    @end_date.setter
    def end_date(self, value: pulumi.Input[str | dt.date] | None) -> None:
        pulumi.set(self, "end_date", value)

    @property
    @pulumi.getter
    def keepers(self) -> pulumi.Input[Mapping[str, Any]] | None:
        """Arbitrary values the current key was minted for. Any change replaces the key
        (create-before-delete): the rotation trigger."""
        return pulumi.get(self, "keepers")

    @keepers.setter
    def keepers(self, value: pulumi.Input[Mapping[str, Any]] | None) -> None:
        pulumi.set(self, "keepers", value)

    @property
    @pulumi.getter
    def adopt(self) -> pulumi.Input[str] | None:
        """The ``api_key_part`` of an existing key to manage instead of minting a new one.
        Changing it to another key's replaces the key (adopts that one)."""
        return pulumi.get(self, "adopt")

    @adopt.setter
    def adopt(self, value: pulumi.Input[str] | None) -> None:
        pulumi.set(self, "adopt", value)


def _date_text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


class ApiKey(DynamicResource, module="firmtrace", name="ApiKey"):
    """A Firmtrace API key, scoped to one Account. Type token
    ``pulumi-python:dynamic/firmtrace:ApiKey``; id ``<account_id>/<api_key_part>``."""

    _provider_class = ApiKeyProvider

    @overload
    def __init__(
        self,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        *,
        account_id: pulumi.Input[str] | None = None,
        name: pulumi.Input[str] | None = None,
        end_date: pulumi.Input[str | dt.date] | None = None,
        keepers: pulumi.Input[Mapping[str, Any]] | None = None,
        adopt: pulumi.Input[str] | None = None,
    ) -> None:
        """
        Create an ApiKey.

        :param resource_name: The unique name of the resource.
        :param opts: Options for the resource. ``additional_secret_outputs`` always includes
               ``api_key``.
        :param account_id: The Account to mint the key for. Required when the provider signs in
               with a token (or email and password); implicit with an API key.
        :param name: A label for the key. Defaults to the resource name plus a random suffix.
        :param end_date: ``YYYY-MM-DD``: the key is disabled from that day on (UTC). A past date
               creates the key inactive (pre-staging).
        :param keepers: Any map; a change of it replaces the key (mint new, then revoke old).
        :param adopt: The ``api_key_part`` of an existing key to bring under management instead
               of minting one. Its full value cannot be recovered: ``api_key`` stays empty.
        """

    @overload
    def __init__(
        self,
        resource_name: str,
        args: ApiKeyArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """
        Create an ApiKey.

        :param resource_name: The unique name of the resource.
        :param args: The arguments, as an ``ApiKeyArgs``.
        :param opts: Options for the resource. ``additional_secret_outputs`` always includes
               ``api_key``.
        """

    def __init__(self, resource_name: str, *given: Any, **kwargs: Any) -> None:
        args, opts, keywords = args_and_opts(ApiKeyArgs, given, kwargs)
        if args is None:
            args = ApiKeyArgs(**keywords)
        opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(additional_secret_outputs=SECRET_OUTPUTS)
        )
        props: dict[str, Any] = {
            **{name: getattr(args, name) for name in input_names(API_KEY)},
            "end_date": pulumi.Output.from_input(args.end_date).apply(_date_text)
            if args.end_date is not None
            else None,
            NAME_PREFIX: resource_name,
            STACK_TAG: stack_tag(pulumi.get_project(), pulumi.get_stack()),
            **dict.fromkeys(output_only_names(API_KEY)),
        }
        warn_plaintext_credentials()
        self._register(resource_name, props, opts)

    @property
    @pulumi.getter(name="api_key")
    def api_key(self) -> pulumi.Output[str]:
        """The full key, a secret. Returned by the API only on create; kept in state from then
        on. Empty for an adopted key."""
        return pulumi.get(self, "api_key")

    @property
    @pulumi.getter(name="api_key_part")
    def api_key_part(self) -> pulumi.Output[str]:
        """The non-secret handle of the key, as shown by reads."""
        return pulumi.get(self, "api_key_part")

    @property
    @pulumi.getter(name="account_id")
    def account_id(self) -> pulumi.Output[str]:
        """The Account the key belongs to."""
        return pulumi.get(self, "account_id")

    @property
    @pulumi.getter
    def name(self) -> pulumi.Output[str]:
        """The key's label."""
        return pulumi.get(self, "name")

    @property
    @pulumi.getter(name="end_date")
    def end_date(self) -> pulumi.Output[str | None]:
        """``YYYY-MM-DD`` from which the key is disabled (UTC). None: it never is."""
        return pulumi.get(self, "end_date")

    @property
    @pulumi.getter
    def active(self) -> pulumi.Output[bool]:
        """Whether the key works today (false from ``end_date`` on)."""
        return pulumi.get(self, "active")

    @property
    @pulumi.getter(name="created_at")
    def created_at(self) -> pulumi.Output[str]:
        """When the key was minted (ISO 8601, UTC)."""
        return pulumi.get(self, "created_at")

    @property
    @pulumi.getter
    def keepers(self) -> pulumi.Output[Mapping[str, Any] | None]:
        """Arbitrary values the current key was minted for."""
        return pulumi.get(self, "keepers")

    @property
    @pulumi.getter
    def adopt(self) -> pulumi.Output[str | None]:
        """The ``api_key_part`` of an existing key to manage instead of minting a new one."""
        return pulumi.get(self, "adopt")
