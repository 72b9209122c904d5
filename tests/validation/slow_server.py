"""A real HTTP server on 127.0.0.1 that trickles its answer: one byte every ``interval``
seconds, in the status line and headers (path ``/slow-headers``) or in the body (other paths)."""

from __future__ import annotations

import contextlib
import socketserver
import threading
import time
from collections.abc import Iterator

BODY = b"a,b\n" + b"1,2\n" * 1000


class _Trickle(socketserver.BaseRequestHandler):
    interval = 1.0

    def handle(self) -> None:
        request_line = self.request.recv(65536).split(b"\r\n", 1)[0]
        head = (
            b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\n"
            + f"Content-Length: {len(BODY)}\r\n\r\n".encode()
        )
        try:
            if b"/slow-headers" in request_line:
                self._trickle(head)
            else:
                self.request.sendall(head)
            self._trickle(BODY)
        except OSError:  # the client hung up, as the deadline means it to
            return

    def _trickle(self, data: bytes) -> None:
        for i in range(len(data)):
            self.request.sendall(data[i : i + 1])
            time.sleep(self.interval)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextlib.contextmanager
def trickling_server(interval: float = 1.0) -> Iterator[str]:
    """The server's base URL while the block runs."""
    handler = type("Handler", (_Trickle,), {"interval": interval})
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
