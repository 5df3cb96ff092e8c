"""examples/partner-onboarding under the real Pulumi CLI: a wrong date in partners.yaml is one
line in `pulumi preview`, and a partner's key reaches the stack that uses it
(examples/partner-onboarding/consumer) through a StackReference, a secret all the way: in the
consumer's state only as ciphertext, `[secret]` in its outputs.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin
from firmtrace_pulumi.testing import PulumiCli

from .conftest import SECRET_SIG, Stack, keys_in
from .test_examples_cli import copy_example, partner_accounts, stamp, stamp_env, write_partners
from .test_install_cli import use_virtualenv

pytestmark = pytest.mark.timeout(600)

NORTHWIND = {
    "name": "Northwind Traders",
    "url": "https://northwind.example",
    "go_live": "2026-03-01",
    "deletion_protection": False,
}
CONTOSO = {
    **NORTHWIND,
    "name": "Contoso Pharmaceuticals",
    "id": "contoso",
    "url": "https://www.contoso.example",
}


ENGINE_TRAILER = "an unhandled error occurred: program exited with non-zero exit code: 1"


def is_ciphertext(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SECRET_SIG[0]) == SECRET_SIG[1]


def test_a_bad_date_is_one_line_in_the_preview(
    emulator: EmulatorAdmin, new_stack: Callable[..., Stack], tmp_path: Path
) -> None:
    """`go_live: 2027-02-30` typed into partners.yaml, and an `until` before `go_live`: `pulumi
    preview` fails with the one line that names the partner and the field, no traceback, and
    nothing reaches the API."""
    user = emulator.register()
    directory = copy_example("partner-onboarding", tmp_path)
    stack = new_stack("", project="partner-onboarding", token=user.token, directory=directory)
    typed = (directory / "partners.yaml").read_text()
    assert "go_live: 2027-02-01" in typed  # Contoso's, unquoted, as the file has it
    cases = {
        "go_live: 2027-02-30": "partners.yaml: partners[1].go_live is '2027-02-30' (partner "
        "'Contoso Pharmaceuticals'): there is no such date; expected YYYY-MM-DD.",
        "go_live: 2027-02-01\n    until: 2027-01-15": "partners.yaml: partners[1].until is "
        "'2027-01-15' (partner 'Contoso Pharmaceuticals'): the key would never be live; until "
        "must be after go_live (2027-02-01), or be left out.",
    }
    emulator.clear_requests()
    for edit, message in cases.items():
        (directory / "partners.yaml").write_text(typed.replace("go_live: 2027-02-01", edit))
        out = stack.pulumi("preview", check=False)
        assert f"    error: {message}\n" in out, out
        assert "Traceback" not in out and "ValueError" not in out, out
        errors = [
            e.strip().removeprefix("error: ") for e in stack.preview(check=False).diagnostics()
        ]
        # The first error is ours; the one after it is the engine's for any program that stops
        # with a pulumi.RunError (the SDK exits 1 after showing it)
        assert errors == [message, ENGINE_TRAILER], errors
    assert [r for r in emulator.requests() if r["method"] != "GET"] == []


def consumer_of(cli: PulumiCli, example: Path, onboarding_stack: str, **config: str) -> Stack:
    """examples/partner-onboarding/consumer, as the README sets it up: stack ``northwind`` in
    the same backend as the onboarding stacks, no Firmtrace credential; after its `pulumi up`,
    its key shows as `[secret]` in `pulumi stack output`."""
    directory = example / "consumer"
    use_virtualenv(directory, sys.prefix)
    consumer = Stack(cli, directory, "northwind", "partner-integration")
    cli.run("stack", "init", "northwind", cwd=directory)
    consumer.config(onboardingStack=onboarding_stack, **config)
    assert consumer.up().ops == {
        "partner-integration-northwind": "create",
        onboarding_stack: "read",  # the StackReference
    }
    table = consumer.pulumi("stack", "output")
    assert re.search(r"(?m)^\s+api_key\s+\[secret\]$", table), table
    return consumer


def reference_in_state(consumer: Stack, full_keys: list[str]) -> dict[str, Any]:
    """The consumer's state holds its key and the reference's copy of the onboarding stack's
    outputs only as ciphertext, no full key in plain text anywhere; returns that copy."""
    exported = consumer.export()
    assert not [k for k in full_keys if k in json.dumps(exported)], "a key in plain text"
    assert not [k for k in full_keys if k in consumer.all_printed], "a key was printed"
    resources = {r["type"]: r for r in exported["deployment"]["resources"]}
    assert is_ciphertext(resources["pulumi:pulumi:Stack"]["outputs"]["api_key"])
    reference: dict[str, Any] = resources["pulumi:pulumi:StackReference"]["outputs"]
    return reference


def test_a_consumer_reads_its_partners_key_from_the_one_stack(
    emulator: EmulatorAdmin, new_stack: Callable[..., Stack], cli: PulumiCli, tmp_path: Path
) -> None:
    """The README's delivery: `pulumi up` of the onboarding stack, then of the consumer stack
    with `onboardingStack: organization/partner-onboarding/dev` and `partner`."""
    user = emulator.register()
    directory = copy_example("partner-onboarding", tmp_path)
    write_partners(directory / "partners.yaml", NORTHWIND, CONTOSO)
    producer = new_stack("", project="partner-onboarding", token=user.token, directory=directory)
    producer.up()
    assert producer.outputs()["api_keys"] == "[secret]"
    handed_out = producer.outputs(secrets=True)["api_keys"]
    accounts = partner_accounts(emulator, str(user.account_id))
    (northwind,) = accounts["Northwind Traders"]["keys"].values()

    consumer = consumer_of(
        cli, directory, "organization/partner-onboarding/dev", partner="northwind-traders"
    )
    part = northwind["api_key_part"]
    assert consumer.outputs() == {"api_key": "[secret]", "api_key_part": part}
    # with --show-secrets: the key the onboarding stack minted for Northwind, live at Firmtrace
    revealed = consumer.outputs(secrets=True)["api_key"]
    assert revealed == handed_out["northwind-traders"], "the consumer got another key"
    assert revealed.startswith(part + "_")
    assert keys_in(emulator, northwind["account_id"])[part]["active"] is True

    # The reference copies every output of the one stack: every partner's key, encrypted
    reference = reference_in_state(consumer, list(handed_out.values()))
    assert set(reference["outputs"]) == {"api_keys", "partners"}
    assert is_ciphertext(reference["outputs"]["api_keys"])
    assert reference["secretOutputNames"] == ["api_keys"]

    consumer.destroy()
    assert producer.destroy().changes == {"delete": 5}


def test_a_consumer_of_a_stamped_stack_holds_only_its_partners_key(
    emulator: EmulatorAdmin, cli: PulumiCli, tmp_path: Path
) -> None:
    """With stamp.py's stack per partner, the consumer references `organization/partner-
    stacks/<id>` (no `partner`): its state then holds that partner's outputs and nobody else's."""
    user = emulator.register()
    directory = copy_example("partner-onboarding", tmp_path)
    write_partners(directory / "partners.yaml", NORTHWIND, CONTOSO)
    env = stamp_env(cli, emulator, user.token, venv_on_path=True)
    code, out = stamp(directory, env)
    assert code == 0, out
    stamped = directory / "stamped"
    handed_out = {
        name: cli.json("stack", "output", "--show-secrets", "--stack", name, cwd=stamped)
        for name in ("northwind-traders", "contoso")
    }

    consumer = consumer_of(cli, directory, "organization/partner-stacks/northwind-traders")
    northwind = handed_out["northwind-traders"]
    assert consumer.outputs() == {"api_key": "[secret]", "api_key_part": northwind["api_key_part"]}
    assert consumer.outputs(secrets=True)["api_key"] == northwind["api_key"]
    assert keys_in(emulator, northwind["account_id"])[northwind["api_key_part"]]["active"] is True

    reference = reference_in_state(consumer, [o["api_key"] for o in handed_out.values()])
    assert is_ciphertext(reference["outputs"].pop("api_key"))
    assert reference["outputs"] == {k: v for k, v in northwind.items() if k != "api_key"}
    assert reference["secretOutputNames"] == ["api_key"]

    consumer.destroy()
    write_partners(directory / "partners.yaml")
    code, out = stamp(directory, env, "--prune")
    assert code == 0, out
