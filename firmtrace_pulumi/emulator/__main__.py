"""``python -m firmtrace_pulumi.emulator``."""

from .cli import main

raise SystemExit(main())
