"""The leak scanner: a pytest plugin that fails any test in which a secret shows up where it
must not. It is on for the whole suite (``pytest_plugins`` in ``tests/conftest.py``).

**What counts as a secret.** Every token, full API key and password the tests come across is
registered automatically, for the whole session, as soon as it exists:

- minted or checked by an in-process emulator (``credentials.new_token``/``new_api_key``/
  ``hash_password``, wherever the emulator imported them);
- returned by ``EmulatorAdmin.register``/``seed_user`` (also for an emulator elsewhere);
- held or seen by a ``FirmtraceClient`` (its ``KnownSecrets``: credential, passwords sent,
  tokens and full keys received);
- secret-marked in the harness: provider Configure values, provider outputs named ``api_key``,
  secret values in an ``Engine``'s state or a program's stack outputs.

``register(value, kind)`` adds one by hand. Values shorter than ``MIN_LENGTH`` are not registered:
a short test password such as ``hunter2`` would match ordinary words.

**Where a secret must not appear.** After each test (once its fixtures are torn down):

- captured stdout and stderr, and the captured log, of setup, call and teardown;
- every log record emitted while the test ran (``httpx`` is raised to INFO so request lines count);
- the output of every provider process (``ProviderProcess.output``; what each printed since the
  last scan);
- gRPC error details (``ProviderError.details``), and the text of every ``FirmtraceError``,
  ``ProviderError`` and ``CheckFailed`` created, caught or not;
- the failure report of the test itself;
- harness state outside secret-marked fields: each live ``Engine``'s config, inputs (the pickled
  ``__provider`` decoded) and outputs, and the stack outputs of each program run.

A hit fails the test (an error in its teardown) with a message that says which kind of secret
appeared where, never the secret. Captured output and failure reports that would show the
secret are redacted in place, so the report itself does not spread it.

**Cost.** Secrets made of URL-safe characters (all tokens, keys and the tests' passwords) are
indexed by length; a text is scanned once for runs of URL-safe characters and each run is
looked up window by window in those sets. Other secrets are searched with ``in``. A test with
a few kB of output costs well under a millisecond.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import logging
import re
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import SecretStr

MIN_LENGTH = 12
"""Shorter values are not registered (they would match ordinary text)."""

_URLSAFE = re.compile(r"[A-Za-z0-9_\-]+")
_RUN = re.compile(rf"[A-Za-z0-9_\-]{{{MIN_LENGTH},}}")
_KEY = re.compile(r"(ftk_[0-9a-f]{8})_([A-Za-z0-9_\-]{32})")
_CONTEXT = 32
_MASK = re.compile(r"[A-Za-z0-9_\-]{16,}")


@dataclass(frozen=True)
class Leak:
    """One registered secret found somewhere it must not be. Holds no secret."""

    kind: str
    where: str
    offset: int
    context: str

    def __str__(self) -> str:
        return f"{self.kind} in {self.where} at offset {self.offset}: …{self.context}…"


class SecretRegistry:
    """The secrets of one session and the scan for them (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_length: dict[int, set[str]] = {}
        self._other: set[str] = set()
        self._kinds: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._kinds)

    def __repr__(self) -> str:
        return f"SecretRegistry({len(self)} secrets)"

    def add(self, value: Any, kind: str = "secret") -> None:
        """Register ``value`` (a str or ``SecretStr``); non-strings and short values are ignored.
        A full API key also registers its secret half, which must not appear on its own."""
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if not isinstance(value, str) or len(value) < MIN_LENGTH:
            return
        entries = [(value, kind)]
        key = _KEY.fullmatch(value)
        if key:
            entries.append((key.group(2), f"{kind} (its secret half)"))
        with self._lock:
            for secret, label in entries:
                if secret in self._kinds:
                    continue
                self._kinds[secret] = label
                if _URLSAFE.fullmatch(secret):
                    self._by_length.setdefault(len(secret), set()).add(secret)
                else:
                    self._other.add(secret)

    def _hits(self, text: str) -> list[tuple[int, str]]:
        """``(offset, secret)`` of each registered secret in ``text``, left to right; a hit
        inside a longer one (a key's secret half inside the key) is dropped."""
        with self._lock:
            lengths = sorted(self._by_length, reverse=True)
            other = list(self._other)
        found: list[tuple[int, str]] = []
        for run in _RUN.finditer(text):
            chunk, start = run.group(), run.start()
            for n in lengths:
                if n > len(chunk):
                    continue
                bucket = self._by_length[n]  # only membership tests: safe without the lock
                found += [
                    (start + i, chunk[i : i + n])
                    for i in range(len(chunk) - n + 1)
                    if chunk[i : i + n] in bucket
                ]
        for secret in other:
            at = text.find(secret)
            while at >= 0:
                found.append((at, secret))
                at = text.find(secret, at + 1)
        hits: list[tuple[int, str]] = []
        end = -1
        for offset, secret in sorted(found, key=lambda hit: (hit[0], -len(hit[1]))):
            if offset + len(secret) <= end:
                continue  # inside the previous, longer hit
            hits.append((offset, secret))
            end = max(end, offset + len(secret))
        return hits

    def scan(self, text: str, where: str) -> list[Leak]:
        """Every registered secret in ``text`` (once each), described without the secret."""
        if not text:
            return []
        leaks, seen = [], set()
        for offset, secret in self._hits(text):
            if secret in seen:
                continue
            seen.add(secret)
            kind = self._kinds[secret]
            before = text[max(0, offset - _CONTEXT) : offset]
            after = text[offset + len(secret) : offset + len(secret) + _CONTEXT]
            context = self._mask(before) + f"[{kind.upper()}]" + self._mask(after)
            leaks.append(Leak(kind, where, offset, context.replace("\n", "⏎")))
        return leaks

    def redact(self, text: str) -> str:
        """``text`` with every registered secret replaced by ``[LEAKED <KIND>]``."""
        parts, done = [], 0
        for offset, secret in self._hits(text):
            if offset < done:
                continue  # overlaps the previous hit, already replaced
            parts += [text[done:offset], f"[LEAKED {self._kinds[secret].upper()}]"]
            done = offset + len(secret)
        return "".join(parts) + text[done:]

    def _mask(self, text: str) -> str:
        """Context shown around a hit: registered secrets and any long URL-safe run (which may
        be a cut-off secret) are masked."""
        return _MASK.sub("[…]", self.redact(text))


REGISTRY = SecretRegistry()


def register(value: Any, kind: str = "secret") -> None:
    """Register a secret by hand (most are registered automatically)."""
    REGISTRY.add(value, kind)


def kind_of(value: str) -> str:
    if value.startswith("ftt_"):
        return "token"
    if value.startswith("ftk_"):
        return "full API key"
    return "secret"


# --- what one test left behind ------------------------------------------------------------------


class _Observed:
    """What the current test created that is scanned at its end, plus long-lived objects."""

    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []
        self.engines: list[Any] = []
        self.results: list[Any] = []
        self.live_engines: weakref.WeakSet[Any] = weakref.WeakSet()
        self.processes: list[Any] = []
        self.live_processes: weakref.WeakSet[Any] = weakref.WeakSet()
        self.scanned_upto: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
        self.lock = threading.Lock()

    def text(self, where: str, text: str) -> None:
        with self.lock:
            if len(self.texts) < 10_000:
                self.texts.append((where, text))

    def process(self, process: Any) -> None:
        with self.lock:
            self.processes.append(process)
            self.live_processes.add(process)

    def engine(self, engine: Any) -> None:
        with self.lock:
            self.engines.append(engine)
            self.live_engines.add(engine)

    def result(self, result: Any) -> None:
        with self.lock:
            self.results.append(result)

    def reset(self) -> None:
        with self.lock:
            self.texts, self.engines, self.results, self.processes = [], [], [], []


OBSERVED = _Observed()


class _LogScanner(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a broken log call is not this plugin's business
            return
        if record.exc_info and record.exc_info[1] is not None:
            text += "\n" + str(record.exc_info[1])
        OBSERVED.text(f"log record ({record.name}, {record.levelname})", text)


# --- automatic registration and observation: wrappers ----------------------------------------


class _Patches:
    def __init__(self) -> None:
        self._undo: list[tuple[Any, str, Any]] = []

    def wrap(self, owner: Any, name: str, make: Callable[[Any], Any]) -> None:
        original = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
        self._undo.append((owner, name, original))
        setattr(owner, name, make(original))

    def undo(self) -> None:
        while self._undo:
            owner, name, original = self._undo.pop()
            setattr(owner, name, original)


PATCHES = _Patches()


def _after(original: Callable[..., Any], then: Callable[[Any, tuple, dict], None]) -> Any:
    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        then(result, args, kwargs)
        return result

    return wrapper


def _after_init(then: Callable[[Any], None]) -> Callable[[Any], Any]:
    """A wrapper factory for ``__init__``: ``then(self)`` once the object is built."""

    def make(original: Callable[..., None]) -> Any:
        @functools.wraps(original)
        def init(self: Any, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            then(self)

        return init

    return make


def _walk(value: Any, path: str, secret: bool = False) -> Iterator[tuple[bool, str, str]]:
    """``(inside a secret?, path, text)`` of every string in a wire-form value."""
    from tests.harness import wire

    if wire.is_secret(value):
        yield from _walk(value.get("value"), path, True)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}", secret)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}[{i}]", secret)
    elif isinstance(value, str):
        yield secret, path, value


def _secret_values(value: Any) -> Iterator[str]:
    """Plain strings inside wire-form secrets (``{SIG: SECRET_SIG, "value": ...}``)."""
    return (text for secret, _, text in _walk(value, "") if secret)


def _public_strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """``(path, text)`` of every string outside secret-marked values; the pickled provider is
    decoded, as a captured credential would sit inside it."""
    for secret, where, text in _walk(value, path):
        if secret:
            continue
        yield where, text
        if where.endswith(".__provider"):
            yield where + " (decoded)", _decoded(text)


def _decoded(value: str) -> str:
    try:
        return base64.b64decode(value).decode("latin-1")
    except (binascii.Error, ValueError):
        return ""


def _install() -> None:
    from firmtrace_pulumi import redact as redact_module
    from firmtrace_pulumi.emulator import admin_client
    from firmtrace_pulumi.errors import FirmtraceError
    from tests.harness import engine as engine_module
    from tests.harness import program as program_module
    from tests.harness import provider_process

    # Whatever a client holds or sees: credential, passwords sent, tokens and keys received.
    def known_add(original: Any) -> Any:
        @functools.wraps(original)
        def add(self: Any, secret: Any, **options: Any) -> None:
            value = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
            if isinstance(value, str):
                REGISTRY.add(value, kind_of(value) if value.startswith("ft") else "password")
            original(self, secret, **options)

        return add

    PATCHES.wrap(redact_module.KnownSecrets, "add", known_add)

    def admin_result(result: Any, args: tuple, kwargs: dict) -> None:
        REGISTRY.add(result.token, "token")
        REGISTRY.add(result.password, "password")

    for name in ("register", "seed_user"):
        PATCHES.wrap(
            admin_client.EmulatorAdmin, name, lambda original: _after(original, admin_result)
        )

    _install_emulator_hooks()

    # Exception texts, gRPC error details included.
    def record_text(label: str) -> Callable[[Any], None]:
        def record(error: Any) -> None:
            with contextlib.suppress(Exception):  # a half-built error is not our business
                OBSERVED.text(f"{label} text ({type(error).__name__})", str(error))

        return record

    PATCHES.wrap(FirmtraceError, "__init__", _after_init(record_text("exception")))
    PATCHES.wrap(
        provider_process.ProviderError, "__init__", _after_init(record_text("gRPC error details"))
    )
    PATCHES.wrap(engine_module.CheckFailed, "__init__", _after_init(record_text("check failure")))

    # Provider processes: their output; the secrets they are given and give back.
    PATCHES.wrap(provider_process.ProviderProcess, "__init__", _after_init(OBSERVED.process))

    def configured(result: Any, args: tuple, kwargs: dict) -> None:
        config = args[1] if len(args) > 1 else kwargs.get("config", {})
        for value in _secret_values(dict(config)):
            REGISTRY.add(value, kind_of(value))

    PATCHES.wrap(provider_process.ProviderProcess, "configure", lambda o: _after(o, configured))

    def outputs(result: Any, args: tuple, kwargs: dict) -> None:
        props = result[1] if isinstance(result, tuple) else result
        if isinstance(props, dict) and isinstance(props.get("api_key"), str):
            REGISTRY.add(props["api_key"], "full API key")

    for name in ("create", "update", "read"):
        PATCHES.wrap(provider_process.ProviderProcess, name, lambda o: _after(o, outputs))

    # Engines and program results: their state is scanned at the end of each test.
    PATCHES.wrap(engine_module.Engine, "__init__", _after_init(OBSERVED.engine))
    PATCHES.wrap(program_module.RunResult, "__init__", _after_init(OBSERVED.result))


def _install_emulator_hooks() -> None:
    """Register every token, key and password an in-process emulator mints or checks."""
    try:
        from firmtrace_pulumi.emulator import admin, backend, credentials
        from firmtrace_pulumi.emulator.routes import api_keys, users
    except ImportError:  # the emulator extra is not installed: the client hooks still apply
        return

    def minted_token(result: Any, args: tuple, kwargs: dict) -> None:
        REGISTRY.add(result, "token")

    def minted_key(result: Any, args: tuple, kwargs: dict) -> None:
        REGISTRY.add(result[0], "full API key")

    def hashed(result: Any, args: tuple, kwargs: dict) -> None:
        REGISTRY.add(args[0] if args else kwargs.get("password"), "password")

    hooks = {"new_token": minted_token, "new_api_key": minted_key, "hash_password": hashed}
    for name, then in hooks.items():
        original = getattr(credentials, name)
        wrapped = _after(original, then)
        for module in (credentials, backend, admin, users, api_keys):
            if getattr(module, name, None) is original:
                PATCHES._undo.append((module, name, original))
                setattr(module, name, wrapped)


# --- the scan ---------------------------------------------------------------------------------


def _harness_texts() -> Iterator[tuple[str, str]]:
    with OBSERVED.lock:
        engines = list({id(e): e for e in [*OBSERVED.engines, *OBSERVED.live_engines]}.values())
        results = list(OBSERVED.results)
    for engine in engines:
        # Secret-marked values are registered first: they may surface unmarked elsewhere.
        for value in _secret_values(engine.config):
            REGISTRY.add(value, kind_of(value))
        for res in list(engine.state.values()):
            for value in _secret_values(res.outputs):
                REGISTRY.add(value, kind_of(value))
        yield from _public_strings(engine.config, "engine config")
        for urn, res in list(engine.state.items()):
            name = urn.rsplit("::", 1)[-1]
            yield from _public_strings(res.inputs, f"engine state of {name}: inputs")
            yield from _public_strings(res.outputs, f"engine state of {name}: outputs")
    for result in results:
        for value in _secret_values(result.outputs):
            REGISTRY.add(value, kind_of(value))
        yield from _public_strings(result.outputs, "stack outputs")


def _process_texts() -> Iterator[tuple[str, str]]:
    with OBSERVED.lock:
        processes = list(
            {id(p): p for p in [*OBSERVED.processes, *OBSERVED.live_processes]}.values()
        )
    for process in processes:
        output = process.output
        start = OBSERVED.scanned_upto.get(process, 0)
        OBSERVED.scanned_upto[process] = len(output)
        pid = getattr(getattr(process, "proc", None), "pid", "?")
        yield f"provider-process output (pid {pid})", output[start:]


_reported: set[tuple[str, str, int]] = set()


def scan_observed() -> list[Leak]:
    """Scan everything observed since the last call. Harness state is scanned whole each time
    (a module's engine lives on), but a leak there is reported only in the first test that
    finds it."""
    leaks: list[Leak] = []
    for where, text in _harness_texts():
        for leak in REGISTRY.scan(text, where):
            key = (leak.where, leak.kind, hash(text))
            if key not in _reported:
                _reported.add(key)
                leaks.append(leak)
    with OBSERVED.lock:
        texts = list(OBSERVED.texts)
    for where, text in [*_process_texts(), *texts]:
        leaks += REGISTRY.scan(text, where)
    return leaks


def _scan_report(report: pytest.TestReport, sections: bool = True) -> list[Leak]:
    """Scan (and redact in place) the captured sections and the failure text of a report."""
    leaks: list[Leak] = []
    if sections:
        redacted = []
        for title, content in report.sections:
            found = REGISTRY.scan(content, title.lower())
            if found:
                leaks += found
                content = REGISTRY.redact(content)
            redacted.append((title, content))
        report.sections = redacted
    if report.longrepr is not None:
        text = str(report.longrepr)
        found = REGISTRY.scan(text, f"the {report.when} failure report")
        if found:
            leaks += found
            report.longrepr = REGISTRY.redact(text)
    return leaks


def _describe(leaks: Iterable[Leak]) -> str:
    lines = [
        "Secret leak: a registered secret appeared where it must not (tests/leaks.py).",
        "The value is not shown; its place is marked [KIND]. Fix the code that printed, logged,",
        "raised or stored it unmarked:",
    ]
    unique = {(leak.kind, leak.where): leak for leak in leaks}
    lines += [f"  - {leak}" for leak in unique.values()]
    return "\n".join(lines)


# --- pytest hooks -----------------------------------------------------------------------------

_LEAKS = pytest.StashKey[list[Leak]]()
_handler = _LogScanner(level=logging.NOTSET)


def pytest_configure(config: pytest.Config) -> None:
    _install()
    logging.getLogger().addHandler(_handler)
    httpx_logger = logging.getLogger("httpx")
    if httpx_logger.getEffectiveLevel() > logging.INFO:
        httpx_logger.setLevel(logging.INFO)


def pytest_unconfigure(config: pytest.Config) -> None:
    logging.getLogger().removeHandler(_handler)
    PATCHES.undo()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report: pytest.TestReport = yield
    leaks = item.stash.setdefault(_LEAKS, [])
    leaks += _scan_report(report)
    if report.when == "teardown":
        leaks += scan_observed()
        OBSERVED.reset()
        if leaks:
            report.outcome = "failed"
            report.longrepr = _describe(leaks)
    return report


@pytest.hookimpl(trylast=True)
def pytest_exception_interact(
    node: pytest.Item | pytest.Collector, call: pytest.CallInfo[Any], report: Any
) -> None:
    # Runs after makereport: plugins (schemathesis) rewrite the failure text here.
    if isinstance(report, pytest.TestReport):
        node.stash.setdefault(_LEAKS, []).extend(_scan_report(report, sections=False))
