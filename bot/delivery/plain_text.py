"""Digests as plain text for a terminal and as the JSON the CLI promises to scripts."""

from __future__ import annotations

import textwrap
from typing import Any

from newsbrief.bot.model import Digest, DigestStory

NOTHING_NEW = "Nothing new for {topic} right now."
WIDTH = 88
UNNAMED_SOURCE = "unnamed source"


def digest_as_json(digest: Digest) -> dict[str, Any]:
    """Give the stable JSON form of a digest (see the README's CLI contract)."""
    return {
        "topic": digest.topic,
        "generated_at": digest.generated_at.isoformat(),
        "stories": [
            {
                "title": s.title,
                "published": s.published.isoformat() if s.published else None,
                "sources": [x.to_json() for x in s.sources],
                "brief": list(s.brief),
                "quotes": [
                    {"text": q.text, "speaker": q.speaker, "sources": list(q.sources)}
                    for q in s.quotes
                ],
            }
            for s in digest.stories
        ],
    }


def digest_as_text(digest: Digest) -> str:
    """Lay a digest out for reading in a terminal."""
    stamp = digest.generated_at.strftime("%Y-%m-%d %H:%M %Z")
    lines = [f"{digest.title} — latest stories ({stamp})", ""]
    if not digest.stories:
        return "\n".join([*lines, NOTHING_NEW.format(topic=digest.title)])
    for number, story in enumerate(digest.stories, 1):
        lines.extend(story_as_text(story, number))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def story_as_text(story: DigestStory, number: int) -> list[str]:
    """Lay one story out: title, date and sources count, brief, quotes, sources."""
    when = story.published.strftime("%Y-%m-%d") if story.published else "undated"
    count = len(story.sources)
    lines = [f"{number}. {story.title}", f"   {when} · {count} source{'s' if count != 1 else ''}"]
    for sentence in story.brief:
        lines.extend(
            textwrap.wrap(sentence, WIDTH, initial_indent="   • ", subsequent_indent="     ")
        )
    for quote in story.quotes:
        said = f" — {quote.speaker}" if quote.speaker else ""
        outlets = ", ".join(quote.sources)
        where = (f" ({outlets})" if quote.speaker else f" (quoted in {outlets})") if outlets else ""
        lines.extend(
            textwrap.wrap(
                f"“{quote.text}”{said}{where}",
                WIDTH,
                initial_indent="   > ",
                subsequent_indent="     ",
            )
        )
    for source in story.sources:
        name = source.name or UNNAMED_SOURCE
        lines.append(f"   - {name}: {source.url or source.path or ''}".rstrip(": "))
    return lines
