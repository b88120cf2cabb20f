"""Digests rendered as Telegram HTML and packed into as few messages as fit.

Which digests a chat gets (its topics and words, each story under one topic) is the core's
business: `newsbrief.bot.delivery.interests`.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable, Sequence
from dataclasses import replace

from newsbrief.bot.delivery.rendered import Rendered
from newsbrief.bot.model import Digest
from newsbrief.bot.text.markup import ANY_MARKUP
from newsbrief.handlers.render import MAX_MESSAGE_LENGTH, render_digest, utf16_len

log = logging.getLogger(__name__)

PACK_SEPARATOR = "\n\n"


def render_safely(digest: Digest) -> tuple[list[str], Digest]:
    """Render a digest; a story that fails to render is logged and left out of both results."""
    try:
        return render_digest(digest), digest
    except Exception:
        kept = []
        for story in digest.stories:
            try:
                render_digest(replace(digest, stories=(story,)))
            except Exception:
                log.exception("Skipping story %s: it does not render", story.story_id)
            else:
                kept.append(story)
        rendered = replace(digest, stories=tuple(kept))
        return render_digest(rendered), rendered


def visible_length(message: str) -> int:
    """Count the visible UTF-16 units of a rendered HTML message."""
    return utf16_len(html.unescape(ANY_MARKUP.sub("", message)))


def pack(messages: Sequence[str], max_len: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Join whole rendered messages into as few as fit; each stays valid HTML on its own."""
    packed: list[str] = []
    length = 0
    gap = utf16_len(PACK_SEPARATOR)
    for message in messages:
        size = visible_length(message)
        if packed and length + gap + size <= max_len:
            packed[-1] += PACK_SEPARATOR + message
            length += gap + size
        else:
            packed.append(message)
            length = size
    return packed


def render_digests(digests: Iterable[Digest], *, skip_empty: bool, header: str = "") -> Rendered:
    """Render digests in order (leaving out those without stories if asked) and pack them."""
    messages = [header] if header else []
    story_ids: set[int] = set()
    for digest in digests:
        if skip_empty and not digest.stories:
            continue
        rendered, shown = render_safely(digest)
        messages.extend(rendered)
        story_ids.update(story.story_id for story in shown.stories)
    return Rendered(pack(messages), frozenset(story_ids))
