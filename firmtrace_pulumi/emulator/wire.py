"""The contract's models as pydantic models, for FastAPI: the emulator's request validation, its
answers and its OpenAPI document.

``contract`` declares every shape once, as msgspec structs, for the client. ``wire.ApiKey`` (and
every other name of a contract model) is derived from its struct on first use, with the same
name, fields, defaults and docstring:

| in ``contract``                  | here                                                   |
|----------------------------------|--------------------------------------------------------|
| ``WireModel`` (an answer)        | unknown fields ignored, frozen                         |
| ``RequestModel`` (body, query)   | unknown fields refused (400 ``validation_error``)      |
| ``Secret``                       | ``SecretStr``                                          |
| ``AccountId``                    | ``str``; a JSON number is read as its decimal string   |
| ``dt.date`` in a request         | ``YYYY-MM-DD`` only: no number, no datetime            |
| a field defaulting to ``UNSET``  | default None; ``exclude_unset`` tells absent from null |
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import types
import typing
from typing import Annotated, Any

import msgspec
from pydantic import BaseModel, BeforeValidator, ConfigDict, SecretStr, create_model

from firmtrace_pulumi import contract
from firmtrace_pulumi.redact import Secret

__all__ = ["pydantic_model"]


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: Any) -> Any:
    # pydantic's lax mode would also read a number as Unix time (0 -> 1970-01-01) and a midnight
    # datetime as its date; a request refuses both, as the client's msgspec does.
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise ValueError("must be a date written YYYY-MM-DD")


AccountId = Annotated[str, BeforeValidator(contract.account_id_text)]
RequestDate = Annotated[dt.date, BeforeValidator(_iso_date)]


def _field_type(hint: Any, request: bool) -> Any:
    """The pydantic annotation for a struct field's type hint."""
    if hint is contract.AccountId:
        return AccountId
    if hint is Secret:
        return SecretStr
    if hint is dt.date and request:
        return RequestDate
    if isinstance(hint, type) and issubclass(hint, msgspec.Struct):
        return pydantic_model(hint)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is list:
        return list[_field_type(args[0], request)]  # type: ignore[misc]
    if origin in (typing.Union, types.UnionType):
        kept = [_field_type(arg, request) for arg in args if arg is not msgspec.UnsetType]
        return functools.reduce(lambda a, b: a | b, kept) if len(kept) > 1 else kept[0]
    return hint


@functools.cache
def pydantic_model(struct: type[msgspec.Struct]) -> type[BaseModel]:
    """``struct`` (a ``contract`` model) as a pydantic model."""
    request = issubclass(struct, contract.RequestModel)
    config = ConfigDict(extra="forbid") if request else ConfigDict(extra="ignore", frozen=True)
    hints = typing.get_type_hints(struct)
    fields: dict[str, Any] = {}
    for field in msgspec.structs.fields(struct):
        if field.required:
            default: Any = ...
        elif field.default is msgspec.UNSET:
            default = None
        else:
            default = field.default
        fields[field.name] = (_field_type(hints[field.name], request), default)
    model: type[BaseModel] = create_model(
        struct.__name__, __config__=config, __doc__=struct.__doc__, __module__=__name__, **fields
    )
    return model


def __getattr__(name: str) -> Any:
    """``wire.ApiKey`` and the like: the contract's model of that name, as a pydantic model."""
    struct = getattr(contract, name, None)
    if isinstance(struct, type) and issubclass(struct, msgspec.Struct):
        return pydantic_model(struct)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
