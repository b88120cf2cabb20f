"""Groups: only the group's administrators change its daily brief; others are told so."""

from __future__ import annotations

from botapi import BotApiStandIn

from e2e.helpers import USER, Chat
from newsbrief.bot.store import subscriptions as subs
from newsbrief.handlers import texts
from newsbrief.handlers.runtime import Runtime

GROUP = -1001234567890
ADMIN_MEMBER = 501
MEMBER = 502


def group_topics(runtime: Runtime) -> tuple[str, ...] | None:
    """The group's stored topics, or None when nothing is stored about it."""
    with runtime.services.database.transaction() as session:
        subscriber = subs.find(session, GROUP)
        if subscriber is None:
            return None
        return subs.interests(session, [subscriber.id])[subscriber.id].topics


async def test_only_administrators_change_a_groups_brief(
    app: object, unlimited: BotApiStandIn, runtime: Runtime
) -> None:
    unlimited.set_administrators(GROUP, [ADMIN_MEMBER], creator=USER)
    admin, member = Chat(unlimited, ADMIN_MEMBER, GROUP), Chat(unlimited, MEMBER, GROUP)
    assert "Syria is now in your daily brief" in await admin.ask("/subscribe syria")
    for command in ("/unsubscribe syria", "/stop", "/follow bmw", "/settime 7pm", "/pause"):
        assert await member.ask(command) == texts.GROUP_ADMINS_ONLY
    assert await member.ask("/start kursk") == texts.GROUP_ADMINS_ONLY
    assert group_topics(runtime) == ("syria",)
    assert "Topics: Syria" in await member.ask("/mytopics")  # reading is for everyone
    asked = [c.params for c in unlimited.calls if c.method == "getChatMember"]
    assert {int(p["user_id"]) for p in asked} == {ADMIN_MEMBER, MEMBER}
    assert "Kursk is now" in await Chat(unlimited, USER, GROUP).ask("/subscribe kursk")


async def test_a_member_pressing_a_groups_buttons_is_refused(
    app: object, unlimited: BotApiStandIn, runtime: Runtime
) -> None:
    unlimited.set_administrators(GROUP, [ADMIN_MEMBER])
    admin = Chat(unlimited, ADMIN_MEMBER, GROUP)
    [topics] = await admin.say("/topics")
    query = unlimited.press_button(MEMBER, topics, "s:syria")
    assert (await unlimited.wait_for_callback_answer(query))["text"] == texts.GROUP_ADMINS_ONLY
    assert group_topics(runtime) in (None, ())
    query = unlimited.press_button(ADMIN_MEMBER, topics, "s:syria")
    assert (await unlimited.wait_for_callback_answer(query))["text"].startswith("Syria added")
    [ask] = await admin.say("/stop")
    query = unlimited.press_button(MEMBER, ask, "f:yes")
    assert (await unlimited.wait_for_callback_answer(query))["text"] == texts.GROUP_ADMINS_ONLY
    assert group_topics(runtime) == ("syria",)


async def test_private_chats_never_ask_telegram_who_is_an_administrator(
    chat: Chat, unlimited: BotApiStandIn
) -> None:
    await chat.say("/subscribe syria")
    await chat.say("/stop")
    assert not [c for c in unlimited.calls if c.method == "getChatMember"]
