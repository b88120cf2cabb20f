"""Inline queries read: the latest, a person's quotes, a configured topic, or free words."""

from __future__ import annotations

import pytest

from newsbrief.bot.delivery.inline import InlineKind, read_inline_query
from newsbrief.bot.stories.topics import Topic, TopicCatalog

CATALOG = TopicCatalog(
    [Topic("syria", "Syria", ("syria",)), Topic("middleeast", "Middle East", ("gaza",))]
)


@pytest.mark.parametrize(
    ("query", "kind", "text", "topic"),
    [
        ("", InlineKind.LATEST, "", None),
        ("   ", InlineKind.LATEST, "", None),
        ("syria", InlineKind.STORIES, "syria", "syria"),
        ("/Syria", InlineKind.STORIES, "/Syria", "syria"),
        ("middle  east", InlineKind.STORIES, "middle east", "middleeast"),
        ("oil prices, opec", InlineKind.STORIES, "oil prices, opec", ""),
        ("quotes Putin", InlineKind.QUOTES, "Putin", None),
        ("Who said  Vladimir Putin", InlineKind.QUOTES, "Vladimir Putin", None),
        ("quotes ", InlineKind.STORIES, "quotes", ""),
        (",,,", InlineKind.LATEST, "", None),
    ],
)
def test_inline_queries_are_read(
    query: str, kind: InlineKind, text: str, topic: str | None
) -> None:
    request = read_inline_query(CATALOG, query)
    assert request.kind is kind
    if kind is not InlineKind.LATEST:
        assert request.text == text
    assert (request.topic.command if request.topic else None) == topic
    if topic == "":
        assert request.topic is not None and not request.topic.configured
