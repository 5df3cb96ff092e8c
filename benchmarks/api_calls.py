"""1. API calls per operation, counted at the emulator's request log (``/_emulator/requests``).

One stack (an Account and N ApiKeys in it) goes through up, preview (unchanged and changed),
refresh (as ``Engine.refresh`` does it, one resource after another, and with four concurrent
Reads as the engine's parallel refresh sends them), an update inside the read cache's window
followed by a refresh, and destroy. Every step runs the real provider process under the
engine rules of ``tests/harness``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from firmtrace_pulumi import Account, ApiKey
from tests.harness import wire
from tests.harness.engine import Engine
from tests.harness.program import run_program

from . import fixtures as f
from .report import Section

LATER = "2031-01-01"


def _program(keys: int, end_date: str | None, account_name: str) -> Callable[[], None]:
    def program() -> None:
        site = Account(
            "site", name=account_name, url="https://site.example", deletion_protection=False
        )
        for i in range(keys):
            ApiKey(f"key{i}", account_id=site.account_id, end_date=end_date)

    return program


def _calls(emu: f.Emulator) -> Counter[str]:
    """``"METHOD /path"`` -> count since the last look; clears the log."""
    seen = Counter(f"{r['method']} {r['path'].removeprefix('/v1.3')}" for r in emu.admin.requests())
    emu.admin.clear_requests()
    return seen


def _shown(calls: Counter[str]) -> str:
    return ", ".join(f"{k} x{v}" for k, v in sorted(calls.items())) or "none"


def run(keys: int) -> Section:
    section = Section(1, f"API calls per operation (1 Account + {keys} ApiKeys)")
    resources = keys + 1
    with f.emulator() as emu:
        user = f.register(emu)
        with f.provider(emu, user) as process:
            engine = Engine(process, f.provider_config(emu, user))
            before = _program(keys, None, "Site")
            after = _program(keys, LATER, "Site renamed")

            def per_resource(what: str, calls: Counter[str], method: str) -> None:
                total = sum(calls.values())
                only = set(k.split()[0] for k in calls) <= {method}
                section.add(
                    what,
                    f"{total / resources:.2f} per resource ({_shown(calls)})",
                    "1",
                    total == resources and only,
                )

            def zero(what: str, calls: Counter[str]) -> None:
                section.add(what, _shown(calls), "0", not calls)

            _calls(emu)
            run_program(engine, before)
            per_resource("create (up of a new stack)", _calls(emu), "POST")
            run_program(engine, before, preview=True)
            zero("preview, unchanged stack", _calls(emu))
            run_program(engine, after, preview=True)
            zero("preview, changed stack (end_date, name)", _calls(emu))

            f.parallel(
                list(engine.state.values()),
                lambda r: process.read(
                    r.urn, r.id, wire.strip_secrets(r.outputs), wire.strip_secrets(r.inputs)
                ),
            )
            _list_calls(section, "refresh, 4 concurrent Reads (as the engine sends them)", emu)

            run_program(engine, after)  # writes inside the read cache's window
            per_resource("update (end_date of each key, Account name)", _calls(emu), "PATCH")
            engine.refresh()
            _list_calls(section, "refresh right after that update, one Read at a time", emu)
            fresh = all(
                wire.reveal(r.outputs.get("end_date")) == LATER
                for r in engine.state.values()
                if r.type == f.KEY_TYPE
            ) and any(
                r.outputs.get("name") == "Site renamed"
                for r in engine.state.values()
                if r.type == f.ACCOUNT_TYPE
            )
            section.add(
                "  state after that refresh shows the update",
                "yes" if fresh else "no: STALE",
                "never stale",
                fresh,
            )
            engine.refresh()
            section.add("refresh again at once (cache warm)", _shown(_calls(emu)), "")

            engine.destroy()
            per_resource("delete (destroy)", _calls(emu), "DELETE")
    section.note(
        "Counted at the emulator (every /v1.3 request it received). The read cache lives "
        "5 s in the provider process and every write clears it; writes never read it."
    )
    return section


def _list_calls(section: Section, what: str, emu: f.Emulator) -> None:
    calls = _calls(emu)
    lists, accounts = calls["GET /api_key"], calls["GET /accounts"]
    section.add(
        what,
        f"{lists} key list call(s) ({_shown(calls)})",
        "1 list per Account",
        lists == 1 and accounts <= 1 and sum(calls.values()) == lists + accounts,
    )
