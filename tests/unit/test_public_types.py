"""What a type checker sees of the public resources: the two call forms of Pulumi's generated
SDKs, with ``Account``'s required properties required. Checked with mypy, as a user's CI
would."""

from __future__ import annotations

import textwrap
from pathlib import Path

from mypy import api

PROGRAM = """
import pulumi
from firmtrace_pulumi import Account, AccountArgs, ApiKey, ApiKeyArgs

site = Account("site", name="Acme", url="https://acme.example")
Account("args", AccountArgs(name="B", url="https://b.example"), pulumi.ResourceOptions())
Account("opts", pulumi.ResourceOptions(protect=False), name="C", url="https://c.example")
ApiKey("key", account_id=site.account_id, end_date="2030-01-01")
ApiKey("by-args", ApiKeyArgs(account_id=site.account_id))
reveal_type(ApiKey("k2").api_key)
Account("no-name", url="https://x.example")  # line 10
ApiKey("typo", acount_id="1")  # line 11
"""


def test_a_type_checker_sees_both_forms_and_what_is_required(tmp_path: Path) -> None:
    program = tmp_path / "program.py"
    program.write_text(textwrap.dedent(PROGRAM).lstrip())
    out, _, status = api.run([str(program), "--no-incremental", "--strict-optional"])
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert status == 1
    assert sorted({line.split(":")[1] for line in errors}) == ["10", "11"], out
    assert 'No overload variant of "Account" matches' in errors[0]
    assert 'did you mean "account_id"?' in out
    assert 'Revealed type is "pulumi.output.Output[str]"' in out
