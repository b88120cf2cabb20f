"""Inline mode: `@bot syria` (or free words, or `quotes NAME`) in any chat offers the latest
stories, or a person's latest quotes, as briefs ready to share; from stored results only.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, InlineQueryHandler

from newsbrief.bot.delivery.digest import build_digest, latest_digest
from newsbrief.bot.delivery.inline import InlineKind, read_inline_query
from newsbrief.bot.model import Digest, DigestStory
from newsbrief.bot.stories.sayings import Sayings, latest_sayings
from newsbrief.handlers import texts
from newsbrief.handlers.quotes import render_said_quote, said_quote_title
from newsbrief.handlers.render import age_text, clean_text, render_digest
from newsbrief.handlers.runtime import Context, runtime_of

MAX_RESULTS = 10
CACHE_SECONDS = 60
MAX_TITLE_CHARS = 128
MAX_DESCRIPTION_CHARS = 200
START_PARAMETER = "inline"


def _shown(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def summary_line(story: DigestStory, now: datetime) -> str:
    """A story in one plain line for the result list: its age, then its brief's first words."""
    brief = " ".join(clean_text(s).strip() for s in story.brief[:1])
    if story.published is None:
        return brief
    return texts.INLINE_SUMMARY.format(age=age_text(story.published, now), brief=brief)


def shared_story(story: DigestStory, now: datetime) -> str:
    """A story as one message to share: title, date, brief, a quote, sources (within 4096)."""
    return render_digest(Digest("", "", now, (story,)))[0]


def story_results(digest: Digest) -> list[InlineQueryResultArticle]:
    """One shareable brief per story: title, date, brief, a quote, sources."""
    return [
        InlineQueryResultArticle(
            id=f"s{story.story_id}",
            title=_shown(story.title, MAX_TITLE_CHARS) or texts.UNTITLED,
            description=_shown(summary_line(story, digest.generated_at), MAX_DESCRIPTION_CHARS),
            input_message_content=InputTextMessageContent(
                shared_story(story, digest.generated_at),
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            ),
        )
        for story in digest.stories
    ]


def quote_results(sayings: Sayings, now: datetime) -> list[InlineQueryResultArticle]:
    """One shareable quote per result: what was said, by whom, in which story and outlet."""
    results = []
    for number, said in enumerate(sayings.quotes):
        results.append(
            InlineQueryResultArticle(
                id=f"q{said.story_id}-{number}",
                title=_shown(said_quote_title(said), MAX_TITLE_CHARS),
                description=_shown(f"{said.speaker} · {said.story_title}", MAX_DESCRIPTION_CHARS),
                input_message_content=InputTextMessageContent(
                    render_said_quote(said, now),
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                ),
            )
        )
    return results


async def inline_query(update: Update, context: Context) -> None:
    """Answer an inline query with the latest stories or quotes it asks for."""
    query = update.inline_query
    if query is None:
        return
    runtime = runtime_of(context)
    request = read_inline_query(runtime.services.topics, query.query)
    now = runtime.clock()
    options = runtime.services.digest_options
    if request.kind is InlineKind.QUOTES:
        name = request.text
        sayings = await runtime.read(lambda s: latest_sayings(s, name, limit=MAX_RESULTS))
        results = quote_results(sayings, now) if sayings else []
        empty = texts.INLINE_NO_QUOTES.format(name=_shown(name, 40))
    else:
        topic = request.topic
        stories = replace(options, stories=MAX_RESULTS, quotes=1)
        if topic is None:
            digest = await runtime.read(lambda s: latest_digest(s, now=now, options=stories))
        else:
            digest = await runtime.read(lambda s: build_digest(s, topic, now=now, options=stories))
        results = story_results(digest)
        empty = texts.INLINE_NO_STORIES.format(words=_shown(request.text, 40))
    button = None
    if not results:
        button = InlineQueryResultsButton(text=empty, start_parameter=START_PARAMETER)
    await query.answer(results, cache_time=CACHE_SECONDS, button=button)


def handlers() -> list[BaseHandler[Update, Context, None]]:
    """The inline query handler."""
    return [InlineQueryHandler(inline_query)]
