"""``firmtrace-pulumi``: commands for the stacks that use this package.

    firmtrace-pulumi orphans [--stack dev] [--revoke]
    firmtrace-pulumi migrate-to-plugin [--stack dev]
    firmtrace-pulumi install-plugin

``orphans`` (run in the project directory, with the same ``pulumi`` login as the stack) lists the
API keys and Accounts an interrupted ``pulumi up`` created but never recorded (see ``orphans``),
and with ``--revoke`` revokes those keys and deletes those Accounts if they hold no keys. It signs
in the way the stack does: its ``firmtrace:*`` config, else the ``FIRMTRACE_*`` environment.

``migrate-to-plugin`` moves the stack's dynamic ``ApiKey`` and ``Account`` resources in state to
the ``firmtrace`` plugin's types (see ``migrate``): same ids, same encrypted full keys, no API
call. Change the program to the plugin's resources, under the same names, then ``pulumi up``.

``install-plugin`` installs the ``firmtrace`` plugin (``pulumi-resource-firmtrace``, beside
this command) into Pulumi's plugin cache at this package's version, so the engine finds it
without ``PATH`` (with ``PULUMI_IGNORE_AMBIENT_PLUGINS=true`` it then no longer warns that it
uses a plugin from ``PATH``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._version import __version__
from .config import AuthMethod, resolve_settings
from .errors import FirmtraceError
from .migrate import to_plugin
from .orphans import StackView, find_orphans, revoke
from .plugin.package import PACKAGE
from .providers.connection import Connection

__all__ = ["main"]

PLUGIN_COMMAND = f"pulumi-resource-{PACKAGE}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="firmtrace-pulumi", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    orphans = commands.add_parser("orphans", help="find (and revoke) what an interrupted up lost")
    orphans.add_argument("--stack", help="the stack (default: the selected one)")
    orphans.add_argument("--cwd", default=".", help="the project directory (default: here)")
    orphans.add_argument("--revoke", action="store_true", help="revoke what is found")
    migrate = commands.add_parser(
        "migrate-to-plugin", help="move the stack's dynamic resources to the firmtrace plugin"
    )
    migrate.add_argument("--stack", help="the stack (default: the selected one)")
    migrate.add_argument("--cwd", default=".", help="the project directory (default: here)")
    commands.add_parser("install-plugin", help="put the firmtrace plugin in Pulumi's plugin cache")
    args = parser.parse_args(argv)
    try:
        if args.command == "install-plugin":
            return _install_plugin()
        if args.command == "migrate-to-plugin":
            return _migrate(args.stack, args.cwd)
        return _orphans(args.stack, args.cwd, revoke_them=args.revoke)
    except (FirmtraceError, _PulumiError, ValueError) as exc:
        print(f"firmtrace-pulumi: {exc}", file=sys.stderr)
        return 2


class _PulumiError(Exception):
    pass


def _pulumi(cwd: str, stack: str | None, *args: str, parse: bool = True) -> Any:
    """``pulumi ARGS --stack STACK`` in ``cwd``: its JSON output (``parse``), else None."""
    exe = shutil.which("pulumi")
    if exe is None:
        raise _PulumiError("needs the pulumi CLI on PATH")
    command = [exe, *args, *(["--stack", stack] if stack else [])]
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise _PulumiError(f"`pulumi {' '.join(args)}` failed: {last}")
    return json.loads(done.stdout or "null") if parse else None


def _install_plugin() -> int:
    plugin = Path(sys.argv[0]).resolve().with_name(PLUGIN_COMMAND)
    if not plugin.exists():
        plugin = Path(sys.executable).with_name(PLUGIN_COMMAND)
    if not plugin.exists():
        raise _PulumiError(f"no {PLUGIN_COMMAND} beside {sys.executable}: reinstall the package")
    args = ("plugin", "install", "resource", PACKAGE, __version__, "--file", str(plugin))
    _pulumi(".", None, *args, parse=False)
    print(f"Installed the {PACKAGE} plugin {__version__} from {plugin}.")
    return 0


def _migrate(stack: str | None, cwd: str) -> int:
    moved_export, moved = to_plugin(_pulumi(cwd, stack, "stack", "export"))
    if not moved:
        print("Nothing to move: the stack holds no dynamic ApiKey or Account.")
        return 0
    with tempfile.NamedTemporaryFile("w", suffix=".json", dir=cwd, delete=True) as file:
        json.dump(moved_export, file)
        file.flush()
        _pulumi(cwd, stack, "stack", "import", "--file", file.name, parse=False)
    print(f"Moved {len(moved)} resources to the firmtrace plugin (ids and full keys kept):")
    for urn in moved:
        print(f"  {urn}")
    print(
        "Now change the program to the plugin's resources, under the same names, and run "
        "`pulumi preview`: it should show no change to them."
    )
    return 0


def _orphans(stack: str | None, cwd: str, *, revoke_them: bool) -> int:
    export = _pulumi(cwd, stack, "stack", "export")
    history = _pulumi(cwd, stack, "stack", "history", "--json") or []
    config = _pulumi(cwd, stack, "config", "--show-secrets", "--json") or {}
    view = StackView.read(export, history)
    settings = resolve_settings({k: v.get("value") for k, v in config.items()})
    # Signed in as the providers sign in (email + password included, with the same advice).
    with Connection(settings).client as client:
        found = find_orphans(view, client, own_account=settings.method is AuthMethod.API_KEY)
        where = f"stack {view.project}/{view.stack}"
        if not found:
            print(f"No orphans of {where}: Firmtrace holds nothing that its state does not know.")
            return 0
        if found.keys or found.accounts:
            print(f"Orphans of {where} (created by an interrupted update, in no state):")
            for finding in [*found.keys, *found.accounts]:
                print(f"  {finding}")
        if found.look_alikes:
            print("To check by hand (never changed by this command):")
            for finding in found.look_alikes:
                print(f"  {finding}")
        if not (found.keys or found.accounts):
            return 1
        if not revoke_them:
            print("Nothing was changed. Run again with --revoke to revoke them.")
            return 1
        for line in revoke(found, client):
            print(f"  {line}")
    if view.pending_keys or view.pending_accounts:
        print("Then clear the pending creates: `pulumi refresh --clear-pending-creates --yes`.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
