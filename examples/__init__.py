"""Example Pulumi projects. Only ``examples.quickstart`` is imported as a package (``make up``);
the other examples are Pulumi projects run from their own directories."""
