"""The stand-in, driven by python-telegram-bot over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import urllib.request
from collections.abc import AsyncIterator

import pytest
from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
)

from botapi import BotApiStandIn, RateLimits, Window

USER = 4242


async def ping(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer /ping with HTML and a button."""
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("again", callback_data="again")]])
    await update.effective_message.reply_html(
        f"<b>pong</b> {' '.join(context.args or [])}", reply_markup=keyboard
    )


async def again(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the button and edit the message."""
    query = update.callback_query
    assert query is not None
    await query.answer("once more")
    await query.edit_message_text("<i>pong again</i>", parse_mode=ParseMode.HTML)


def build_app(api: BotApiStandIn) -> Application:  # type: ignore[type-arg]
    """Build a tiny application pointed at the stand-in."""
    app = (
        ApplicationBuilder()
        .token(api.token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("ping", ping))
    app.add_handler(CallbackQueryHandler(again, pattern="^again$"))
    return app


@pytest.fixture
async def running_app(botapi: BotApiStandIn) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Run the tiny application with polling for one test."""
    app = build_app(botapi)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=dtm.timedelta(seconds=2))
        yield app
        if app.updater.running:
            await app.updater.stop()
        await app.stop()


async def test_application_answers_ping_with_html(
    botapi: BotApiStandIn,
    running_app: Application,  # type: ignore[type-arg]
) -> None:
    botapi.send_user_message(USER, "/ping hello")

    [reply] = await botapi.wait_for_messages(USER, 1)

    assert reply.parse_mode == "HTML"
    assert reply.visible_text == "pong hello"
    assert reply.entities == ({"type": "bold", "offset": 0, "length": 4},)
    assert reply.button_data() == ["again"]


async def test_button_press_reaches_the_callback_handler(
    botapi: BotApiStandIn,
    running_app: Application,  # type: ignore[type-arg]
) -> None:
    botapi.send_user_message(USER, "/ping")
    [reply] = await botapi.wait_for_messages(USER, 1)

    query_id = botapi.press_button(USER, reply, "again")

    answer = await botapi.wait_for_callback_answer(query_id)
    assert answer["text"] == "once more"
    [edit] = await botapi.wait_for_edits(USER, 1)
    assert edit.message_id == reply.message_id
    assert edit.visible_text == "pong again"
    with pytest.raises(ValueError, match="no inline button"):
        botapi.press_button(USER, reply, "missing")


async def test_offset_confirms_updates_and_shutdown_confirms_the_rest(
    botapi: BotApiStandIn,
    running_app: Application,  # type: ignore[type-arg]
) -> None:
    for n in range(3):
        botapi.send_user_message(USER + n, f"/ping {n}")
    for n in range(3):
        await botapi.wait_for_messages(USER + n, 1)
    assert running_app.updater is not None
    await running_app.updater.stop()

    assert botapi.pending_updates == 0


def test_command_entity_has_utf16_offsets(botapi: BotApiStandIn) -> None:
    update = botapi.send_user_message(USER, "😀 /digest@newsbrief_test_bot ai")

    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 3, "length": 26}]
    assert update["message"]["chat"] == {"id": USER, "type": "private", "first_name": "User4242"}


async def test_bad_html_is_refused_like_telegram(botapi: BotApiStandIn) -> None:
    async with build_app(botapi).bot as bot:
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities: unsupported start tag"):
            await bot.send_message(USER, "<script>x</script>", parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match=r"(?i)can't find end tag"):
            await bot.send_message(USER, "<b>open", parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(USER, "x" * 4097)
        with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
            await bot.send_message(USER, "<b> </b>", parse_mode=ParseMode.HTML)

        sent = await bot.send_message(
            USER,
            "<b>ok</b> &amp; fine",
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )

    assert sent.text == "ok & fine"
    [accepted] = botapi.messages
    assert accepted.link_preview_disabled
    assert [c.status for c in botapi.calls if c.method == "sendMessage"] == [
        400,
        400,
        400,
        400,
        200,
    ]
    assert [c.description for c in botapi.errors(400)] == [
        'Bad Request: can\'t parse entities: Unsupported start tag "script" at byte offset 0',
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"",
        "Bad Request: message is too long",
        "Bad Request: message text is empty",
    ]


async def test_injected_429_raises_retry_after(botapi: BotApiStandIn) -> None:
    botapi.inject_retry_after(3)
    async with build_app(botapi).bot as bot:
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(USER, "hi")
        await bot.send_message(USER, "hi")

    assert caught.value.retry_after == dtm.timedelta(seconds=3)
    assert len(botapi.messages_for(USER)) == 1


async def test_flood_limit_per_chat_answers_429(botapi: BotApiStandIn) -> None:
    botapi.set_limits(RateLimits(per_chat=Window(2, 60.0)))
    async with build_app(botapi).bot as bot:
        await bot.send_message(USER, "one")
        await bot.send_message(USER, "two")
        with pytest.raises(RetryAfter):
            await bot.send_message(USER, "three")
        await bot.send_message(USER + 1, "other chat is fine")

    [refused] = botapi.errors(429)
    assert refused.description is not None
    assert refused.description.startswith("Too Many Requests: retry after ")


async def test_group_limit_is_per_minute(botapi: BotApiStandIn) -> None:
    botapi.set_limits(RateLimits(per_chat=None, per_group=Window(20, 60.0)))
    async with build_app(botapi).bot as bot:
        for n in range(20):
            await bot.send_message(-77, f"m{n}")
        with pytest.raises(RetryAfter):
            await bot.send_message(-77, "one too many")


async def test_blocked_and_deactivated_users_raise_forbidden(botapi: BotApiStandIn) -> None:
    botapi.block_chat(1)
    botapi.deactivate_chat(2)
    async with build_app(botapi).bot as bot:
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(1, "hi")
        with pytest.raises(Forbidden, match="user is deactivated"):
            await bot.send_message(2, "hi")


async def test_migrated_group_raises_chat_migrated(botapi: BotApiStandIn) -> None:
    botapi.migrate_chat(-5, -1001234567890)
    async with build_app(botapi).bot as bot:
        with pytest.raises(ChatMigrated) as caught:
            await bot.send_message(-5, "hi")
        await bot.send_message(caught.value.new_chat_id, "hi")

    assert [m.chat_id for m in botapi.messages] == [-1001234567890]


@pytest.mark.parametrize(
    ("commands", "error"),
    [
        ([BotCommand("Digest", "Upper case")], "BOT_COMMAND_INVALID"),
        ([BotCommand("a" * 33, "Too long")], "BOT_COMMAND_INVALID"),
        ([BotCommand("new-topic", "Dash")], "BOT_COMMAND_INVALID"),
        ([BotCommand("digest", "")], "BOT_COMMAND_DESCRIPTION_INVALID"),
        ([BotCommand("digest", "d" * 257)], "BOT_COMMAND_DESCRIPTION_INVALID"),
        ([BotCommand(f"c{n}", "x") for n in range(101)], "BOT_COMMANDS_TOO_MUCH"),
    ],
)
async def test_set_my_commands_is_validated(
    botapi: BotApiStandIn, commands: list[BotCommand], error: str
) -> None:
    async with build_app(botapi).bot as bot:
        with pytest.raises(BadRequest, match=rf"(?i){error}"):
            await bot.set_my_commands(commands)
    assert botapi.errors(400)[0].description == f"Bad Request: {error}"


async def test_set_and_get_my_commands(botapi: BotApiStandIn) -> None:
    commands = [BotCommand("digest", "Latest stories"), BotCommand("a" * 32, "x" * 256)]
    async with build_app(botapi).bot as bot:
        assert await bot.set_my_commands(commands)
        assert await bot.set_my_commands([BotCommand("hilfe", "Hilfe")], language_code="de")
        assert await bot.get_my_commands() == tuple(commands)
        assert await bot.get_my_commands(language_code="de") == (BotCommand("hilfe", "Hilfe"),)


async def test_webhook_blocks_get_updates(botapi: BotApiStandIn) -> None:
    async with build_app(botapi).bot as bot:
        with pytest.raises(BadRequest, match=r"(?i)https url"):
            await bot.set_webhook("http://example.invalid/hook")
        assert await bot.set_webhook("https://example.invalid/hook")
        assert (await bot.get_webhook_info()).url == "https://example.invalid/hook"
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        assert await bot.delete_webhook()
        assert await bot.get_updates() == ()


async def test_get_updates_limit_offset_and_allowed_updates(botapi: BotApiStandIn) -> None:
    for n in range(3):
        botapi.send_user_message(USER, f"m{n}")
    async with build_app(botapi).bot as bot:
        first = await bot.get_updates(limit=2)
        assert [u.message.text for u in first if u.message] == ["m0", "m1"]
        rest = await bot.get_updates(offset=first[-1].update_id + 1)
        assert [u.message.text for u in rest if u.message] == ["m2"]
        assert await bot.get_updates(offset=rest[-1].update_id + 1) == ()

        botapi.send_user_message(USER, "ignored")
        assert await bot.get_updates(allowed_updates=["callback_query"]) == ()


async def test_long_poll_returns_when_an_update_arrives(botapi: BotApiStandIn) -> None:
    async with build_app(botapi).bot as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=dtm.timedelta(seconds=120)))
        await botapi.wait_for_polls(1)
        await asyncio.sleep(0.05)
        assert not poll.done()
        botapi.send_user_message(USER, "wake up")
        updates = await asyncio.wait_for(poll, timeout=60)  # well before the poll's own end
    assert [u.message.text for u in updates if u.message] == ["wake up"]


async def test_second_poller_terminates_the_first(botapi: BotApiStandIn) -> None:
    async with build_app(botapi).bot as bot, build_app(botapi).bot as other:
        first = asyncio.create_task(bot.get_updates(timeout=dtm.timedelta(seconds=5)))
        await botapi.wait_for_polls(1)
        await other.get_updates(timeout=dtm.timedelta(seconds=0))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await first


def test_raw_http_shapes(botapi: BotApiStandIn) -> None:
    def call(url: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
        request = urllib.request.Request(
            url, json.dumps(body).encode(), {"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, json.loads(exc.read())

    base = f"{botapi.base_url}{botapi.token}"
    assert call(f"{base}/getMe", {})[1]["ok"] is True
    assert call(f"{botapi.base_url}1:wrong/getMe", {}) == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert call(f"{base}/noSuchMethod", {})[0] == 404
    botapi.inject_retry_after(7)
    assert call(f"{base}/sendMessage", {"chat_id": 1, "text": "x"}) == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 7",
            "parameters": {"retry_after": 7},
        },
    )
    status, body = call(f"{base}/sendMessage", {"chat_id": "1", "text": "x"})
    assert (status, body["ok"]) == (200, True)


async def test_an_edit_that_changes_nothing_is_refused(
    botapi: BotApiStandIn,
    running_app: Application,  # type: ignore[type-arg]
) -> None:
    botapi.send_user_message(USER, "/ping")
    [reply] = await botapi.wait_for_messages(USER, 1)
    same = InlineKeyboardMarkup([[InlineKeyboardButton("again", callback_data="again")]])
    other = InlineKeyboardMarkup([[InlineKeyboardButton("other", callback_data="other")]])
    bot = running_app.bot
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(USER, reply.message_id, reply_markup=same)
    await bot.edit_message_reply_markup(USER, reply.message_id, reply_markup=other)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "<b>pong</b> ", USER, reply.message_id, reply_markup=other, parse_mode=ParseMode.HTML
        )
    assert [e.method for e in botapi.edits] == ["editMessageReplyMarkup"]


async def test_get_chat_member_knows_group_administrators(botapi: BotApiStandIn) -> None:
    group = -1001234567890
    botapi.set_administrators(group, [7], creator=8)
    botapi.set_member(group, 9, "left")
    async with build_app(botapi).bot as bot:
        statuses = [(await bot.get_chat_member(group, user)).status for user in (7, 8, 9, 10)]
        assert statuses == ["administrator", "creator", "left", "member"]
        assert (await bot.get_chat_member(USER, USER)).status == "member"
        with pytest.raises(BadRequest, match=r"(?i)user not found"):
            await bot.get_chat_member(USER, USER + 1)
    with pytest.raises(ValueError, match="unknown member status"):
        botapi.set_member(group, 7, "king")


def _article(result_id: str, text: str) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        result_id, "Title", InputTextMessageContent(text, parse_mode=ParseMode.HTML)
    )


async def test_inline_queries_reach_the_bot_and_answers_are_checked(
    botapi: BotApiStandIn,
) -> None:
    seen: list[str] = []

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.inline_query is not None
        seen.append(update.inline_query.query)
        await update.inline_query.answer([_article("1", "<b>one</b>")], cache_time=5)

    app = build_app(botapi)
    app.add_handler(InlineQueryHandler(answer))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=dtm.timedelta(seconds=2))
        query_id = botapi.send_inline_query(USER, "syria")
        answered = await botapi.wait_for_inline_answer(query_id)
        await app.updater.stop()
        await app.stop()
        bot = app.bot
        assert seen == ["syria"] and answered["results"][0]["id"] == "1"
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await bot.answer_inline_query(query_id, [_article("1", "x")])
        refused = {
            "(?i)RESULT_ID_DUPLICATE": [_article("1", "a"), _article("1", "b")],
            "(?i)RESULTS_TOO_MUCH": [_article(str(n), "a") for n in range(51)],
            "(?i)can.t parse entities": [_article("1", "<b>open")],
            "(?i)message is too long": [_article("1", "x" * 4097)],
        }
        for error, results in refused.items():
            query_id = botapi.send_inline_query(USER, "x")
            with pytest.raises(BadRequest, match=error):
                await bot.answer_inline_query(query_id, results)


async def test_offline_hangs_up_without_an_answer_until_online_again(
    botapi: BotApiStandIn,
) -> None:
    async with build_app(botapi).bot as bot:
        botapi.go_offline()
        with pytest.raises(NetworkError):
            await bot.get_me()
        botapi.go_online()
        assert (await bot.get_me()).username == "newsbrief_test_bot"


async def test_the_webhook_registration_is_kept_as_telegram_keeps_it(
    botapi: BotApiStandIn,
) -> None:
    async with build_app(botapi).bot as bot:
        await bot.set_webhook("https://bot.example/one", secret_token="first")
        await bot.set_webhook("https://bot.example/two", secret_token="second")
    assert botapi.webhook["url"] == "https://bot.example/two"
    assert botapi.webhook["secret_token"] == "second"
