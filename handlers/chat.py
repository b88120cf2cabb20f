"""`newsbrief chat`: the real bot, offline, in a terminal.

The same application as `newsbrief run` (same handlers, rendering, store and daily job), but
PTB's HTTP requests go to `LoopbackApi`, an in-process stand-in for the handful of Bot API
methods the bot uses: what you type becomes an update, what the bot sends is printed as text
with its links spelled out, and typing a button's number presses it.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO

from pydantic import SecretStr
from telegram.request import BaseRequest, RequestData

from newsbrief.bot.services import build_services
from newsbrief.bot.text.markup import ANY_MARKUP
from newsbrief.config.settings import Settings
from newsbrief.handlers import texts
from newsbrief.handlers.app import UPDATES, build_application

USER_ID = 1
OFFLINE_TOKEN = "1:offline-chat"
QUIET_SECONDS = 0.4
FIRST_ANSWER_SECONDS = 30.0

JsonDict = dict[str, Any]
_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.S)
_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}")


def as_text(markup: str) -> str:
    """Show Telegram HTML as plain text: tags dropped, links written out after their text."""
    with_links = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", markup)
    return html.unescape(ANY_MARKUP.sub("", with_links))


class LoopbackApi:
    """The Bot API methods the bot calls, answered in-process for one local user."""

    def __init__(self, show: Callable[[str], None]) -> None:
        self.show = show
        self.updates: asyncio.Queue[JsonDict] = asyncio.Queue()
        self.buttons: list[tuple[str, str]] = []
        self.keyboard_message: JsonDict | None = None
        self.last_output = 0.0
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self.bot_user = {"id": 1, "is_bot": True, "first_name": "newsbrief", "username": "offline"}
        self.user = {"id": USER_ID, "is_bot": False, "first_name": "You"}
        self.chat = {"id": USER_ID, "type": "private", "first_name": "You"}

    def user_says(self, text: str) -> None:
        """Queue a message typed by the user (with its command entity, as Telegram adds it)."""
        message: JsonDict = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.user,
            "text": text,
        }
        command = _COMMAND.match(text)
        if command:
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(command.group())}
            ]
        self._push({"message": message})

    def press(self, number: int) -> bool:
        """Press the numbered button of the last keyboard shown; say whether there was one."""
        if self.keyboard_message is None or not 1 <= number <= len(self.buttons):
            if self.buttons:
                self._print(texts.CHAT_NO_SUCH_BUTTON.format(number=number, last=len(self.buttons)))
            else:
                self._print(texts.CHAT_NO_BUTTONS)
            return False
        query = {
            "id": str(next(self._query_ids)),
            "from": self.user,
            "chat_instance": "offline",
            "message": self.keyboard_message,
            "data": self.buttons[number - 1][1],
        }
        self._push({"callback_query": query})
        return True

    def _push(self, update: JsonDict) -> None:
        self.updates.put_nowait({"update_id": next(self._update_ids), **update})

    async def call(self, method: str, params: JsonDict) -> Any:
        """Answer one Bot API call."""
        if method == "getMe":
            return self.bot_user
        if method == "getUpdates":
            return await self._get_updates(float(params.get("timeout") or 0))
        if method == "sendMessage":
            return self._message(params, next(self._message_ids))
        if method in ("editMessageText", "editMessageReplyMarkup"):
            return self._message(params, int(params["message_id"]), edited=True)
        if method == "answerCallbackQuery" and params.get("text"):
            self._print(f"  ({params['text']})")
        return True

    async def _get_updates(self, timeout: float) -> list[JsonDict]:
        found = []
        try:
            found.append(await asyncio.wait_for(self.updates.get(), timeout))
        except TimeoutError:
            return []
        while not self.updates.empty():
            found.append(self.updates.get_nowait())
        return found

    def _message(self, params: JsonDict, message_id: int, *, edited: bool = False) -> JsonDict:
        text = params.get("text")
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        message: JsonDict = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.bot_user,
            "text": as_text(text) if isinstance(text, str) else "",
        }
        if isinstance(text, str):
            self._print(("(edited) " if edited else "") + as_text(text))
        if isinstance(markup, dict) and markup.get("inline_keyboard"):
            message["reply_markup"] = markup
            self.keyboard_message = message
            self.buttons, lines = [], []
            for row in markup["inline_keyboard"]:
                labels = []
                for button in row:
                    if "callback_data" in button:
                        self.buttons.append((button["text"], button["callback_data"]))
                        labels.append(f"[{len(self.buttons)}] {button['text']}")
                lines.append("   ".join(labels))
            self._print("\n".join(lines) + "\n(type a button's number to press it)")
        return message

    def _print(self, text: str) -> None:
        self.last_output = time.monotonic()
        self.show(text)

    async def settle(self, since: float) -> None:
        """Wait for the bot's answer to what was just typed, then for it to fall quiet."""
        deadline = since + FIRST_ANSWER_SECONDS
        while self.last_output < since and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        while time.monotonic() - self.last_output < QUIET_SECONDS:
            await asyncio.sleep(0.02)


class LoopbackRequest(BaseRequest):
    """PTB's request interface, answered by a `LoopbackApi` instead of the network."""

    def __init__(self, api: LoopbackApi) -> None:
        self.api = api

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        """Answer the call in-process."""
        params = dict(request_data.parameters) if request_data else {}
        result = await self.api.call(url.rsplit("/", 1)[-1], params)
        return 200, json.dumps({"ok": True, "result": result}).encode()


def offline_settings(settings: Settings, folder: Path) -> Settings:
    """The same settings with a throwaway store, a local token, and you as the admin."""
    telegram = settings.telegram.model_copy(
        update={
            "token": SecretStr(OFFLINE_TOKEN),
            "admin_ids": frozenset({USER_ID}),
            "webhook_url": None,
        }
    )
    return settings.model_copy(
        update={"database_url": f"sqlite:///{folder / 'chat.db'}", "telegram": telegram}
    )


LineReader = Callable[[str], Awaitable[str | None]]
"""Shows a prompt and gives the next line typed, or None at the end of input."""


class TerminalInput:
    """Lines from standard input read on the event loop, so Ctrl-C never waits for Enter.

    `input()` on a thread would keep the process until the line came: a thread blocked in a
    read cannot be stopped, and the interpreter cannot finish while it holds stdin.
    """

    def __init__(self, stdin: TextIO, out: TextIO) -> None:
        self.fd = stdin.fileno()
        self.out = out
        self.pending = b""
        self.ended = False

    async def __call__(self, prompt: str) -> str | None:
        """Show the prompt and wait for a whole line (None once input has ended)."""
        self.out.write(prompt)
        self.out.flush()
        while b"\n" not in self.pending and not self.ended:
            chunk = await self._read_some()
            self.ended = not chunk
            self.pending += chunk
        if not self.pending:
            return None
        line, _, self.pending = self.pending.partition(b"\n")
        return line.decode("utf-8", errors="replace")

    async def _read_some(self) -> bytes:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            if not ready.done():
                ready.set_result(None)

        try:
            loop.add_reader(self.fd, wake)
        except (OSError, ValueError):  # a regular file: reading it never blocks
            return os.read(self.fd, 4096)
        try:
            await ready
        finally:
            loop.remove_reader(self.fd)
        return os.read(self.fd, 4096)


async def chat(settings: Settings, read: LineReader, out: TextIO) -> None:
    """Talk to the bot until end of input or /quit."""

    def show(text: str) -> None:
        out.write(f"{text}\n\n")
        out.flush()

    with tempfile.TemporaryDirectory(prefix="newsbrief-chat-") as folder:
        offline = offline_settings(settings, Path(folder))
        services = build_services(offline)
        report = await asyncio.to_thread(services.ingestor.ingest_folder, services.articles_dir)
        show(f"Read {services.articles_dir}: {report.summary()}")
        show("Offline chat with newsbrief. Try /start, /help or /syria; /quit leaves.")
        api = LoopbackApi(show)
        app = build_application(
            offline, services, requests=(LoopbackRequest(api), LoopbackRequest(api))
        )
        async with app:
            assert app.post_init is not None and app.updater is not None
            await app.post_init(app)
            await app.start()
            await app.updater.start_polling(
                poll_interval=0, timeout=timedelta(seconds=1), allowed_updates=UPDATES
            )
            try:
                while True:
                    typed = await read("you> ")
                    if typed is None:
                        out.write("\n")  # the end of input leaves the prompt's line open
                        break
                    line = typed.strip()
                    if line in ("/quit", "/exit"):
                        break
                    if not line:
                        continue
                    since = time.monotonic()
                    if line.isdigit():
                        if not api.press(int(line)):
                            continue
                    else:
                        api.user_says(line)
                    await api.settle(since)
            finally:
                await app.updater.stop()
                await app.stop()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


def run_chat(settings: Settings, read: LineReader | None = None, out: TextIO | None = None) -> int:
    """Run the offline chat in the terminal; Ctrl-C leaves at once, like Ctrl-D."""
    stream = out or sys.stdout
    try:
        asyncio.run(chat(settings, read or TerminalInput(sys.stdin, stream), stream))
    except KeyboardInterrupt:
        stream.write("\n")
        stream.flush()
        return 130
    return 0
