"""Digest rendering: escaped, valid Telegram HTML, split within Telegram's length limit.

Every rendered message is checked with the Bot API stand-in's parser, which refuses what
Telegram refuses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from botapi import BotApiStandIn, ParsedText, RateLimits, check_message_text, utf16_len
from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode

from newsbrief.bot.model import Digest, DigestQuote, DigestStory, Source
from newsbrief.handlers.render import NOTHING_NEW, render_digest, render_story

NOW = datetime(2025, 11, 21, 8, 0, tzinfo=UTC)


def story(
    title: str = "Title",
    brief: tuple[str, ...] = ("A brief.",),
    quotes: tuple[DigestQuote, ...] = (),
    sources: tuple[Source, ...] = (),
    story_id: int = 1,
    published: datetime | None = NOW,
) -> DigestStory:
    """Build a story with defaults for what a case does not care about."""
    return DigestStory(story_id, title, published, brief, quotes, sources)


def digest(*stories: DigestStory, title: str = "AI news") -> Digest:
    """Build a digest of `stories`."""
    return Digest("ai", title, NOW, tuple(stories))


def bare(*stories: DigestStory) -> Digest:
    """Build a digest without a title line."""
    return Digest("", "", NOW, tuple(stories))


def accepted(message: str, max_len: int = 4096) -> ParsedText:
    """Parse `message` as Telegram would and check its visible length."""
    parsed = check_message_text(message, "HTML", max_length=max_len)
    assert utf16_len(parsed.text) <= max_len
    return parsed


@dataclass(frozen=True)
class Case:
    """A story, the exact HTML it renders to, and the visible text Telegram shows."""

    name: str
    story: DigestStory
    html: str
    visible: str
    links: list[str] = field(default_factory=list)


CASES = [
    Case(
        "plain story",
        story(
            "Rates held",
            ("The bank held rates.", "Markets rose."),
            (DigestQuote("We will wait.", "Jane Roe", ("Reuters", "AP")),),
            (Source("Reuters", url="https://reuters.test/a"), Source("notes.txt", path="/x/n.txt")),
        ),
        '<b><a href="https://reuters.test/a">Rates held</a></b>\n'
        '<a href="https://reuters.test/a">Reuters</a>, notes.txt\nThe bank held rates.\n'
        "<blockquote expandable>Markets rose.\n“We will wait.” <i>— Jane Roe (Reuters, AP)</i>"
        "</blockquote>",
        "Rates held\nReuters, notes.txt\nThe bank held rates.\nMarkets rose.\n"
        "“We will wait.” — Jane Roe (Reuters, AP)",
        ["https://reuters.test/a", "https://reuters.test/a"],
    ),
    Case(
        "script in title, ampersands in brief",
        story("<script>alert(1)</script>", ("AT&T & Q&A <3 >_<",)),
        "<b>&lt;script&gt;alert(1)&lt;/script&gt;</b>\nAT&amp;T &amp; Q&amp;A &lt;3 &gt;_&lt;",
        "<script>alert(1)</script>\nAT&T & Q&A <3 >_<",
    ),
    Case(
        "tags inside a quote and a speaker",
        story(quotes=(DigestQuote("<b>bold</b> &amp; </blockquote>", "<i>Eve</i>", ("A&B",)),)),
        "<b>Title</b>\nA brief.\n<blockquote expandable>“&lt;b&gt;bold&lt;/b&gt; &amp;amp; "
        "&lt;/blockquote&gt;” <i>— &lt;i&gt;Eve&lt;/i&gt; (A&amp;B)</i></blockquote>",
        "Title\nA brief.\n“<b>bold</b> &amp; </blockquote>” — <i>Eve</i> (A&B)",
    ),
    Case(
        "url with quote and ampersand",
        story(sources=(Source('Q"&A', url="https://x.test/a?b=1&c=\"2\"&d='3'"),)),
        '<b><a href="https://x.test/a?b=1&amp;c=&quot;2&quot;&amp;d=&#x27;3&#x27;">Title</a></b>'
        '\n<a href="https://x.test/a?b=1&amp;c=&quot;2&quot;&amp;d=&#x27;3&#x27;">Q"&amp;A</a>'
        "\nA brief.",
        'Title\nQ"&A\nA brief.',
        ["https://x.test/a?b=1&c=\"2\"&d='3'"] * 2,
    ),
    Case(
        "only http and https become links; the headline takes the first",
        story(
            sources=(
                Source("js", url="javascript:alert(1)"),
                Source("ftp", url="ftp://files.test/x"),
                Source("rel", url="/relative"),
                Source("ok", url="http://ok.test"),
            )
        ),
        '<b><a href="http://ok.test">Title</a></b>\njs, ftp, rel, <a href="http://ok.test">ok</a>'
        "\nA brief.",
        "Title\njs, ftp, rel, ok\nA brief.",
        ["http://ok.test", "http://ok.test"],
    ),
    Case(
        # the outlet is not put where the speaker goes, and a file name is not an outlet
        "quote without speaker, nameless file source",
        story(
            quotes=(DigestQuote("Unattributed.", None, ("BBC",)), DigestQuote("Bare.", None)),
            sources=(Source(None, path="/data/article_7.txt"),),
        ),
        "<b>Title</b>\nunnamed source\nA brief.\n"
        "<blockquote expandable>“Unattributed.” <i>— quoted in BBC</i>\n“Bare.”</blockquote>",
        "Title\nunnamed source\nA brief.\n“Unattributed.” — quoted in BBC\n“Bare.”",
    ),
    Case(
        "a nameless source with a link is named by its domain, as in the terminal",
        story(sources=(Source(None, url="https://edition.cnn.com/x"),)),
        '<b><a href="https://edition.cnn.com/x">Title</a></b>\n'
        '<a href="https://edition.cnn.com/x">cnn.com</a>\nA brief.',
        "Title\ncnn.com\nA brief.",
        ["https://edition.cnn.com/x", "https://edition.cnn.com/x"],
    ),
    Case(
        "control characters are dropped",
        story("Bell\x07 and NUL\x00", ("tab\tstays",)),
        "<b>Bell and NUL</b>\ntab\tstays",
        "Bell and NUL\ntab\tstays",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_render_story(case: Case) -> None:
    rendered = render_story(case.story)

    assert rendered == case.html
    parsed = accepted(rendered)
    assert parsed.text == case.visible
    assert [e["url"] for e in parsed.entities if e["type"] == "text_link"] == case.links


def test_digest_starts_with_its_title() -> None:
    [message] = render_digest(digest(story()))

    assert message == "<b>AI news</b>\n\n" + render_story(story(), NOW)


def test_empty_digest_says_nothing_new() -> None:
    messages = render_digest(digest(title="Tech & <Science>"))

    assert messages == [NOTHING_NEW.format(topic="Tech &amp; &lt;Science&gt;")]
    assert accepted(messages[0]).text == NOTHING_NEW.format(topic="Tech & <Science>")
    assert accepted(messages[0]).entities == ()


def thirty_stories() -> Digest:
    """A digest whose stories cannot fit one message."""
    return digest(
        *(
            story(
                f"Story {n} & <friends>",
                tuple(
                    f"Sentence {k} of story {n}, with some words to fill space." for k in range(6)
                ),
                (DigestQuote(f"Quote {n} <says> \"hi\" & 'bye'", f"Speaker {n}", ("AP", "BBC")),),
                (Source("AP", url=f"https://ap.test/{n}?x=1&y=2"), Source("f.txt", path="f.txt")),
                story_id=n,
            )
            for n in range(30)
        )
    )


def test_thirty_stories_split_at_story_boundaries() -> None:
    full = thirty_stories()
    messages = render_digest(full)

    assert len(messages) > 1
    seen: list[int] = []
    for message in messages:
        text = accepted(message).text
        for s in full.stories:
            if s.title in text:
                seen.append(s.story_id)
                # every story is whole inside one message
                assert accepted(render_story(s, NOW)).text in text
    assert seen == list(range(30))


@pytest.mark.parametrize("max_len", [40, 97, 500, 1000])
def test_small_limits_keep_every_message_valid_and_lose_no_words(max_len: int) -> None:
    full = thirty_stories()
    messages = render_digest(full, max_len=max_len)

    words = " ".join(accepted(m, max_len).text for m in messages).split()
    expected = " ".join(
        [full.title] + [accepted(render_story(s, NOW)).text for s in full.stories]
    ).split()
    assert words == expected


def test_too_long_story_splits_between_paragraphs_then_words() -> None:
    quotes = tuple(DigestQuote("Q" * 900 + f" {n}", f"S{n}", ("AP",)) for n in range(6))
    long_story = story("Long", ("Brief " * 100, "More."), quotes)
    messages = render_digest(bare(long_story), max_len=2000)

    assert len(messages) >= 3
    assert messages[0].startswith("<b>Long</b>\n<i>just now</i>\nBrief Brief")
    for message in messages:
        accepted(message, 2000)
        assert message.count("<blockquote expandable>") == message.count("</blockquote>")
    shown = "".join(accepted(m, 2000).text for m in messages)
    assert [shown.index(f" {n}” — S{n} (AP)") for n in range(6)] == sorted(
        shown.index(f" {n}” — S{n} (AP)") for n in range(6)
    )


def test_giant_paragraph_splits_between_words_and_keeps_its_format() -> None:
    quote = DigestQuote(" ".join(["word"] * 2000), "Speaker", ("AP",))
    messages = render_digest(bare(story(quotes=(quote,))), max_len=1000)

    parsed = [accepted(m, 1000) for m in messages]
    assert len(messages) >= 10
    assert all("expandable_blockquote" in [e["type"] for e in p.entities] for p in parsed[1:])
    assert parsed[-1].text.endswith("— Speaker (AP)")


@pytest.mark.parametrize(
    ("age", "shown"),
    [
        (timedelta(seconds=20), "just now"),
        (timedelta(minutes=1, seconds=5), "1 min ago"),
        (timedelta(minutes=59), "59 min ago"),
        (timedelta(hours=1), "1 h ago"),
        (timedelta(hours=23, minutes=59), "23 h ago"),
        (timedelta(days=1), "yesterday"),
        (timedelta(days=6, hours=23), "6 days ago"),
        (timedelta(days=7), "14 Nov"),
        (timedelta(days=337), "19 Dec 2024"),
        (timedelta(hours=-2), "just now"),
    ],
)
def test_each_story_shows_its_age_or_date(age: timedelta, shown: str) -> None:
    [message] = render_digest(bare(story(published=NOW - age)))
    assert accepted(message).text.split("\n")[1] == shown


def test_a_story_with_no_date_or_sources_has_no_meta_line() -> None:
    [message] = render_digest(bare(story(published=None)))
    assert accepted(message).text == "Title\nA brief."


def test_emoji_count_double() -> None:
    emoji_story = story("😀", ("🎉" * 2040,), published=None)  # 2 + newline 1 + brief 4080
    messages = render_digest(bare(emoji_story))
    assert len(messages) == 1
    assert utf16_len(accepted(messages[0]).text) == 4083

    heavier = story("😀", ("🎉" * 2047,), published=None)  # 4097 units: one emoji too many
    messages = render_digest(bare(heavier))
    assert len(messages) == 2
    assert all(utf16_len(accepted(m).text) <= 4096 for m in messages)


def test_emoji_word_longer_than_a_message_is_cut_between_characters() -> None:
    messages = render_digest(bare(story("T", ("👍" * 5000,))))

    texts = [accepted(m).text for m in messages]
    assert "".join(texts).count("👍") == 5000
    assert all(utf16_len(t) <= 4096 for t in texts)


async def test_stand_in_accepts_every_message_of_a_long_digest(botapi: BotApiStandIn) -> None:
    botapi.set_limits(RateLimits.unlimited())
    messages = render_digest(thirty_stories())

    async with Bot(botapi.token, base_url=botapi.base_url) as bot:
        for message in messages:
            await bot.send_message(
                7,
                message,
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )

    assert [m.text for m in botapi.messages_for(7)] == messages
    assert not botapi.errors()
