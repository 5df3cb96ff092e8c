"""Pulumi URNs as the engine writes them, read by the orphan finder, the plugin and the
migration alike."""

from __future__ import annotations

import pytest

from firmtrace_pulumi.urns import Urn


def test_a_child_urn_names_its_own_type_and_keeps_a_name_with_double_colons() -> None:
    text = "urn:pulumi:dev::infra::my:index:Site$firmtrace:index:ApiKey::warehouse::sync"
    urn = Urn.parse(text)
    assert (urn.stack, urn.project, urn.name) == ("dev", "infra", "warehouse::sync")
    assert urn.type == "firmtrace:index:ApiKey"
    assert str(urn) == text


def test_a_sibling_shares_the_stack_and_project() -> None:
    urn = Urn.parse("urn:pulumi:prod::infra::firmtrace:index:Account::site")
    provider = urn.sibling("pulumi:providers:firmtrace", "default")
    assert str(provider) == "urn:pulumi:prod::infra::pulumi:providers:firmtrace::default"


@pytest.mark.parametrize("text", ["", "dev::infra::t::n", "urn:pulumi:dev::infra::t"])
def test_what_is_not_a_urn_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a Pulumi URN"):
        Urn.parse(text)
