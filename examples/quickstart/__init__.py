"""The quickstart: the repository root's Pulumi project (``Pulumi.yaml`` points here) and its
runner, ``python -m examples.quickstart.run up|down|demo`` (``make up`` / ``make down``)."""
