"""Reads only read: digests and listing commands answer while an ingest holds the write lock."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text

from e2e.helpers import ADMIN, Chat
from newsbrief.handlers.runtime import Runtime


@contextmanager
def write_lock_held(runtime: Runtime) -> Iterator[None]:
    """Hold a write transaction open on another connection, as a long ingest does."""
    taken, done = threading.Event(), threading.Event()
    failed: list[BaseException] = []

    def hold() -> None:
        try:
            with runtime.services.database.transaction() as session:
                session.execute(text("UPDATE stories SET title = title"))  # SQLite: the lock
                taken.set()
                done.wait(120)
        except BaseException as error:  # reported below, in the test's thread
            failed.append(error)
            taken.set()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert taken.wait(60) and not failed, failed
        yield
    finally:
        done.set()
        holder.join(60)
    assert not failed, failed


@pytest.mark.parametrize("command", ["/syria", "/digest", "/topics"])
async def test_a_reading_command_answers_while_an_ingest_holds_the_write_lock(
    runtime: Runtime, chat: Chat, command: str
) -> None:
    """Were it to take the lock, it would wait SQLite's 30 s busy timeout and fail."""
    await chat.say("/subscribe syria")
    with write_lock_held(runtime):
        [answer] = await chat.say(command)
    assert "went wrong" not in answer.visible_text.lower()
    assert answer.visible_text


async def test_admin_listings_answer_while_an_ingest_holds_the_write_lock(
    runtime: Runtime, unlimited: object
) -> None:
    admin = Chat(unlimited, ADMIN)  # type: ignore[arg-type]
    await admin.say("/start")
    with write_lock_held(runtime):
        [feeds] = await admin.say("/feeds")
        [stats] = await admin.say("/stats")
    assert feeds.visible_text and stats.visible_text
