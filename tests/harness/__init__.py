"""Drive the real ``python -m pulumi.dynamic`` provider process the way the Pulumi engine does.

- ``wire``: property values as they cross gRPC (secret wrappers, unknowns).
- ``provider_process``: start the provider process and call it over gRPC.
- ``engine``: the few rules the Pulumi engine adds around those calls, each citing its source.
- ``program``: run a Pulumi program (an example's ``__main__.py``) against ``engine``.
"""
