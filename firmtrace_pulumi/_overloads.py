"""How a resource's ``__init__`` tells its two call forms apart, as Pulumi's generated SDKs do:
``Resource(name, args, opts)`` with an ``*Args`` object, or ``Resource(name, opts, **props)``."""

from __future__ import annotations

from typing import Any, TypeVar

import pulumi

__all__ = ["args_and_opts"]

A = TypeVar("A")


def args_and_opts(
    args_type: type[A], given: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[A | None, pulumi.ResourceOptions | None, dict[str, Any]]:
    """The ``*Args`` object (or None), the options (or None) and the remaining keyword
    properties of one ``__init__`` call."""
    props = {k: v for k, v in kwargs.items() if v is not None}
    args, opts = props.pop("args", None), props.pop("opts", None)
    for value in given:
        if isinstance(value, args_type) and args is None:
            args = value
        elif isinstance(value, pulumi.ResourceOptions) and opts is None:
            opts = value
        elif value is not None:
            raise TypeError(
                f"Expected {args_type.__name__} or pulumi.ResourceOptions after the resource "
                f"name, got {type(value).__name__}; pass properties as keyword arguments."
            )
    if args is not None and not isinstance(args, args_type):
        raise TypeError(f"args must be a {args_type.__name__}, got {type(args).__name__}.")
    if args is not None and props:
        raise TypeError(
            f"Pass either {args_type.__name__} or keyword properties, not both "
            f"(got {', '.join(sorted(props))} with args)."
        )
    return args, opts, props
