"""Tools for running real Pulumi programs against the local Firmtrace emulator."""

from .cli import PulumiCli, PulumiFailed, PulumiNotFound, isolation_env

__all__ = ["PulumiCli", "PulumiFailed", "PulumiNotFound", "isolation_env"]
