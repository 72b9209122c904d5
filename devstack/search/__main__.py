"""`python -m devstack.search --port PORT [--host H] [--data-dir DIR | --memory]`."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from .server import SearchService, make_server


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m devstack.search", description=__doc__)
    ap.add_argument("--port", type=int, default=8983)
    ap.add_argument("--host", default="127.0.0.1")
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--data-dir", type=Path, help="persist documents here (survives restarts)")
    where.add_argument("--memory", action="store_true", help="keep everything in memory (default)")
    ap.add_argument("--verbose", action="store_true", help="log every request")
    args = ap.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    service = SearchService(None if args.memory else args.data_dir)
    if args.data_dir and not args.memory:
        service.core("ckan")  # load the stored documents before announcing readiness
    server = make_server(args.host, args.port, service)

    def stop(signum: int, frame: object) -> None:
        # shutdown() blocks until serve_forever returns, so call it from another thread
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    host, port = server.server_address[:2]
    print(f"search service ready on http://{host}:{port}/solr/ckan", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        service.close()  # the SQLite stores are committed and closed here
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter teardown: freeing a large in-memory index can take seconds on a busy box.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
