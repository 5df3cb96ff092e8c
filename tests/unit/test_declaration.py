"""The resource classes say what the declaration says (``providers/schema.py``).

The providers derive their names and rules from the declaration; the ``*Args`` classes and the
resources' output properties are written out for type checkers and IDEs. These tests keep the
two from drifting: the same inputs (and which are required), the same outputs, and docstrings
that begin with the declared ``doc``.
"""

from __future__ import annotations

import inspect
import re

import pytest

from firmtrace_pulumi import Account, AccountArgs, ApiKey, ApiKeyArgs
from firmtrace_pulumi.providers.schema import ACCOUNT, API_KEY, Property, input_names

RESOURCES = [
    pytest.param(ApiKey, ApiKeyArgs, API_KEY, id="ApiKey"),
    pytest.param(Account, AccountArgs, ACCOUNT, id="Account"),
]


def text(doc: str | None) -> str:
    return re.sub(r"\s+", " ", doc or "").strip()


def own_properties(cls: type) -> dict[str, property]:
    return {k: p for k, p in vars(cls).items() if isinstance(p, property)}


@pytest.mark.parametrize(("resource", "args", "declaration"), RESOURCES)
def test_args_take_the_declared_inputs_and_require_the_required_ones(
    resource: type, args: type, declaration: tuple[Property, ...]
) -> None:
    params = list(inspect.signature(args).parameters.values())
    assert [p.name for p in params] == list(input_names(declaration))
    required = [p.name for p in params if p.default is inspect.Parameter.empty]
    assert required == [p.name for p in declaration if p.required]
    assert list(own_properties(args)) == list(input_names(declaration))
    documented = re.findall(r":param (\w+):", args.__init__.__doc__ or "")
    assert documented == list(input_names(declaration))


@pytest.mark.parametrize(("resource", "args", "declaration"), RESOURCES)
def test_the_resource_has_a_property_for_each_declared_output(
    resource: type, args: type, declaration: tuple[Property, ...]
) -> None:
    assert sorted(own_properties(resource)) == sorted(p.name for p in declaration if p.output)


@pytest.mark.parametrize(("resource", "args", "declaration"), RESOURCES)
def test_docstrings_begin_with_the_declared_doc(
    resource: type, args: type, declaration: tuple[Property, ...]
) -> None:
    for prop in declaration:
        if prop.output:
            output_doc = text(own_properties(resource)[prop.name].__doc__)
            assert output_doc.startswith(prop.doc), (resource.__name__, prop.name)
        if prop.input:
            input_doc = text(own_properties(args)[prop.name].__doc__)
            assert input_doc.startswith(prop.doc), (args.__name__, prop.name)
            # What a change does is the one thing a user must know before changing it.
            assert ("replaces" in input_doc) is prop.replaces, (args.__name__, prop.name)


def test_the_declaration_names_each_property_once_with_a_schema_type() -> None:
    for declaration in (API_KEY, ACCOUNT):
        names = [p.name for p in declaration]
        assert len(names) == len(set(names))
        for p in declaration:
            assert p.type in ("string", "boolean", "integer", "object")
            assert p.input or p.output
            assert p.doc.endswith("."), p.name
            assert p.input or not (p.replaces or p.required or p.check or p.default is not None)
