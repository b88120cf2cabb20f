"""Drive a stand-in that runs in a process of its own (`python -m botapi`), from async code.

For measuring the bot alone: the stand-in keeps every request it answers, which would count
in the bot's memory if it shared the process, and it would take the bot's CPU as well.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from .control import Stats
from .server import RateLimits

TESTS = Path(__file__).resolve().parents[1]


@dataclass(frozen=True, slots=True)
class Accepted:
    """A message the remote stand-in accepted, stamped with its clock."""

    chat_id: int
    text: str
    time: float


class RemoteStandIn:
    """A Bot API stand-in in a child process, with the stand-in's names for what we use."""

    token: str
    port: int

    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = None
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> RemoteStandIn:
        process = subprocess.Popen(
            [sys.executable, "-m", "botapi"],
            cwd=TESTS,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._process = process
        assert process.stdout is not None
        line = await asyncio.to_thread(process.stdout.readline)
        if not line:
            await self.__aexit__(None, None, None)
            raise RuntimeError(f"the stand-in process exited with {process.returncode}")
        info = json.loads(line)
        self.token, self.port = info["token"], info["port"]
        self._client = httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{info['control']}", timeout=30, trust_env=False
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._client is not None:
            await self._client.aclose()
        process = self._process
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()  # the stand-in serves until its stdin closes
        try:
            await asyncio.to_thread(process.wait, 10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()

    @property
    def base_url(self) -> str:
        """What to pass as PTB's `base_url` (PTB appends the token)."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def client(self) -> httpx.AsyncClient:
        """The HTTP client for the control routes."""
        if self._client is None:
            raise RuntimeError("the remote stand-in is not running")
        return self._client

    async def set_limits(self, limits: RateLimits) -> None:
        """Replace the flood limits (and forget the send history they count)."""
        (await self.client.post("/limits", json=asdict(limits))).raise_for_status()

    async def send_user_message(self, user_id: int, text: str) -> float:
        """Queue a text message from a user in a private chat; return when, by its clock."""
        answer = await self.client.post("/updates", json={"user": user_id, "text": text})
        answer.raise_for_status()
        return float(answer.json()["queued"])

    async def wait_for_messages(
        self, chat_id: int, count: int, timeout: float = 30.0
    ) -> list[Accepted]:
        """Wait until `count` messages reached `chat_id`; raise `TimeoutError` otherwise."""
        query = {"chat_id": chat_id, "count": count, "timeout": timeout}
        answer = await self.client.get("/messages", params=query, timeout=timeout + 10)
        if answer.status_code == 504:
            raise TimeoutError(answer.json()["error"])
        answer.raise_for_status()
        return [Accepted(**m) for m in answer.json()]

    async def send_inline_query(self, user_id: int, query: str) -> tuple[str, float]:
        """Queue an inline query; return its id and when it was queued, by the stand-in's clock."""
        answer = await self.client.post("/inline", json={"user": user_id, "query": query})
        answer.raise_for_status()
        found = answer.json()
        return str(found["id"]), float(found["queued"])

    async def wait_for_inline_answer(
        self, query_id: str, timeout: float = 5.0
    ) -> tuple[dict[str, Any], float]:
        """Wait for the bot's answer to an inline query; return it and when it came."""
        query = {"id": query_id, "timeout": timeout}
        answer = await self.client.get("/inline", params=query, timeout=timeout + 10)
        if answer.status_code == 504:
            raise TimeoutError(answer.json()["error"])
        answer.raise_for_status()
        found = answer.json()
        return dict(found["answer"]), float(found["time"])

    async def stats(self, since: Stats | None = None) -> Stats:
        """What was accepted and refused since `since` (from the start if None)."""
        query = {"messages": since.messages, "calls": since.calls} if since else {}
        answer = await self.client.get("/stats", params=query)
        answer.raise_for_status()
        return Stats(**answer.json())
