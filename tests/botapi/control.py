"""The stand-in's switches and records over HTTP, for a bot measured in a process of its own.

A stand-in sharing the bot's process shares its memory and its CPU: every request it keeps
counts in the bot's RSS. `python -m botapi` serves one here, next to this control server:

- ``POST /limits``: replace the flood limits (the fields of `RateLimits`)
- ``POST /updates`` ``{"user", "text"}``: queue a user's message; answers the time it was
  queued on `time.monotonic`, the default clock the stand-in stamps its messages with
- ``GET /messages?chat_id=&count=&timeout=``: wait for that many messages in one chat
- ``POST /inline`` ``{"user", "query"}``: queue an inline query; answers its id and when
- ``GET /inline?id=&timeout=``: wait for the bot's answer to it; answers it and when
- ``GET /stats?messages=&calls=``: what was accepted and refused after those positions
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .server import BotApiStandIn, JsonDict, RateLimits, Window


@dataclass(frozen=True, slots=True)
class Stats:
    """Messages accepted and calls refused after a mark, and the positions for the next mark."""

    messages: int
    calls: int
    sent: int
    chats: int
    duplicates: int
    first: float | None
    last: float | None
    refused: dict[str, int]
    server_errors: int

    def refusals(self, status: int) -> int:
        """How many calls were answered with `status`."""
        return self.refused.get(str(status), 0)


def stats(api: BotApiStandIn, messages: int = 0, calls: int = 0) -> Stats:
    """Sum up what the stand-in accepted after `messages` and answered after `calls`."""
    accepted, answered = api.messages, api.calls
    sent = accepted[messages:]
    copies = Counter((m.chat_id, m.text) for m in sent)
    times = [m.time for m in sent]
    return Stats(
        messages=len(accepted),
        calls=len(answered),
        sent=len(sent),
        chats=len({m.chat_id for m in sent}),
        duplicates=sum(n - 1 for n in copies.values()),
        first=min(times, default=None),
        last=max(times, default=None),
        refused=dict(Counter(str(c.status) for c in answered[calls:] if c.status != 200)),
        server_errors=len(api.server_errors),
    )


def limits_from(body: JsonDict) -> RateLimits:
    """Read `RateLimits` from its JSON form (`dataclasses.asdict`)."""
    windows = {
        name: None if body.get(name) is None else Window(**body[name])
        for name in ("overall", "per_chat", "per_group")
    }
    return RateLimits(**windows, tolerance=float(body.get("tolerance", 0.1)))


class ControlServer:
    """Serve a stand-in's control routes on 127.0.0.1 from a thread."""

    def __init__(self, api: BotApiStandIn) -> None:
        self.api = api
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.api = api  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        """The port the control routes listen on."""
        return int(self._server.server_address[1])

    def __enter__(self) -> ControlServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the output quiet."""

    def do_GET(self) -> None:
        api: BotApiStandIn = self.server.api  # type: ignore[attr-defined]
        split = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        if split.path == "/stats":
            found = stats(api, int(query.get("messages", 0)), int(query.get("calls", 0)))
            self._answer(200, asdict(found))
        elif split.path == "/messages":
            chat_id, count = int(query["chat_id"]), int(query["count"])
            try:
                sent = api.wait_for_messages_sync(chat_id, count, float(query["timeout"]))
            except TimeoutError as error:
                self._answer(504, {"error": str(error)})
                return
            accepted = [{"chat_id": m.chat_id, "text": m.text, "time": m.time} for m in sent]
            self._answer(200, accepted)
        elif split.path == "/inline":
            try:
                answer, at = api.wait_for_inline_answer_sync(query["id"], float(query["timeout"]))
            except TimeoutError as error:
                self._answer(504, {"error": str(error)})
                return
            self._answer(200, {"answer": answer, "time": at})
        else:
            self._answer(404, {"error": "no such route"})

    def do_POST(self) -> None:
        api: BotApiStandIn = self.server.api  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        if self.path == "/limits":
            api.set_limits(limits_from(body))
            self._answer(200, {})
        elif self.path == "/updates":
            queued = time.monotonic()
            api.send_user_message(int(body["user"]), str(body["text"]))
            self._answer(200, {"queued": queued})
        elif self.path == "/inline":
            queued = time.monotonic()
            query_id = api.send_inline_query(int(body["user"]), str(body["query"]))
            self._answer(200, {"id": query_id, "queued": queued})
        else:
            self._answer(404, {"error": "no such route"})

    def _answer(self, status: int, payload: object) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
