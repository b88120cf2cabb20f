"""The stand-in's Telegram HTML parser: accepted texts with their entities, refused texts with
the Bot API's description."""

from __future__ import annotations

from typing import Any

import pytest

from botapi import EntityParseError, MessageTextError, check_message_text, parse_html, utf16_len

ACCEPTED: list[tuple[str, str, list[dict[str, Any]]]] = [
    ("plain", "plain", []),
    (
        "<b>bold</b> <strong>s</strong>",
        "bold s",
        [
            {"type": "bold", "offset": 0, "length": 4},
            {"type": "bold", "offset": 5, "length": 1},
        ],
    ),
    (
        "<i>a</i><em>b</em><u>c</u><ins>d</ins><s>e</s><strike>f</strike><del>g</del>",
        "abcdefg",
        [
            {"type": "italic", "offset": 0, "length": 1},
            {"type": "italic", "offset": 1, "length": 1},
            {"type": "underline", "offset": 2, "length": 1},
            {"type": "underline", "offset": 3, "length": 1},
            {"type": "strikethrough", "offset": 4, "length": 1},
            {"type": "strikethrough", "offset": 5, "length": 1},
            {"type": "strikethrough", "offset": 6, "length": 1},
        ],
    ),
    (
        '<a href="https://x.test/?a=1&amp;b=&quot;2&quot;">link</a>',
        "link",
        [
            {"type": "text_link", "offset": 0, "length": 4, "url": 'https://x.test/?a=1&b="2"'},
        ],
    ),
    (
        "<a href='https://x.test'>single</a>",
        "single",
        [
            {"type": "text_link", "offset": 0, "length": 6, "url": "https://x.test"},
        ],
    ),
    ("&lt;tag&gt; &amp; &quot;q&quot; &#65;&#x1F600;", '<tag> & "q" A😀', []),
    ("😀<b>x</b>", "😀x", [{"type": "bold", "offset": 2, "length": 1}]),
    (
        "<code>c</code> <pre>p</pre>",
        "c p",
        [
            {"type": "code", "offset": 0, "length": 1},
            {"type": "pre", "offset": 2, "length": 1},
        ],
    ),
    (
        '<pre><code class="language-python">x = 1</code></pre>',
        "x = 1",
        [
            {"type": "pre", "offset": 0, "length": 5, "language": "python"},
        ],
    ),
    (
        '<tg-spoiler>s</tg-spoiler><span class="tg-spoiler">t</span>',
        "st",
        [
            {"type": "spoiler", "offset": 0, "length": 1},
            {"type": "spoiler", "offset": 1, "length": 1},
        ],
    ),
    (
        "<blockquote>q</blockquote><blockquote expandable>e</blockquote>",
        "qe",
        [
            {"type": "blockquote", "offset": 0, "length": 1},
            {"type": "expandable_blockquote", "offset": 1, "length": 1},
        ],
    ),
    (
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
        "👍",
        [
            {
                "type": "custom_emoji",
                "offset": 0,
                "length": 2,
                "custom_emoji_id": "5368324170671202286",
            },
        ],
    ),
    ("<B>upper</B >", "upper", [{"type": "bold", "offset": 0, "length": 5}]),
    (
        "<b><i>nested</i></b>",
        "nested",
        [
            {"type": "bold", "offset": 0, "length": 6},
            {"type": "italic", "offset": 0, "length": 6},
        ],
    ),
    ("<b></b>empty tags make no entity", "empty tags make no entity", []),
    ("a > b", "a > b", []),
]

REFUSED: list[tuple[str, str]] = [
    ("<script>alert(1)</script>", 'Unsupported start tag "script" at byte offset 0'),
    ("<p>para</p>", 'Unsupported start tag "p" at byte offset 0'),
    ("é<br>", 'Unsupported start tag "br" at byte offset 2'),
    ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
    ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
    ("x</b>", "Unexpected end tag at byte offset 1"),
    ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
    ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
    ("<b", "Unclosed start tag at byte offset 0"),
    ("<b>x</b", "Unclosed end tag at byte offset 4"),
    ("Q&A", 'Character "&" is reserved and must be escaped as "&amp;" at byte offset 1'),
    ("&nbsp;", 'Character "&" is reserved and must be escaped as "&amp;" at byte offset 0'),
    ('<a href="https://x.test/?a=1&b=2">l</a>', 'Character "&" is reserved'),
    ("<a href>l</a>", 'Expected equal sign in declaration of an attribute of the tag "a"'),
    ("<span>s</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ("<tg-emoji>x</tg-emoji>", 'Tag "tg-emoji" must have a valid "emoji-id" attribute'),
]


@pytest.mark.parametrize(("source", "text", "entities"), ACCEPTED)
def test_accepted_html(source: str, text: str, entities: list[dict[str, Any]]) -> None:
    parsed = parse_html(source)
    assert parsed.text == text
    assert list(parsed.entities) == entities


@pytest.mark.parametrize(("source", "error"), REFUSED)
def test_refused_html(source: str, error: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_html(source)
    assert str(caught.value).startswith(error)


def test_lenient_mode_keeps_a_bare_ampersand_like_telegram() -> None:
    assert parse_html("Q&A &nbsp;", strict=False).text == "Q&A &nbsp;"


@pytest.mark.parametrize(
    ("text", "parse_mode", "error"),
    [
        ("", None, "Bad Request: message text is empty"),
        ("  \n ", None, "Bad Request: message text is empty"),
        ("<i></i>", "HTML", "Bad Request: message text is empty"),
        ("x" * 4097, None, "Bad Request: message is too long"),
        ("😀" * 2049, None, "Bad Request: message is too long"),
        ("<b>" + "x" * 4097 + "</b>", "HTML", "Bad Request: message is too long"),
        ("<x>", "HTML", 'Bad Request: can\'t parse entities: Unsupported start tag "x" at'),
        ("x", "BBCode", "Bad Request: unsupported parse_mode"),
    ],
)
def test_message_text_rules(text: str, parse_mode: str | None, error: str) -> None:
    with pytest.raises(MessageTextError) as caught:
        check_message_text(text, parse_mode)
    assert str(caught.value).startswith(error)


def test_length_counts_visible_utf16_units() -> None:
    assert utf16_len("😀a") == 3
    assert check_message_text("😀" * 2048, None).text == "😀" * 2048
    assert check_message_text("<b>" + "x" * 4096 + "</b>", "html").text == "x" * 4096
