"""Run localstripe on loopback only, keeping its state in memory.

localstripe (GPL-3.0) runs as a separate process and is never imported by the app.
Its own CLI binds every interface and pickles its store to a fixed file in /tmp after
each write, so two instances would overwrite each other's state; this wrapper binds
127.0.0.1 and turns the pickle file off.

    python scripts/localstripe_server.py [--port N] [--port-file PATH]
        [--webhook-url URL --webhook-secret SECRET]

With ``--port 0`` a free port is picked. The chosen port is printed as
``localstripe listening on http://127.0.0.1:N`` and, with ``--port-file``, written to
that file once the socket is listening. With ``--webhook-url`` every event is posted,
signed with ``--webhook-secret``, to that URL (``make run`` points it at the app).
"""

from __future__ import annotations

import argparse
import logging
import socket
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--port-file", type=Path)
    parser.add_argument("--webhook-url")
    parser.add_argument("--webhook-secret")
    args = parser.parse_args(argv)
    if bool(args.webhook_url) != bool(args.webhook_secret):
        parser.error("--webhook-url and --webhook-secret go together")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("localstripe is a test server: bind it to loopback only")

    from aiohttp import web
    from localstripe import resources, server, webhooks

    # In memory only: no /tmp/localstripe.pickle shared between instances.
    resources.Store.dump_to_disk = lambda self: None  # type: ignore[method-assign]
    resources.Store.try_load_from_disk = lambda self: None  # type: ignore[method-assign]

    if args.webhook_url:
        webhooks.register_webhook("atelier", args.webhook_url, args.webhook_secret, None)

    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(128)
    port = sock.getsockname()[1]
    if args.port_file is not None:
        args.port_file.write_text(f"{port}\n")
    print(f"localstripe listening on http://127.0.0.1:{port}", flush=True)

    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    web.run_app(server.app, sock=sock, print=None, access_log=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
