"""The ``firmtrace`` provider plugin: ``firmtrace:index:ApiKey`` and ``firmtrace:index:Account``
for Pulumi programs in any language (YAML, TypeScript, ...), ``pulumi import`` included.

``pip install firmtrace-pulumi`` puts the plugin, ``pulumi-resource-firmtrace``, next to the
Python that runs it; the engine finds it on ``PATH``. It is the same code as the dynamic
resources, served over the engine's provider protocol (``server``).
"""

from __future__ import annotations

import argparse
import sys
from concurrent import futures

__all__ = ["main"]

_MESSAGE_LIMIT = 400 * 1024 * 1024  # the engine sends whole stacks' worth of state at times


def main(argv: list[str] | None = None) -> None:
    """Serve the plugin: print the port for the engine, then answer it until it goes."""
    import grpc
    from pulumi.runtime.proto import provider_pb2_grpc

    from .server import PluginServicer, max_calls

    parser = argparse.ArgumentParser(prog="pulumi-resource-firmtrace")
    parser.add_argument("engine", nargs="?", help="the engine's address (given by the engine)")
    args, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)

    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_calls()),
        options=[("grpc.max_receive_message_length", _MESSAGE_LIMIT)],
    )
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(PluginServicer(args.engine), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    try:
        server.wait_for_termination()
    except KeyboardInterrupt:
        server.stop(grace=None)
