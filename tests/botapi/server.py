"""A loopback Bot API server that python-telegram-bot talks to over its real HTTP stack.

Start it, point PTB at it, drive it from the test::

    with BotApiStandIn() as api:
        app = ApplicationBuilder().token(api.token).base_url(api.base_url).build()
        api.send_user_message(42, "/ping")
        ...
        messages = await api.wait_for_messages(42, 1)

Answers have Telegram's shapes (``{"ok": true, "result": ...}`` or ``{"ok": false,
"error_code": N, "description": ..., "parameters": {...}}``), and the rules that bite real bots
are enforced: Telegram HTML and message length (see `entities`), bot command lists, flood limits
(429 with ``retry_after``), blocked/deactivated users (403), migrated groups (400 with
``migrate_to_chat_id``), one getUpdates at a time (409), edits that change nothing (400 "message
is not modified"), group members and administrators (getChatMember), and inline queries with
answerInlineQuery's limits (50 results, unique ids, valid message texts).

Limits apply to ``send*`` methods only, and count accepted messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import re
import socket
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .entities import MessageTextError, ParsedText, check_message_text, utf16_len

DEFAULT_TOKEN = "123456789:AAStandInTokenForTestsOnly_0123456789"
BOT_USERNAME = "newsbrief_test_bot"

JsonDict = dict[str, Any]

_JSON_FIELDS = frozenset(
    {
        "allowed_updates",
        "commands",
        "entities",
        "link_preview_options",
        "reply_markup",
        "reply_parameters",
        "results",
        "button",
        "scope",
    }
)
_INT_FIELDS = frozenset(
    {"cache_time", "limit", "message_id", "message_thread_id", "offset", "timeout", "user_id"}
)
MAX_INLINE_RESULTS = 50
"""Telegram's limit on the results of one answerInlineQuery."""
MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "left", "kicked"})
_DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
    }
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_COMMAND_IN_TEXT_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
_SUPERGROUP_BOUNDARY = -1_000_000_000_000
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


class ApiError(Exception):
    """A Bot API error answer: HTTP status, description and optional parameters."""

    def __init__(self, code: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> JsonDict:
        """Shape the error as Telegram does."""
        body: JsonDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def too_many_requests(retry_after: int) -> ApiError:
    """Build Telegram's flood-control answer."""
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


@dataclass(frozen=True, slots=True)
class Window:
    """At most `limit` messages in any `period` seconds."""

    limit: int
    period: float


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Flood limits the stand-in enforces; Telegram's published numbers by default.

    `tolerance` forgives that fraction of each period, so a client that paces exactly at the
    limit is not punished for network jitter between its clock and the server's.
    """

    overall: Window | None = Window(30, 1.0)
    per_chat: Window | None = Window(1, 1.0)
    per_group: Window | None = Window(20, 60.0)
    tolerance: float = 0.1

    def scaled(self, factor: float) -> RateLimits:
        """Run the same limits `factor` times faster (periods divided by `factor`)."""

        def scale(window: Window | None) -> Window | None:
            return None if window is None else Window(window.limit, window.period / factor)

        return replace(
            self,
            overall=scale(self.overall),
            per_chat=scale(self.per_chat),
            per_group=scale(self.per_group),
        )

    @classmethod
    def unlimited(cls) -> RateLimits:
        """No flood limits at all."""
        return cls(overall=None, per_chat=None, per_group=None)


@dataclass(frozen=True, slots=True)
class SentMessage:
    """A message the stand-in accepted from the bot (sent or edited)."""

    method: str
    chat_id: int
    message_id: int
    text: str
    parse_mode: str | None
    visible_text: str
    entities: tuple[JsonDict, ...]
    reply_markup: JsonDict | None
    link_preview_options: JsonDict | None
    params: JsonDict
    time: float

    @property
    def link_preview_disabled(self) -> bool:
        """Tell whether the bot switched link previews off for this message."""
        options = self.link_preview_options or {}
        return bool(options.get("is_disabled")) or bool(self.params.get("disable_web_page_preview"))

    def button_data(self) -> list[str]:
        """List the callback data of every inline button, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [
            button["callback_data"] for row in rows for button in row if "callback_data" in button
        ]


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One request as the stand-in saw it, with the status it answered."""

    method: str
    params: JsonDict
    status: int
    description: str | None
    time: float


@dataclass(slots=True)
class _Injection:
    method: str | None
    error: ApiError
    remaining: int


@dataclass(slots=True)
class _State:
    messages: list[SentMessage] = field(default_factory=list)
    calls: list[ApiCall] = field(default_factory=list)
    updates: deque[JsonDict] = field(default_factory=deque)
    stored: dict[tuple[int, int], JsonDict] = field(default_factory=dict)
    chats: dict[int, JsonDict] = field(default_factory=dict)
    commands: dict[tuple[str, str], list[JsonDict]] = field(default_factory=dict)
    callback_answers: dict[str, JsonDict | None] = field(default_factory=dict)
    inline_answers: dict[str, JsonDict | None] = field(default_factory=dict)
    inline_times: dict[str, float] = field(default_factory=dict)
    members: dict[tuple[int, int], str] = field(default_factory=dict)
    chat_actions: list[tuple[int, str]] = field(default_factory=list)
    sends: dict[str, deque[float]] = field(default_factory=dict)
    webhook: JsonDict = field(default_factory=dict)
    allowed_updates: frozenset[str] = _DEFAULT_UPDATE_TYPES
    blocked: dict[int, str] = field(default_factory=dict)
    migrated: dict[int, int] = field(default_factory=dict)
    injections: list[_Injection] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    next_message_id: dict[int, int] = field(default_factory=dict)
    poll_generation: int = 0
    closing: bool = False
    offline: bool = False


class BotApiStandIn:
    """A Bot API server on 127.0.0.1 with switches for Telegram's failure modes."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        limits: RateLimits | None = None,
        strict_html: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.limits = limits if limits is not None else RateLimits()
        self.strict_html = strict_html
        self._clock = clock
        self._cond = threading.Condition(threading.RLock())
        self._state = _State()
        self._ids = itertools.count(1)
        self._update_ids = itertools.count(100_001)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> BotApiStandIn:
        """Listen on an ephemeral loopback port and serve in a background thread."""
        server = _Server(("127.0.0.1", 0), _Handler)
        server.standin = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Wake long polls, drop open connections and close the socket."""
        with self._cond:
            self._state.closing = True
            self._cond.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.drop_connections()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> BotApiStandIn:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port the server listens on."""
        if self._server is None:
            raise RuntimeError("the stand-in is not running")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """What to pass as PTB's `base_url` (PTB appends the token)."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """What to pass as PTB's `base_file_url` (PTB appends the token)."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def bot_user(self) -> JsonDict:
        """The bot's own User object."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Newsbrief Test",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    # ----------------------------------------------------------------- switches

    def set_limits(self, limits: RateLimits) -> None:
        """Replace the flood limits (and forget the send history they count)."""
        with self._cond:
            self.limits = limits
            self._state.sends.clear()

    def go_offline(self) -> None:
        """Hang up on every request without an answer, as an unreachable network does."""
        with self._cond:
            self._state.offline = True

    def go_online(self) -> None:
        """Answer requests again."""
        with self._cond:
            self._state.offline = False

    def block_chat(self, chat_id: int) -> None:
        """Make sends to `chat_id` fail with 403 "bot was blocked by the user"."""
        with self._cond:
            self._state.blocked[chat_id] = "Forbidden: bot was blocked by the user"

    def deactivate_chat(self, chat_id: int) -> None:
        """Make sends to `chat_id` fail with 403 "user is deactivated"."""
        with self._cond:
            self._state.blocked[chat_id] = "Forbidden: user is deactivated"

    def kick_from_chat(self, chat_id: int) -> None:
        """Make sends to group `chat_id` fail with 403 "bot was kicked from the group chat"."""
        with self._cond:
            self._state.blocked[chat_id] = "Forbidden: bot was kicked from the group chat"

    def migrate_chat(self, chat_id: int, new_chat_id: int) -> None:
        """Make group `chat_id` answer 400 with `migrate_to_chat_id=new_chat_id`."""
        if new_chat_id > _SUPERGROUP_BOUNDARY:
            raise ValueError("a group migrates to a supergroup id (-100...)")
        with self._cond:
            self._state.migrated[chat_id] = new_chat_id

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        """Give `user_id` a status in group `chat_id`: creator, administrator, member, left..."""
        if status not in MEMBER_STATUSES:
            raise ValueError(f"unknown member status {status!r}")
        with self._cond:
            self._state.members[(chat_id, user_id)] = status

    def set_administrators(
        self, chat_id: int, admins: list[int], *, creator: int | None = None
    ) -> None:
        """Make these users the group's administrators (and `creator` its owner)."""
        for user_id in admins:
            self.set_member(chat_id, user_id, "administrator")
        if creator is not None:
            self.set_member(chat_id, creator, "creator")

    def inject_retry_after(
        self, retry_after: int = 1, *, method: str | None = "sendMessage", times: int = 1
    ) -> None:
        """Make the next `times` calls of `method` (any method if None) answer 429."""
        self.inject_error(too_many_requests(retry_after), method=method, times=times)

    def inject_error(
        self, error: ApiError, *, method: str | None = "sendMessage", times: int = 1
    ) -> None:
        """Make the next `times` calls of `method` (any method if None) answer `error`."""
        with self._cond:
            key = method.lower() if method else None
            self._state.injections.append(_Injection(key, error, times))

    # ----------------------------------------------------------------- updates

    def push_update(self, update: JsonDict) -> JsonDict:
        """Queue a raw update (its `update_id` is assigned here) for getUpdates."""
        with self._cond:
            update = {"update_id": next(self._update_ids), **update}
            self._state.updates.append(update)
            self._cond.notify_all()
        return update

    def user(
        self, user_id: int, *, first_name: str | None = None, username: str | None = None
    ) -> JsonDict:
        """Build a human User object."""
        user: JsonDict = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name or f"User{user_id}",
            "language_code": "en",
        }
        if username:
            user["username"] = username
        return user

    def chat(self, chat_id: int) -> JsonDict:
        """The Chat object for `chat_id` (private for positive ids, groups for negative)."""
        with self._cond:
            known = self._state.chats.get(chat_id)
            if known is not None:
                return dict(known)
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
        kind = "supergroup" if chat_id <= _SUPERGROUP_BOUNDARY else "group"
        return {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}

    def send_user_message(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        first_name: str | None = None,
        username: str | None = None,
    ) -> JsonDict:
        """Queue a text message from a user (in a private chat unless `chat_id` says a group).

        Commands (``/cmd`` or ``/cmd@bot``) get `bot_command` entities, as Telegram adds them.
        """
        user = self.user(user_id, first_name=first_name, username=username)
        target = user_id if chat_id is None else chat_id
        chat = self.chat(target)
        if target == user_id:
            chat = {"id": user_id, "type": "private", "first_name": user["first_name"]}
            if username:
                chat["username"] = username
        message: JsonDict = {
            "message_id": self._next_message_id(target),
            "from": user,
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        }
        entities = [
            {
                "type": "bot_command",
                "offset": utf16_len(text[: m.start()]),
                "length": utf16_len(m.group()),
            }
            for m in _COMMAND_IN_TEXT_RE.finditer(text)
        ]
        if entities:
            message["entities"] = entities
        with self._cond:
            self._state.chats[target] = chat
            self._state.stored[(target, message["message_id"])] = message
        return self.push_update({"message": message})

    def press_button(self, user_id: int, message: SentMessage, data: str) -> str:
        """Queue a callback query as if `user_id` pressed the inline button carrying `data`.

        Returns the callback query id; the bot's answer shows up in `callback_answers`.
        """
        with self._cond:
            stored = self._state.stored.get((message.chat_id, message.message_id))
            if stored is None:
                raise ValueError(f"no message {message.message_id} in chat {message.chat_id}")
            rows = (stored.get("reply_markup") or {}).get("inline_keyboard", [])
            if not any(button.get("callback_data") == data for row in rows for button in row):
                raise ValueError(f"the message has no inline button with callback data {data!r}")
            query_id = str(next(self._ids) * 7919)
            self._state.callback_answers[query_id] = None
            snapshot = json.loads(json.dumps(stored))
        query = {
            "id": query_id,
            "from": self.user(user_id),
            "message": snapshot,
            "chat_instance": str(abs(message.chat_id) * 31 + 7),
            "data": data,
        }
        self.push_update({"callback_query": query})
        return query_id

    def send_inline_query(
        self, user_id: int, query: str, *, offset: str = "", chat_type: str = "private"
    ) -> str:
        """Queue an inline query, as typing ``@bot query`` in any chat does; return its id.

        The bot's answer shows up in `inline_answers`.
        """
        if len(query) > 256:
            raise ValueError("Telegram sends at most 256 characters of an inline query")
        with self._cond:
            query_id = str(next(self._ids) * 7907)
            self._state.inline_answers[query_id] = None
        inline = {
            "id": query_id,
            "from": self.user(user_id),
            "query": query,
            "offset": offset,
            "chat_type": chat_type,
        }
        self.push_update({"inline_query": inline})
        return query_id

    # ----------------------------------------------------------------- inspection

    @property
    def webhook(self) -> JsonDict:
        """The webhook registration Telegram keeps: the last setWebhook's parameters."""
        with self._cond:
            return dict(self._state.webhook)

    @property
    def offline(self) -> bool:
        """Tell whether the stand-in hangs up on requests (`go_offline`)."""
        with self._cond:
            return self._state.offline

    @property
    def messages(self) -> list[SentMessage]:
        """Every accepted sendMessage, in order."""
        with self._cond:
            return [m for m in self._state.messages if m.method == "sendMessage"]

    @property
    def edits(self) -> list[SentMessage]:
        """Every accepted editMessageText / editMessageReplyMarkup, in order."""
        with self._cond:
            return [m for m in self._state.messages if m.method != "sendMessage"]

    def messages_for(self, chat_id: int) -> list[SentMessage]:
        """Accepted messages sent to `chat_id`, in order."""
        return [m for m in self.messages if m.chat_id == chat_id]

    @property
    def calls(self) -> list[ApiCall]:
        """Every request, answered or refused, in order."""
        with self._cond:
            return list(self._state.calls)

    def errors(self, status: int | None = None) -> list[ApiCall]:
        """Refused requests, optionally only those answered with `status`."""
        return [c for c in self.calls if c.status != 200 and status in (None, c.status)]

    @property
    def server_errors(self) -> list[str]:
        """Tracebacks of bugs inside the stand-in itself; tests should expect none."""
        with self._cond:
            return list(self._state.server_errors)

    def commands(self, scope: JsonDict | None = None, language_code: str = "") -> list[JsonDict]:
        """The command list set for `scope` and `language_code`."""
        with self._cond:
            return list(self._state.commands.get(_command_key(scope, language_code), []))

    @property
    def callback_answers(self) -> dict[str, JsonDict | None]:
        """Callback query id -> the bot's answerCallbackQuery parameters (None if unanswered)."""
        with self._cond:
            return dict(self._state.callback_answers)

    @property
    def inline_answers(self) -> dict[str, JsonDict | None]:
        """Inline query id -> the bot's answerInlineQuery parameters (None if unanswered)."""
        with self._cond:
            return dict(self._state.inline_answers)

    async def wait_for_inline_answer(self, query_id: str, timeout: float = 5.0) -> JsonDict:
        """Wait until the bot answered inline query `query_id`; return its parameters."""
        deadline = time.monotonic() + timeout
        while True:
            answer = self.inline_answers.get(query_id)
            if answer is not None:
                return answer
            if time.monotonic() >= deadline:
                raise TimeoutError(f"inline query {query_id} was not answered in {timeout}s")
            await asyncio.sleep(0.005)

    def wait_for_inline_answer_sync(
        self, query_id: str, timeout: float = 5.0
    ) -> tuple[JsonDict, float]:
        """Block until inline query `query_id` is answered; return the answer and its time."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                answer = self._state.inline_answers.get(query_id)
                if answer is not None:
                    return answer, self._state.inline_times[query_id]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"inline query {query_id} was not answered in {timeout}s")
                self._cond.wait(remaining)

    @property
    def chat_actions(self) -> list[tuple[int, str]]:
        """Every accepted sendChatAction as (chat_id, action)."""
        with self._cond:
            return list(self._state.chat_actions)

    @property
    def polls_started(self) -> int:
        """How many getUpdates calls have started (long polls included)."""
        with self._cond:
            return self._state.poll_generation

    async def wait_for_polls(self, count: int, timeout: float = 30.0) -> None:
        """Wait until `count` getUpdates calls have started."""
        deadline = time.monotonic() + timeout
        while self.polls_started < count:
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{self.polls_started} of {count} getUpdates in {timeout}s")
            await asyncio.sleep(0.005)

    @property
    def pending_updates(self) -> int:
        """Updates queued and not yet confirmed by an offset."""
        with self._cond:
            return len(self._state.updates)

    def wait_for_messages_sync(
        self, chat_id: int, count: int, timeout: float = 30.0
    ) -> list[SentMessage]:
        """Block until `count` messages reached `chat_id`; raise `TimeoutError` otherwise."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = self.messages_for(chat_id)
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"chat {chat_id} got {len(found)} of {count} messages in {timeout}s"
                    )
                self._cond.wait(remaining)

    async def wait_for_messages(
        self, chat_id: int, count: int, timeout: float = 30.0
    ) -> list[SentMessage]:
        """Wait without blocking the loop until `count` messages reached `chat_id`."""
        return await self._wait(lambda: self.messages_for(chat_id), count, timeout, chat_id)

    async def wait_for_edits(
        self, chat_id: int, count: int, timeout: float = 30.0
    ) -> list[SentMessage]:
        """Wait without blocking the loop until `count` edits happened in `chat_id`."""

        def found() -> list[SentMessage]:
            return [m for m in self.edits if m.chat_id == chat_id]

        return await self._wait(found, count, timeout, chat_id)

    async def wait_for_callback_answer(self, query_id: str, timeout: float = 30.0) -> JsonDict:
        """Wait until the bot answered callback query `query_id`; return its parameters."""
        deadline = time.monotonic() + timeout
        while True:
            answer = self.callback_answers.get(query_id)
            if answer is not None:
                return answer
            if time.monotonic() >= deadline:
                raise TimeoutError(f"callback query {query_id} was not answered in {timeout}s")
            await asyncio.sleep(0.005)

    async def _wait(
        self, found: Callable[[], list[SentMessage]], count: int, timeout: float, chat_id: int
    ) -> list[SentMessage]:
        deadline = time.monotonic() + timeout
        while True:
            current = found()
            if len(current) >= count:
                return current
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"chat {chat_id} got {len(current)} of {count} messages in {timeout}s"
                )
            await asyncio.sleep(0.005)

    # ----------------------------------------------------------------- dispatch

    def handle(self, token: str, method: str, params: JsonDict) -> tuple[int, JsonDict]:
        """Answer one Bot API call: (HTTP status, JSON body)."""
        now = self._clock()
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            handler = getattr(self, f"_api_{method.lower()}", None)
            if handler is None:
                raise ApiError(404, "Not Found")
            self._consume_injection(method.lower())
            result = handler(params)
            status, body = 200, {"ok": True, "result": result}
        except ApiError as exc:
            status, body = exc.code, exc.payload()
        except Exception:
            trace = traceback.format_exc()
            with self._cond:
                self._state.server_errors.append(trace)
            status = 500
            body = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
        with self._cond:
            self._state.calls.append(ApiCall(method, params, status, body.get("description"), now))
            self._cond.notify_all()
        return status, body

    def _consume_injection(self, method: str) -> None:
        with self._cond:
            for injection in self._state.injections:
                if injection.method in (None, method):
                    injection.remaining -= 1
                    if injection.remaining <= 0:
                        self._state.injections.remove(injection)
                    raise injection.error

    def _next_message_id(self, chat_id: int) -> int:
        with self._cond:
            value = self._state.next_message_id.get(chat_id, 0) + 1
            self._state.next_message_id[chat_id] = value
            return value

    # ----------------------------------------------------------------- rules

    def _target_chat(self, params: JsonDict) -> int:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        try:
            chat_id = int(raw)
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None
        with self._cond:
            if chat_id in self._state.migrated:
                raise ApiError(
                    400,
                    "Bad Request: group chat was upgraded to a supergroup chat",
                    {"migrate_to_chat_id": self._state.migrated[chat_id]},
                )
            if chat_id in self._state.blocked:
                raise ApiError(403, self._state.blocked[chat_id])
        return chat_id

    def _check_flood(self, chat_id: int) -> None:
        """Refuse with 429 if one more message to `chat_id` would break a limit; else count it."""
        limits = self.limits
        now = self._clock()
        checks: list[tuple[str, Window]] = []
        if limits.overall:
            checks.append(("*", limits.overall))
        if limits.per_chat:
            checks.append((f"chat:{chat_id}", limits.per_chat))
        if chat_id < 0 and limits.per_group:
            checks.append((f"group:{chat_id}", limits.per_group))
        with self._cond:
            waits = []
            for key, window in checks:
                span = window.period * (1 - limits.tolerance)
                times = self._state.sends.setdefault(key, deque())
                while times and times[0] <= now - span:
                    times.popleft()
                if len(times) >= window.limit:
                    waits.append(times[0] + span - now)
            if waits:
                raise too_many_requests(max(1, math.ceil(max(waits))))
            for key, _ in checks:
                self._state.sends[key].append(now)

    def _check_text(self, params: JsonDict) -> ParsedText:
        try:
            return check_message_text(
                params.get("text"), params.get("parse_mode"), strict=self.strict_html
            )
        except MessageTextError as exc:
            raise ApiError(400, str(exc)) from None

    @staticmethod
    def _check_markup(params: JsonDict) -> JsonDict | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if not button.get("text"):
                    raise ApiError(
                        400, "Bad Request: text buttons are unallowed in the inline keyboard"
                    )
        return markup

    # ----------------------------------------------------------------- methods

    def _api_getme(self, params: JsonDict) -> JsonDict:
        return self.bot_user

    def _api_logout(self, params: JsonDict) -> bool:
        return True

    def _api_close(self, params: JsonDict) -> bool:
        return True

    def _api_getupdates(self, params: JsonDict) -> list[JsonDict]:
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        allowed = params.get("allowed_updates")
        deadline = time.monotonic() + timeout
        with self._cond:
            state = self._state
            if state.webhook.get("url"):
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            state.poll_generation += 1
            generation = state.poll_generation
            self._cond.notify_all()
            if isinstance(allowed, list):
                state.allowed_updates = frozenset(allowed) or _DEFAULT_UPDATE_TYPES
            if offset > 0:
                while state.updates and state.updates[0]["update_id"] < offset:
                    state.updates.popleft()
            elif offset < 0:
                while len(state.updates) > -offset:
                    state.updates.popleft()
            while True:
                if state.closing:
                    return []
                if generation != state.poll_generation:
                    raise ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; "
                        "make sure that only one bot instance is running",
                    )
                kept = [u for u in state.updates if _update_type(u) in state.allowed_updates]
                state.updates = deque(kept)
                remaining = deadline - time.monotonic()
                if kept or remaining <= 0:
                    return kept[:limit]
                self._cond.wait(remaining)

    def _api_setwebhook(self, params: JsonDict) -> bool:
        url = params.get("url") or ""
        if url and not url.startswith("https://"):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        with self._cond:
            if params.get("drop_pending_updates"):
                self._state.updates.clear()
            self._state.webhook = {"url": url, **{k: v for k, v in params.items() if k != "url"}}
        return True

    def _api_deletewebhook(self, params: JsonDict) -> bool:
        with self._cond:
            if params.get("drop_pending_updates"):
                self._state.updates.clear()
            self._state.webhook = {}
        return True

    def _api_getwebhookinfo(self, params: JsonDict) -> JsonDict:
        with self._cond:
            info: JsonDict = {
                "url": self._state.webhook.get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": len(self._state.updates),
            }
            if self._state.webhook.get("allowed_updates"):
                info["allowed_updates"] = self._state.webhook["allowed_updates"]
        return info

    def _api_setmycommands(self, params: JsonDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
        cleaned = []
        for command in commands:
            if not isinstance(command, dict):
                raise ApiError(400, "Bad Request: can't parse BotCommand JSON object")
            name = command.get("command")
            description = command.get("description")
            if not isinstance(name, str) or not _COMMAND_RE.fullmatch(name):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        language = params.get("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise ApiError(400, "Bad Request: invalid language code specified")
        with self._cond:
            self._state.commands[_command_key(params.get("scope"), language)] = cleaned
        return True

    def _api_getmycommands(self, params: JsonDict) -> list[JsonDict]:
        return self.commands(params.get("scope"), params.get("language_code") or "")

    def _api_deletemycommands(self, params: JsonDict) -> bool:
        key = _command_key(params.get("scope"), params.get("language_code") or "")
        with self._cond:
            self._state.commands.pop(key, None)
        return True

    def _api_sendchataction(self, params: JsonDict) -> bool:
        chat_id = self._target_chat(params)
        action = params.get("action")
        if action not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        with self._cond:
            self._state.chat_actions.append((chat_id, action))
        return True

    def _api_sendmessage(self, params: JsonDict) -> JsonDict:
        chat_id = self._target_chat(params)
        parsed = self._check_text(params)
        markup = self._check_markup(params)
        with self._cond:
            self._check_flood(chat_id)
            message_id = self._next_message_id(chat_id)
            message = self._message_dict(chat_id, message_id, parsed, markup, params)
            self._state.stored[(chat_id, message_id)] = message
            self._record("sendMessage", chat_id, message_id, parsed, markup, params)
        return message

    def _api_editmessagetext(self, params: JsonDict) -> JsonDict:
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: inline messages are not supported by the stand-in")
        chat_id = self._target_chat(params)
        message_id = int(params.get("message_id") or 0)
        parsed = self._check_text(params)
        markup = self._check_markup(params)
        with self._cond:
            old = self._state.stored.get((chat_id, message_id))
            if old is None or old.get("from", {}).get("id") != self.bot_id:
                raise ApiError(400, "Bad Request: message to edit not found")
            if (
                old.get("text") == parsed.text
                and old.get("entities", []) == list(parsed.entities)
                and old.get("reply_markup") == markup
            ):
                raise ApiError(400, _NOT_MODIFIED)
            message = self._message_dict(chat_id, message_id, parsed, markup, params)
            message["date"] = old["date"]
            message["edit_date"] = int(time.time())
            self._state.stored[(chat_id, message_id)] = message
            self._record("editMessageText", chat_id, message_id, parsed, markup, params)
        return message

    def _api_editmessagereplymarkup(self, params: JsonDict) -> JsonDict:
        chat_id = self._target_chat(params)
        message_id = int(params.get("message_id") or 0)
        markup = self._check_markup(params)
        with self._cond:
            old = self._state.stored.get((chat_id, message_id))
            if old is None or old.get("from", {}).get("id") != self.bot_id:
                raise ApiError(400, "Bad Request: message to edit not found")
            if old.get("reply_markup") == markup:
                raise ApiError(400, _NOT_MODIFIED)
            message = dict(old)
            message.pop("reply_markup", None)
            if markup:
                message["reply_markup"] = markup
            message["edit_date"] = int(time.time())
            self._state.stored[(chat_id, message_id)] = message
            parsed = ParsedText(old.get("text", ""), tuple(old.get("entities", [])))
            self._record("editMessageReplyMarkup", chat_id, message_id, parsed, markup, params)
        return message

    def _api_deletemessage(self, params: JsonDict) -> bool:
        chat_id = self._target_chat(params)
        message_id = int(params.get("message_id") or 0)
        with self._cond:
            if self._state.stored.pop((chat_id, message_id), None) is None:
                raise ApiError(400, "Bad Request: message to delete not found")
        return True

    def _api_answercallbackquery(self, params: JsonDict) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        text = params.get("text") or ""
        if len(text) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        with self._cond:
            if (
                query_id not in self._state.callback_answers
                or self._state.callback_answers[query_id] is not None
            ):
                raise ApiError(400, _QUERY_TOO_OLD)
            self._state.callback_answers[query_id] = dict(params)
        return True

    def _api_answerinlinequery(self, params: JsonDict) -> bool:
        arrived = self._clock()
        query_id = str(params.get("inline_query_id") or "")
        results = params.get("results")
        if not isinstance(results, list):
            raise ApiError(400, "Bad Request: can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        if len(str(params.get("next_offset") or "").encode()) > 64:
            raise ApiError(400, "Bad Request: NEXT_OFFSET_INVALID")
        seen: set[str] = set()
        for result in results:
            self._check_inline_result(result, seen)
        with self._cond:
            if (
                query_id not in self._state.inline_answers
                or self._state.inline_answers[query_id] is not None
            ):
                raise ApiError(400, _QUERY_TOO_OLD)
            self._state.inline_answers[query_id] = dict(params)
            self._state.inline_times[query_id] = arrived
            self._cond.notify_all()
        return True

    def _check_inline_result(self, result: Any, seen: set[str]) -> None:
        """Judge one InlineQueryResult as answerInlineQuery does (articles: what bots send)."""
        if not isinstance(result, dict):
            raise ApiError(400, "Bad Request: can't parse inline query result JSON object")
        result_id = result.get("id")
        if not isinstance(result_id, str) or not 1 <= len(result_id.encode()) <= 64:
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        if result_id in seen:
            raise ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
        seen.add(result_id)
        if result.get("type") != "article":
            raise ApiError(400, "Bad Request: RESULT_TYPE_INVALID")
        if not str(result.get("title") or "").strip():
            raise ApiError(400, "Bad Request: RESULT_TITLE_EMPTY")
        content = result.get("input_message_content")
        if not isinstance(content, dict) or "message_text" not in content:
            raise ApiError(400, "Bad Request: MESSAGE_EMPTY")
        try:
            check_message_text(
                content.get("message_text"), content.get("parse_mode"), strict=self.strict_html
            )
        except MessageTextError as exc:
            raise ApiError(400, str(exc)) from None
        self._check_markup({"reply_markup": result.get("reply_markup")})

    def _api_getchatmember(self, params: JsonDict) -> JsonDict:
        chat_id = self._target_chat(params)
        try:
            user_id = int(params.get("user_id") or 0)
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: invalid user_id specified") from None
        if user_id <= 0:
            raise ApiError(400, "Bad Request: invalid user_id specified")
        if chat_id > 0 and user_id not in (chat_id, self.bot_id):
            raise ApiError(400, "Bad Request: user not found")
        with self._cond:
            status = self._state.members.get((chat_id, user_id), "member")
        return _chat_member(self.user(user_id), status)

    def _message_dict(
        self,
        chat_id: int,
        message_id: int,
        parsed: ParsedText,
        markup: JsonDict | None,
        params: JsonDict,
    ) -> JsonDict:
        message: JsonDict = {
            "message_id": message_id,
            "from": self.bot_user,
            "chat": self.chat(chat_id),
            "date": int(time.time()),
            "text": parsed.text,
        }
        if parsed.entities:
            message["entities"] = list(parsed.entities)
        if markup:
            message["reply_markup"] = markup
        if isinstance(params.get("link_preview_options"), dict):
            message["link_preview_options"] = params["link_preview_options"]
        return message

    def _record(
        self,
        method: str,
        chat_id: int,
        message_id: int,
        parsed: ParsedText,
        markup: JsonDict | None,
        params: JsonDict,
    ) -> None:
        options = params.get("link_preview_options")
        self._state.messages.append(
            SentMessage(
                method=method,
                chat_id=chat_id,
                message_id=message_id,
                text=str(params.get("text", "")),
                parse_mode=params.get("parse_mode"),
                visible_text=parsed.text,
                entities=parsed.entities,
                reply_markup=markup,
                link_preview_options=options if isinstance(options, dict) else None,
                params=dict(params),
                time=self._clock(),
            )
        )
        self._cond.notify_all()


def _chat_member(user: JsonDict, status: str) -> JsonDict:
    """A ChatMember object of the given status with the fields Telegram always sends."""
    member: JsonDict = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(
            dict.fromkeys(
                (
                    "can_be_edited",
                    "is_anonymous",
                    "can_manage_video_chats",
                    "can_promote_members",
                    "can_post_stories",
                    "can_edit_stories",
                    "can_delete_stories",
                ),
                False,
            )
        )
        member.update(
            dict.fromkeys(
                (
                    "can_manage_chat",
                    "can_delete_messages",
                    "can_restrict_members",
                    "can_change_info",
                    "can_invite_users",
                ),
                True,
            )
        )
    elif status == "kicked":
        member["until_date"] = 0
    return member


def _command_key(scope: JsonDict | None, language_code: str) -> tuple[str, str]:
    return json.dumps(scope or {"type": "default"}, sort_keys=True), language_code


def _update_type(update: JsonDict) -> str:
    return next(key for key in update if key != "update_id")


def decode_params(content_type: str, body: bytes, query: str) -> JsonDict:
    """Read Bot API parameters from a query string and a JSON, form or multipart body."""
    params: JsonDict = dict(parse_qsl(query, keep_blank_values=True))
    kind = content_type.split(";", 1)[0].strip().lower()
    if body and kind == "application/json":
        loaded = json.loads(body.decode("utf-8"))
        if not isinstance(loaded, dict):
            raise ApiError(400, "Bad Request: request body must be a JSON object")
        return {**params, **loaded}
    if body and kind == "application/x-www-form-urlencoded":
        params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    elif body and kind == "multipart/form-data":
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = BytesParser(policy=policy.default).parsebytes(head + body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(payload, bytes):
                params[name] = payload.decode("utf-8", errors="replace")
    return {key: _coerce(key, value) for key, value in params.items()}


def _coerce(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if key in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    if key in _INT_FIELDS or key == "chat_id":
        with contextlib.suppress(ValueError):
            return int(value)
        return value
    if value in ("true", "false", "True", "False"):
        return value.lower() == "true"
    return value


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    standin: BotApiStandIn

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._connections_lock:
                self._connections.discard(request)

    def drop_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up (PTB cancelling a long poll) are normal; anything else is a bug.
        error = traceback.format_exc()
        if "ConnectionResetError" in error or "BrokenPipeError" in error:
            return
        with self.standin._cond:
            self.standin._state.server_errors.append(error)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def _dispatch(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.server.standin.offline:
            self.close_connection = True
            return
        parts = split.path.strip("/").split("/")
        status: int
        payload: JsonDict
        if len(parts) == 2 and parts[0].startswith("bot"):
            try:
                params = decode_params(self.headers.get("Content-Type", ""), body, split.query)
            except ApiError as exc:
                status, payload = exc.code, exc.payload()
            except ValueError:
                status, payload = 400, ApiError(400, "Bad Request: can't parse request").payload()
            else:
                status, payload = self.server.standin.handle(parts[0][3:], parts[1], params)
        else:
            status, payload = 404, ApiError(404, "Not Found").payload()
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
