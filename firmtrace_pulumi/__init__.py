"""Pulumi dynamic resources for Firmtrace Accounts and API keys."""

__version__ = "0.1.0"
