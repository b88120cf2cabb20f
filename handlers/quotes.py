"""Who said what: `/quotes NAME` lists a person's latest key quotes with story and outlet."""

from __future__ import annotations

import html
from datetime import datetime

from telegram import Update

from newsbrief.bot.stories.sayings import SaidQuote, Sayings, latest_sayings
from newsbrief.handlers import texts
from newsbrief.handlers.chat_digests import visible_length
from newsbrief.handlers.registry import Command
from newsbrief.handlers.render import MAX_MESSAGE_LENGTH, age_text, clean_text, link_url
from newsbrief.handlers.replies import argument, esc, reply
from newsbrief.handlers.runtime import Context, runtime_of

MAX_QUOTES = 8
TITLE_QUOTE_CHARS = 100


def said_quote_title(said: SaidQuote) -> str:
    """A quote as a one-line title (plain text): its opening words in quotation marks."""
    text = " ".join(clean_text(said.text).split())
    if len(text) > TITLE_QUOTE_CHARS:
        text = text[: TITLE_QUOTE_CHARS - 1].rstrip() + "…"
    return texts.QUOTE.format(text=text)


def _where(said: SaidQuote, now: datetime) -> str:
    """Where and when a quote was reported, as HTML: the story (linked), outlets, age."""
    title = esc(clean_text(said.story_title).strip() or texts.UNTITLED)
    url = link_url(said.url)
    story = f'<a href="{html.escape(url, quote=True)}">{title}</a>' if url else title
    outlets = ", ".join(esc(clean_text(o)) for o in said.outlets if clean_text(o).strip())
    return texts.SAID_WHERE.format(
        story=story,
        outlets=texts.SAID_OUTLETS.format(outlets=outlets) if outlets else "",
        age=esc(age_text(said.published, now)),
    )


def render_said_quote(said: SaidQuote, now: datetime) -> str:
    """One quote to share: who said it, what, in which story and outlet, and when."""
    return texts.SAID_ONE.format(
        speaker=esc(clean_text(said.speaker)),
        quote=esc(texts.QUOTE.format(text=clean_text(said.text).strip())),
        where=_where(said, now),
    )


def render_sayings(sayings: Sayings, now: datetime) -> str:
    """A person's latest quotes in one message, newest first, as many as fit."""
    message = texts.SAID_HEADER.format(name=esc(clean_text(sayings.name)))
    for said in sayings.quotes[:MAX_QUOTES]:
        item = texts.SAID_ITEM.format(
            quote=esc(texts.QUOTE.format(text=clean_text(said.text).strip())),
            where=_where(said, now),
        )
        if visible_length(message + item) > MAX_MESSAGE_LENGTH:
            break
        message += item
    return message


async def quotes_command(update: Update, context: Context) -> None:
    """List the latest key quotes of the person named."""
    runtime = runtime_of(context)
    name = await argument(update, context)
    if name is None:
        return
    if not name.strip():
        await reply(update, texts.QUOTES_USAGE)
        return
    sayings = await runtime.read(lambda s: latest_sayings(s, name, limit=MAX_QUOTES))
    if sayings is None:
        await reply(update, texts.NO_QUOTES.format(name=esc(name[:64])))
        return
    await reply(update, render_sayings(sayings, runtime.clock()))


COMMANDS = (Command("quotes", quotes_command, texts.COMMAND_DESCRIPTIONS["quotes"]),)
