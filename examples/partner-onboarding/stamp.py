"""One stack per partner, stamped from partners.yaml with the Automation API (inline program).

    python stamp.py [--file partners.yaml] [--only ID ...] [--today YYYY-MM-DD] [--prune]

Every partner gets stack ``<id>`` of project ``partner-stacks``, whose program is
``onboarding.onboard(partner)``: the same Account and key as the one-stack program. A stack
whose partner left the file is listed; ``--prune`` destroys it and removes it (its Account must
have had ``deletion_protection: false`` applied first, as for the one-stack program).

Stack settings (``Pulumi.yaml`` and ``Pulumi.<id>.yaml``, secrets encrypted) are kept in
``--work-dir`` (default ``stamped/`` next to this script): commit them with partners.yaml.
State goes wherever the Pulumi CLI is logged in (``pulumi login``, or ``PULUMI_BACKEND_URL``);
a passphrase comes from ``PULUMI_CONFIG_PASSPHRASE`` or ``PULUMI_CONFIG_PASSPHRASE_FILE``.
``FIRMTRACE_API_URL`` and ``FIRMTRACE_TOKEN``, when set, are written into each stack's config
(the token as a secret).

Needs the Pulumi CLI (https://www.pulumi.com/docs/install/). Exit codes: 0 done, 1 a stack
failed (its output is above), 2 bad input, 3 no Pulumi CLI.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pulumi
from onboarding import Partner, PartnerFileError, load_partners, onboard, parse_date
from pulumi import automation as auto

from firmtrace_pulumi.components import utc_today

HERE = Path(__file__).resolve().parent
PROJECT = "partner-stacks"


def program_for(partner: Partner, today: dt.date) -> Callable[[], None]:
    """The inline program of one partner's stack."""

    def program() -> None:
        outputs, api_key = onboard(partner, today)
        for name, value in outputs.items():
            pulumi.export(name, value)
        pulumi.export("api_key", api_key)  # a secret

    return program


def workspace_options(
    work_dir: Path, env: dict[str, str] | None = None
) -> auto.LocalWorkspaceOptions:
    """The project of the stamped stacks. The dynamic provider runs in this interpreter's
    virtual environment, so it can import firmtrace_pulumi. The engine does not pass an inline
    program's runtime options to the provider's launcher, so it is told in the environment
    too (``PULUMI_RUNTIME_VIRTUALENV``), or it would run whatever ``python3`` is on PATH."""
    in_venv = sys.prefix != sys.base_prefix
    options = {"virtualenv": sys.prefix} if in_venv else None
    if in_venv:
        env = {"PULUMI_RUNTIME_VIRTUALENV": sys.prefix, **(env or {})}
    work_dir.mkdir(parents=True, exist_ok=True)
    return auto.LocalWorkspaceOptions(
        work_dir=str(work_dir),
        env_vars=env,
        project_settings=auto.ProjectSettings(
            name=PROJECT,
            runtime=auto.ProjectRuntimeInfo("python", options),
            description="One stack per partner, stamped by examples/partner-onboarding/stamp.py",
        ),
    )


def provider_config(environ: dict[str, str]) -> dict[str, auto.ConfigValue]:
    config = {}
    if environ.get("FIRMTRACE_API_URL"):
        config["firmtrace:apiUrl"] = auto.ConfigValue(environ["FIRMTRACE_API_URL"])
    if environ.get("FIRMTRACE_TOKEN"):
        config["firmtrace:token"] = auto.ConfigValue(environ["FIRMTRACE_TOKEN"], secret=True)
    return config


def stamp(
    partners: Sequence[Partner],
    today: dt.date,
    *,
    work_dir: Path,
    config: dict[str, auto.ConfigValue],
    prune: bool = False,
    known: set[str] | None = None,
    env: dict[str, str] | None = None,
    out: Callable[[str], None] = print,
) -> dict[str, auto.OutputMap]:
    """``pulumi up`` of every partner's stack; returns each stack's outputs by partner id.
    ``known``: every partner id in the file (default: those stamped), so a stack is only
    called removed when its partner is not in the file at all."""
    results: dict[str, auto.OutputMap] = {}
    for partner in partners:
        out(f"==> {partner.id}: pulumi up ({partner.name}, go-live {partner.go_live})")
        stack = auto.create_or_select_stack(
            stack_name=partner.id,
            project_name=PROJECT,
            program=program_for(partner, today),
            opts=workspace_options(work_dir, env),
        )
        if config:
            stack.set_all_config(config)
        results[partner.id] = stack.up(on_output=out).outputs
        active = results[partner.id]["active"].value
        out(f"    {partner.id}: key {results[partner.id]['api_key_part'].value}, active={active}")

    options = workspace_options(work_dir, env)
    workspace = auto.LocalWorkspace(
        work_dir=options.work_dir,
        env_vars=options.env_vars,
        project_settings=options.project_settings,
    )
    known = known if known is not None else {p.id for p in partners}
    for summary in workspace.list_stacks():
        name = summary.name.split("/")[-1]
        if name in known:
            continue
        if not prune:
            out(f"==> {name}: no longer in the partners file; `--prune` destroys its stack")
            continue
        out(f"==> {name}: no longer in the partners file: pulumi destroy, then stack rm")
        stack = auto.select_stack(
            stack_name=name,
            project_name=PROJECT,
            program=lambda: None,
            opts=workspace_options(work_dir, env),
        )
        stack.destroy(on_output=out)
        stack.workspace.remove_stack(name)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, default=HERE / "partners.yaml")
    parser.add_argument("--work-dir", type=Path, default=HERE / "stamped")
    parser.add_argument("--only", nargs="+", metavar="ID", help="stamp only these partners")
    parser.add_argument("--today", help="YYYY-MM-DD: the day to plan for (default: UTC today)")
    parser.add_argument("--prune", action="store_true", help="destroy stacks of removed partners")
    args = parser.parse_args(argv)

    try:
        partners = load_partners(args.file)
        today = parse_date(args.today, "--today") if args.today else utc_today()
    except PartnerFileError as exc:
        print(f"stamp: {exc}", file=sys.stderr)
        return 2
    in_file = {p.id for p in partners}
    if args.only:
        unknown = set(args.only) - in_file
        if unknown:
            print(f"stamp: no partner with id {sorted(unknown)} in {args.file}", file=sys.stderr)
            return 2
        partners = [p for p in partners if p.id in args.only]
    if shutil.which("pulumi") is None:
        print(
            "stamp: the Pulumi CLI is not installed, so no stack was stamped. Install it "
            "(https://www.pulumi.com/docs/install/), log in to a backend (`pulumi login "
            "--local` for this machine), then run this again.",
            file=sys.stderr,
        )
        return 3
    try:
        stamp(
            partners,
            today,
            work_dir=args.work_dir,
            config=provider_config(dict(os.environ)),
            prune=args.prune and not args.only,
            known=in_file,
        )
    except auto.CommandError:
        # Not the error's text: it repeats the command line, which can hold a config secret.
        print("stamp: a Pulumi command failed; its output is above.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
