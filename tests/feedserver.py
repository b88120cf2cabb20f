"""A loopback HTTP server for feed tests: routes map a path to a canned or computed reply."""

from __future__ import annotations

import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """What the server sends: status, headers and body; `drip` sends a byte every so often."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drip: float | None = None
    chunks: Iterator[bytes] | None = None


Route = Reply | Callable[[dict[str, str]], Reply]


@dataclass
class Seen:
    """One request the server answered."""

    path: str
    headers: dict[str, str]


class FeedServer:
    """Serve routes on 127.0.0.1 from a thread; use as a context manager."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                with server._lock:
                    server.seen.append(Seen(self.path, headers))
                route = server.routes.get(self.path) or server.routes.get(self.path.split("?")[0])
                reply = Reply(404, b"not here") if route is None else route
                if callable(reply):
                    reply = reply(headers)
                try:
                    self._send(reply)
                except (BrokenPipeError, ConnectionResetError):
                    return

            def _send(self, reply: Reply) -> None:
                self.send_response(reply.status)
                names = {k.lower() for k in reply.headers}
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.chunks is not None:
                    if "content-length" not in names:
                        self.send_header("Connection", "close")
                        self.close_connection = True
                    self.end_headers()
                    for chunk in reply.chunks:
                        self.wfile.write(chunk)
                    return
                if "content-length" not in names:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                if reply.drip is None:
                    self.wfile.write(reply.body)
                    return
                for byte in reply.body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(reply.drip)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base(self) -> str:
        """The server's root URL."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        """Give the full URL of a path on this server."""
        return self.base + path

    def add(self, path: str, route: Route) -> str:
        """Serve a route at a path and return its URL."""
        self.routes[path] = route
        return self.url(path)

    def requests_to(self, path: str) -> list[Seen]:
        """List the requests for a path."""
        with self._lock:
            return [s for s in self.seen if s.path == path]

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


@contextmanager
def unaccepting_port() -> Iterator[int]:
    """Yield a loopback port whose accept queue is full, so a new connection hangs unanswered."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers: list[socket.socket] = []
    try:
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            with suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
            fillers.append(filler)
        # The queue is full once a filler's handshake is done; wait for that, within a deadline.
        _, connected, _ = select.select([], fillers, [], 30)
        if not connected:
            raise RuntimeError("no filler connected to the listener within 30 s")
        yield port
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


@contextmanager
def refusing_port() -> Iterator[int]:
    """Yield a loopback port that refuses connections: bound, held, but not listening."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]
