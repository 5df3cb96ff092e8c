"""4. Cold start: provider process start to the first completed Create, ours vs. a do-nothing
provider (``benchmarks.trivial.NoopProvider``), runs interleaved.

Both runs pay Python, ``pulumi.dynamic``, gRPC and dill; ours adds unpickling (importing
``firmtrace_pulumi``), configuring, opening the client and one POST to the emulator. Also
checked in fresh interpreters: what importing our provider costs on top of what the provider
process has already loaded, and that ``import firmtrace_pulumi`` loads none of the emulator's
server stack.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from tests.harness.provider_process import REPO

from . import fixtures as f
from .report import Section, median, ms

TARGET_MS = 150
SERVER_STACK = ("fastapi", "uvicorn", "starlette", "firmtrace_pulumi.emulator")

# What ``python -m pulumi.dynamic`` has imported before the first request arrives.
PRELOADED = "import dill, grpc, pulumi.dynamic, pulumi.runtime"
IMPORT_OURS = "import firmtrace_pulumi.providers.api_key, firmtrace_pulumi.providers.connection"
"""What the first Create imports: the provider module, then (lazily) the client and the models."""
CLIENT = "opening the client (a plain-http URL: httpx imports httpcore and h11; no TLS context)"
GROUPS = (
    ("firmtrace_pulumi", ("firmtrace_pulumi",)),
    ("msgspec (the wire models)", ("msgspec",)),
    ("pydantic", ("pydantic", "pydantic_core", "annotated_types", "typing_inspection")),
    ("httpx", ("httpx", "httpcore", "h11", "idna", "certifi", "anyio", "sniffio", "h2")),
    ("httpx's CLI (click, rich, pygments)", ("click", "rich", "pygments", "markdown_it", "mdurl")),
)
DEV_ONLY = ("click", "rich", "pygments")
"""Installed here by the dev and emulator extras, not by ``pip install firmtrace-pulumi``. When
all three import, ``import httpx`` also loads its command-line tool (``httpx._main``)."""


@contextlib.contextmanager
def runtime_only_env() -> Iterator[dict[str, str]]:
    """An environment in which ``DEV_ONLY`` fail to import, as in a runtime-only install."""
    with tempfile.TemporaryDirectory(prefix="bench-runtime-") as hidden:
        for name in DEV_ONLY:
            Path(hidden, f"{name}.py").write_text(
                f"raise ImportError('{name} is hidden: not installed in a runtime-only install')\n"
            )
        yield {"PYTHONPATH": os.pathsep.join([hidden, str(REPO)])}


def _first_create(
    emu: f.Emulator, user: f.User, kind: str, env: Mapping[str, str] | None = None
) -> float:
    started = time.perf_counter()
    with f.provider(emu, user, env) as process:
        if kind == "noop":
            process.create("urn:noop", {f.PROVIDER_KEY: f.serialized("noop")})
        else:
            name = f"cold-{time.monotonic_ns()}"
            process.create(f.key_urn(name), f.key_inputs(name, user.account_id))
        return time.perf_counter() - started


def run_python(code: str, env: Mapping[str, str] | None = None, *args: str) -> tuple[str, str]:
    done = subprocess.run(
        [sys.executable, *args, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    return done.stdout.strip(), done.stderr


def _group(module: str) -> str:
    root = module.split(".")[0]
    for name, roots in GROUPS:
        if root in roots:
            return name
    return "stdlib and other"


def import_profile(env: Mapping[str, str] | None = None) -> tuple[float, dict[str, float]]:
    """Import our provider module in a fresh interpreter that has loaded what the provider
    process loads first, then open a client: seconds for each, and the import's self time by
    group of modules (``-X importtime``)."""
    code = (
        f"import time; {PRELOADED}\n"
        f"t = time.perf_counter(); {IMPORT_OURS}; print(time.perf_counter() - t)\n"
        "from firmtrace_pulumi.client import FirmtraceClient\n"
        "t = time.perf_counter(); FirmtraceClient('http://127.0.0.1:1', 'ftt_x').close()\n"
        "print(time.perf_counter() - t)\n"
    )
    out, err = run_python(code, env, "-X", "importtime")
    imported, opened = (float(x) for x in out.split())
    groups: dict[str, float] = {CLIENT: opened}
    # importtime lines come in completion order: our import is everything after the last
    # module PRELOADED names, up to the end of our import.
    lines = [ln.split("|") for ln in err.splitlines() if ln.startswith("import time:")]
    names = [ln[2].strip() for ln in lines]
    start = max(i for i, name in enumerate(names) if name in ("pulumi.runtime", "pulumi.dynamic"))
    end = names.index(IMPORT_OURS.split()[-1], start)
    for line, name in zip(lines[start + 1 : end + 1], names[start + 1 : end + 1], strict=True):
        group = _group(name)
        groups[group] = groups.get(group, 0.0) + int(line[0].split(":")[1]) / 1e6
    return imported, groups


def server_stack_loaded() -> list[str]:
    code = (
        "import json, sys, firmtrace_pulumi, firmtrace_pulumi.providers\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    loaded = json.loads(run_python(code)[0])
    return [m for m in loaded if m.split(".")[0] in SERVER_STACK or m.startswith(SERVER_STACK[-1])]


def run(reps: int) -> Section:
    section = Section(4, "Cold start: provider process start to first completed Create")
    kinds = ("ours", "noop", "ours, runtime-only", "noop, runtime-only")
    times: dict[str, list[float]] = {k: [] for k in kinds}
    with f.emulator() as emu, runtime_only_env() as runtime:
        user = f.register(emu)
        envs: dict[str, dict[str, str] | None] = {
            k: runtime if "runtime" in k else None for k in kinds
        }
        _first_create(emu, user, "noop")  # warm the OS file cache for both
        for i in range(reps):
            for kind in kinds if i % 2 == 0 else tuple(reversed(kinds)):
                times[kind].append(_first_create(emu, user, kind.split(",")[0], envs[kind]))
        profiles: dict[str, list[tuple[float, dict[str, float]]]] = {"": [], ", runtime-only": []}
        for _ in range(max(3, reps)):  # interleaved, like the starts
            for label, env in (("", None), (", runtime-only", runtime)):
                profiles[label].append(import_profile(env))
    for label in ("", ", runtime-only"):
        ours, noop = median(times["ours" + label]), median(times["noop" + label])
        added = ours - noop
        where = "runtime-only install" if label else "this venv, dev extras"
        section.add(
            f"ours - do-nothing provider, median ({where})",
            f"{added * 1000:.0f} ms ({ms(ours)} vs {ms(noop)}, {reps} runs each)",
            f"< {TARGET_MS} ms",
            added * 1000 < TARGET_MS,
        )
        imported = median([p[0] for p in profiles[label]])
        groups = {
            g: median([p[1].get(g, 0.0) for p in profiles[label]]) for g in profiles[label][0][1]
        }
        opened = groups.pop(CLIENT)
        parts = ", ".join(f"{g} {ms(t)}" for g, t in sorted(groups.items(), key=lambda x: -x[1]))
        section.add(f"  of which `{IMPORT_OURS}`", f"{ms(imported)}: {parts}")
        section.add(f"  and {CLIENT}", ms(opened))
    section.note(
        "runtime-only install: " + ", ".join(DEV_ONLY) + " made unimportable, as in an "
        "environment with only `pip install firmtrace-pulumi`; with all three importable, "
        "`import httpx` also loads its command-line tool."
    )
    loaded = server_stack_loaded()
    section.add(
        "`import firmtrace_pulumi` loads the emulator server stack",
        ", ".join(loaded) if loaded else "no (no fastapi, uvicorn, starlette, emulator)",
        "no",
        not loaded,
    )
    return section
