"""Cleaning plain text: each furniture rule on small cases, then on real articles."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from paths import EVAL

from newsbrief.bot.text.cleaning import (
    clean_text,
    has_sentence,
    outlet_from_url,
    parse_date,
    split_paragraphs,
)

BBC = EVAL / "bbc-news-summary" / "News Articles"

BODY = (
    "The council approved the plan on Monday after a long debate. Opponents said they would appeal."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-12-19", datetime(2024, 12, 19, tzinfo=UTC)),
        ("2024-12-19T10:30:00Z", datetime(2024, 12, 19, 10, 30, tzinfo=UTC)),
        (
            "2024-12-19T10:30:00+05:30",
            datetime(2024, 12, 19, 10, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        ),
        ("December 19, 2024", datetime(2024, 12, 19, tzinfo=UTC)),
        ("19 Dec 2024 4:05 pm", datetime(2024, 12, 19, 16, 5, tzinfo=UTC)),
        ("Thu, 19 Dec 2024 10:00:00 GMT", datetime(2024, 12, 19, 10, tzinfo=UTC)),
        ("Sept. 3rd, 2023", datetime(2023, 9, 3, tzinfo=UTC)),
    ],
)
def test_parse_date_reads_common_forms_and_defaults_to_utc(text: str, expected: datetime) -> None:
    found = parse_date(text)
    assert found == expected
    assert found is not None and found.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize("text", ["1870-01-01", "2999-01-01", "2024-13-45", "yesterday", ""])
def test_parse_date_ignores_absurd_or_unreadable_dates(text: str) -> None:
    assert parse_date(text) is None


def test_split_paragraphs_rejoins_hard_wrapped_lines_and_normalises_space() -> None:
    raw = "First line of a wrapped paragraph that goes on and on past sixty\nchars.\r\n\r\n"
    raw += "Heading\nNext\u00a0 paragraph\u200b here."
    assert split_paragraphs(raw) == [
        "First line of a wrapped paragraph that goes on and on past sixty chars.",
        "Heading",
        "Next paragraph here.",
    ]


def test_has_sentence_needs_final_punctuation() -> None:
    assert has_sentence("Menu\n\nIt rained all day.")
    assert not has_sentence("Menu\n\nWorld news\n\nSport results")


def test_outlet_from_url_uses_host_without_www() -> None:
    assert outlet_from_url("https://www.bbc.co.uk/news/x") == "bbc.co.uk"
    assert outlet_from_url("not a url") is None


def test_date_prefix_glued_to_first_sentence() -> None:
    result = clean_text(f" date 2024-12-19 {BODY}")
    assert result.published == datetime(2024, 12, 19, tzinfo=UTC)
    assert result.body == BODY
    assert result.title is None


@pytest.mark.parametrize(
    "line",
    [
        "Published: 19 December 2024",
        "Published on December 19, 2024 | Updated December 20, 2024",
        "By Jane Smith | December 19, 2024",
        "BY JANE SMITH",
        "Updated: 2024-12-19",
    ],
)
def test_header_lines_are_read_and_dropped(line: str) -> None:
    result = clean_text(f"Council backs plan\n\n{line}\n\n{BODY}")
    assert result.title == "Council backs plan"
    assert result.body == BODY
    if "SMITH" not in line:
        assert result.published is not None and result.published.date().isoformat() == (
            "2024-12-19"
        )


def test_breadcrumb_glued_to_repeated_headline() -> None:
    raw = f"Home Politics Council backs bus plan\n\nCouncil backs bus plan\n\n{BODY}"
    result = clean_text(raw)
    assert result.title == "Council backs bus plan"
    assert result.body == BODY


@pytest.mark.parametrize(
    "caption",
    [
        "The mayor speaks in the town hall on Monday Image Source : AP/FILEThe mayor speaks "
        "in the town hall on Monday",
        "The mayor speaks in the town hall on Monday The mayor speaks in the town hall on Monday",
        "The mayor at the town hall. Photo: John Smith",
        "The mayor at the town hall (AP Photo/Jane Doe)",
        "The mayor at the town hall on Monday. REUTERS/Jane Doe",
        "Councillors vote on the plan (Getty Images)",
        "Image credit: Getty Images",
        "Credit: Council handout",
    ],
)
def test_photo_captions_are_not_article_text(caption: str) -> None:
    result = clean_text(f"Council backs plan\n\n{caption}\n\n{BODY}")
    assert result.body == BODY


@pytest.mark.parametrize(
    "trailer",
    [
        "(With inputs from agency)",
        "ALSO READ: Council votes on another plan",
        "Also read | Another plan",
        "Read more: the plan in full",
        "Latest World News",
        "Follow us on Twitter and Facebook",
        "Subscribe to our newsletter",
        "Click here to download the app",
        "Advertisement",
        "Share this article",
        "Copyright 2024 The Paper. All rights reserved.",
    ],
)
def test_trailer_lines_are_dropped(trailer: str) -> None:
    result = clean_text(f"Council backs plan\n\n{BODY}\n\n{trailer}")
    assert result.body == BODY


def test_inline_inputs_credit_is_cut_from_a_paragraph() -> None:
    result = clean_text(f"Council backs plan\n\n{BODY} (With inputs from PTI)")
    assert result.body == BODY


@pytest.mark.parametrize(
    "dateline",
    ["Moscow: ", "NEW DELHI: ", "LONDON (Reuters) - ", "WASHINGTON, Dec 19 (AP) — ", "PARIS -- "],
)
def test_dateline_opening_the_first_paragraph_is_dropped(dateline: str) -> None:
    result = clean_text(f"Council backs plan\n\n{dateline}{BODY}")
    assert result.body == BODY


@pytest.mark.parametrize(
    ("dateline", "outlet"),
    [("LONDON (Reuters) - ", "Reuters"), ("WASHINGTON, Dec 19 (AP) — ", "AP"), ("PARIS -- ", None)],
)
def test_an_agency_dateline_names_the_outlet(dateline: str, outlet: str | None) -> None:
    assert clean_text(f"Council backs plan\n\n{dateline}{BODY}").outlet == outlet
    linked = f"Council backs plan\n\nURL: https://www.bbc.co.uk/news/1\n\n{dateline}{BODY}"
    assert clean_text(linked).outlet == "bbc.co.uk"  # the link names it first


def test_title_case_colon_is_kept_when_not_a_dateline() -> None:
    text = "Backs: Mike Blair (Edinburgh), Andy Craig (Glasgow), Chris Cusiter (Borders)."
    result = clean_text(f"Squad named\n\n{text}\n\n{BODY}")
    assert result.body.split("\n\n")[0] == text


def test_sub_headings_stay_as_their_own_paragraphs() -> None:
    result = clean_text(f"Council backs plan\n\n{BODY}\n\nWhat happens next\n\n{BODY[:40]} later.")
    assert result.body.split("\n\n")[1] == "What happens next"


def test_source_and_url_lines_give_outlet_and_url() -> None:
    raw = f"Council backs plan\nhttps://www.town-news.example/a/1\n\n{BODY}\n\nSource: Town News"
    result = clean_text(raw)
    assert result.url == "https://www.town-news.example/a/1"
    assert result.outlet == "Town News"
    assert result.body == BODY


def test_repeated_paragraph_is_kept_once() -> None:
    assert clean_text(f"Title here\n\n{BODY}\n\n{BODY}").body == BODY


def _letters(text: str) -> int:
    return len(re.sub(r"\s", "", text))


@pytest.mark.slow
def test_bbc_articles_are_left_essentially_untouched() -> None:
    files = sorted(BBC.glob("*/*.txt"))[::8][:200]
    assert len(files) == 200
    kept = total = 0
    for path in files:
        raw = path.read_bytes().decode("utf-8", errors="replace")
        title, _, rest = raw.partition("\n")
        result = clean_text(raw)
        assert result.title == " ".join(title.split())
        paragraphs = split_paragraphs(rest)
        body = set(result.body.split("\n\n"))
        lost = [p for p in paragraphs if p not in body and has_sentence(p)]
        assert not lost, (path, lost)
        kept += _letters(result.body)
        total += _letters("".join(paragraphs))
    assert kept / total >= 0.99


def test_transcript_speaker_labels_are_not_datelines() -> None:
    raw = (
        "Interview transcript\n\nJAKE TAPPER: Welcome back. Thank you for joining us.\n\n"
        "GUEST: Thanks for having me. It is good to be here."
    )
    assert clean_text(raw).body.startswith("JAKE TAPPER: Welcome back.")
