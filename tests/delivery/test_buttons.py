"""Button data: each button says what it does, and only well-formed data is read."""

from __future__ import annotations

import pytest

from newsbrief.bot.delivery.buttons import (
    CALLBACK_MAX_BYTES,
    ForgetButton,
    PageButton,
    PagedKind,
    TopicButton,
    legacy_toggle_topic,
)


@pytest.mark.parametrize(
    "button",
    [
        TopicButton("syria", subscribe=True),
        TopicButton("syria", subscribe=False),
        TopicButton("x" * 32, subscribe=True),
        PageButton(PagedKind.TOPIC, 3, "syria"),
        PageButton(PagedKind.TOPIC, 999, "x" * 32),
        PageButton(PagedKind.MINE, 1),
        ForgetButton(confirm=True),
        ForgetButton(confirm=False),
    ],
)
def test_buttons_round_trip_within_telegrams_limit(
    button: TopicButton | PageButton | ForgetButton,
) -> None:
    data = button.data()
    assert len(data.encode()) <= CALLBACK_MAX_BYTES
    assert type(button).parse(data) == button


@pytest.mark.parametrize(
    "forged",
    [None, "", "s:", "s:Syria", "s:syria;drop", "x:syria", "s:" + "x" * 33, "s:é", "t:syria"],
)
def test_forged_topic_buttons_are_refused(forged: str | None) -> None:
    assert TopicButton.parse(forged) is None


@pytest.mark.parametrize(
    "forged", [None, "p:t:syria", "p:t:syria:-1", "p:t:syria:1000", "p:d:x", "p:x:1", "f:maybe"]
)
def test_forged_page_and_forget_buttons_are_refused(forged: str | None) -> None:
    assert PageButton.parse(forged) is None
    assert ForgetButton.parse(forged) is None


def test_old_blind_toggles_are_recognised_but_not_taken_as_topic_buttons() -> None:
    assert legacy_toggle_topic("t:syria") == "syria"
    assert legacy_toggle_topic("s:syria") is None
    assert TopicButton.parse("t:syria") is None


def test_what_cannot_go_in_a_button_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot go in a button"):
        TopicButton("Not A Command", subscribe=True).data()
    with pytest.raises(ValueError, match="out of range"):
        PageButton(PagedKind.MINE, 1000).data()
