"""Tests for extractive briefs: API contract, eligibility rules, duplicates, focus, stories."""

from __future__ import annotations

import pytest
from paths import SAMPLES

from newsbrief.bot.text.briefs import ALGORITHMS, DEFAULT_ALGORITHM, brief_story, summarize
from newsbrief.bot.text.sentences import split_sentences

SYRIA = (SAMPLES / "000_9a2ab7da1ab80087.txt").read_text(encoding="utf-8")
PRESS = (SAMPLES / "004_c95f95febd55943f.txt").read_text(encoding="utf-8")
STORY = [
    ("Putin breaks silence on Syria crisis", SYRIA),
    ("Putin holds annual news conference", PRESS),
]

ARTICLE = """Shares in Acme Corp. rose sharply on Monday after the firm reported record profits.

The company said its profits for the year rose 35% to $1.2bn, helped by strong sales in Asia.
Acme's chief executive said the results showed the strategy was working well for the group.
"We are delighted," he said.
Analysts had expected profits of about $1bn for the year, according to a Reuters poll.
Photo: Acme headquarters in Chicago (Getty Images)
The firm also said it would raise its dividend and buy back shares worth $500m this year.
"""


def test_algorithm_names() -> None:
    assert DEFAULT_ALGORITHM in ALGORITHMS
    assert set(ALGORITHMS) >= {"lexrank", "textrank", "luhn", "lsa", "sumbasic", "kl"}


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_every_algorithm_returns_verbatim_sentences_in_order(algorithm: str) -> None:
    brief = summarize(PRESS, algorithm=algorithm)
    assert len(brief) == 3
    positions = [PRESS.index(s) for s in brief]
    assert positions == sorted(positions)


def test_unknown_algorithm_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="lexrank"):
        summarize(PRESS, algorithm="nope")


@pytest.mark.parametrize("text", ["", "   \n\n  ", "Breaking news"])
def test_no_sentences_no_brief(text: str) -> None:
    assert summarize(text) == []
    assert brief_story([("t", text)]) == []
    assert brief_story([]) == []


def test_sentence_count() -> None:
    assert len(summarize(PRESS, sentences=1)) == 1
    assert len(summarize(PRESS, sentences=5)) == 5
    assert summarize(PRESS, sentences=0) == []


def test_captions_headlines_and_quote_fragments_are_not_eligible() -> None:
    title = "Shares in Acme Corp. rose sharply on Monday after the firm reported record profits"
    brief = summarize(ARTICLE, sentences=10, title=title)
    assert brief  # the other sentences are eligible
    assert not any(s.startswith("Shares in Acme") for s in brief)  # the headline again
    assert not any("Getty Images" in s for s in brief)  # a photo credit
    assert "Putin plans to meet Assad" not in summarize(SYRIA, sentences=20)  # a subheading


def test_bare_quote_fragments_are_not_eligible() -> None:
    text = (
        "Putin said the Kursk region would be freed soon by the Russian army.\n"
        '"We will absolutely kick them out.\n'
        '"... and it will take time," the Kremlin leader said to reporters.\n'
        '"It is over."\n'
    )
    assert summarize(text, sentences=5) == [
        "Putin said the Kursk region would be freed soon by the Russian army."
    ]


def test_dateline_is_trimmed_and_sentence_stays_verbatim() -> None:
    brief = summarize(PRESS, sentences=20)
    lead = "Russian President Vladimir Putin has said he is yet to meet Syria's Bashar Assad"
    assert any(s.startswith(lead) for s in brief)
    assert all(s in PRESS for s in brief)


def test_near_duplicates_across_outlets_are_dropped() -> None:
    articles = [
        ("Putin on Assad", "Putin said he had not yet met Assad in Moscow this week."),
        ("Putin and Assad", "Putin said he is yet to meet Assad in Moscow this week."),
        ("Putin and Trump", "Putin also said he was ready for talks with Donald Trump."),
    ]
    brief = brief_story(articles, sentences=3)
    assert len(brief) == 2
    assert sum("Assad" in s for s in brief) == 1


def test_two_outlets_wording_one_fact_in_different_clauses_are_duplicates() -> None:
    for sentences in (3, 4, 5):
        brief = brief_story(STORY, sentences=sentences)
        not_met = [s for s in brief if "yet to meet" in s or "yet met" in s]
        assert len(not_met) <= 1, not_met


def test_different_facts_told_by_one_speaker_are_not_duplicates() -> None:
    articles = [
        (
            "Talks",
            "Russian President Vladimir Putin said on Thursday that Moscow would "
            "extend the lease on its naval base in Tartus for another ten years.",
        ),
        (
            "Prices",
            "Russian President Vladimir Putin said on Thursday that consumer prices "
            "had risen faster than the central bank expected this winter.",
        ),
    ]
    assert len(brief_story(articles, sentences=2)) == 2


def test_story_has_no_duplicates_and_comes_from_its_articles() -> None:
    brief = brief_story(STORY, sentences=4)
    assert len(brief) == 4
    assert all(s in SYRIA or s in PRESS for s in brief)
    assert len(set(brief)) == 4


def test_focus_picks_the_part_of_the_story_on_the_topic() -> None:
    kursk = brief_story(STORY, focus={"kursk"})
    syria = brief_story(STORY, focus={"syria", "assad"})
    assert kursk and all("Kursk" in s for s in kursk)
    assert syria and all("Syria" in s or "Assad" in s for s in syria)
    assert not set(kursk) & set(syria)


def test_focus_matches_whole_words_and_phrases_by_paragraph() -> None:
    articles = [("t", "The assadist view was noted by many.\n\nThe White House said it was wrong.")]
    assert brief_story(articles, focus={"assad"}) == []
    assert brief_story(articles, focus={"white house"}) == ["The White House said it was wrong."]
    same_paragraph = [
        ("t", "The White House said it was wrong. Critics disagreed with that statement at once.")
    ]
    assert len(brief_story(same_paragraph, focus={"White House"})) == 2


def test_sentences_come_from_the_splitter() -> None:
    assert set(summarize(SYRIA, sentences=50)) <= {
        s[s.index(":") + 2 :] if s.startswith("Moscow:") else s for s in split_sentences(SYRIA)
    }


RUN_ON = (
    "Acme Corp. reported record profits on Monday as sales in Asia rose and the firm said "
    "profits for the year rose 35% Acme chief executive Jane Doe is pictured at the firm's "
    "headquarters in Chicago where Acme said sales in Asia and profits rose again this year "
    "while analysts said Acme profits and Asia sales would keep rising next year as the firm "
    "raises its dividend and buys back shares worth $500m after the record profits that Acme "
    "said came from strong sales in Asia and from the strategy its chief executive set out."
)


def test_a_newsrank_brief_fits_its_word_budget_rather_than_one_run_on_sentence() -> None:
    text = ARTICLE.replace("Analysts had expected", RUN_ON + "\nAnalysts had expected")
    assert len(RUN_ON.split()) > 90  # with any two other sentences, past 3 x 35 words
    for algorithm in ("textrank", DEFAULT_ALGORITHM):
        brief = summarize(text, sentences=3, algorithm=algorithm)
        words = sum(len(s.split()) for s in brief)
        if algorithm == DEFAULT_ALGORITHM:
            assert len(brief) == 3 and RUN_ON not in brief and words <= 3 * 35
        else:  # the glued run-on is the most central sentence: without a budget it wins
            assert RUN_ON in brief
