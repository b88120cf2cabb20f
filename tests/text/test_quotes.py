"""Key quotes: data-driven cases in fixtures/quotes, rules, the verbatim property, speed."""

from __future__ import annotations

import json

import pytest
from paths import EVAL, FIXTURES, SAMPLES

from newsbrief.bot.model import Quote
from newsbrief.bot.text.quotes import find_quotes, quote_key

QUOTES = FIXTURES / "quotes"
CASES = sorted(p.stem for p in QUOTES.glob("*.json") if p.with_suffix(".txt").exists())
POLNEAR = EVAL / "quotes-polnear"


def _joined(text: str, quote: Quote) -> str:
    """Rebuild a quote's text from its spans as `find_quotes` promises: the parts verbatim,
    joined by " ... " (words left out between) or by a space (a continued quotation)."""
    pieces = [text[s:e] for s, e in quote.spans]
    out = pieces[0]
    for piece in pieces[1:]:
        rest = quote.text[len(out) :]
        out += (" ... " if rest.startswith(" ... " + piece) else " ") + piece
    return out


def _in_order(quotes: list[Quote]) -> list[tuple[str, str | None]]:
    return [(q.text, q.speaker) for q in sorted(quotes, key=lambda q: q.start)]


@pytest.mark.parametrize("case", CASES)
def test_fixture(case: str) -> None:
    text = (QUOTES / f"{case}.txt").read_text()
    expected = json.loads((QUOTES / f"{case}.json").read_text())["quotes"]
    found = find_quotes(text)
    assert _in_order(found) == [(q["text"], q["speaker"]) for q in expected]
    for q in found:
        assert _joined(text, q) == q.text


def test_sample_articles_are_fixtures() -> None:
    for sample in SAMPLES.glob("*.txt"):
        texts = {p.read_text() for p in QUOTES.glob("*.txt")}
        assert sample.read_text() in texts, sample.name


def test_ranked_best_first_with_salience_in_range() -> None:
    text = (QUOTES / "putin-press-conference.txt").read_text()
    quotes = find_quotes(text, title="Putin says Syria is not a defeat for Russia")
    assert [q.salience for q in quotes] == sorted((q.salience for q in quotes), reverse=True)
    assert all(0.0 <= q.salience <= 1.0 for q in quotes)
    assert quotes[0].text.startswith("You want to present what is happening in Syria")


def test_a_quotation_split_around_its_attribution_is_one_quote() -> None:
    text = '"We have achieved our goals," Putin said. "It is not for nothing, is it?"'
    (quote,) = find_quotes(text)
    assert (quote.text, quote.speaker) == (
        "We have achieved our goals ... It is not for nothing, is it?",
        "Putin",
    )
    assert [text[s:e] for s, e in quote.spans] == quote.text.split(" ... ")


def test_two_quotations_with_a_sentence_between_stay_apart() -> None:
    text = (
        '"We have achieved our goals," Putin said. He spoke for hours. '
        '"It is not for nothing, is it?"'
    )
    assert len(find_quotes(text)) == 2


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ('Vladimir Putin spoke. "We are strong and we will win," said Putin.', "Vladimir Putin"),
        ('Jane Doe met him. "We are strong and we will win," according to Doe.', "Jane Doe"),
        ('Sen. Jane Doe spoke. "We will win this fight," Doe told reporters.', "Jane Doe"),
        ('John Smith arrived. "We will win this fight for sure," he added.', "John Smith"),
        ('Mary Jones spoke. "We will win this fight for sure," she wrote.', "Mary Jones"),
        ('Sen. Tom Fox spoke. "We will win this fight," the senator said.', "Tom Fox"),
        ('Tom Fox said: "We will win this fight, whatever they say."', "Tom Fox"),
        ('Mary Jones met John Smith. "We will win this fight," she said.', "Mary Jones"),
        ('Mary Jones met John Smith. "We will win this fight," he said.', "John Smith"),
        ('"We will win this fight and we will win it soon," an aide said.', None),
        ('"We will win this fight and we will win it soon," he said.', None),
        # an appositive between the name and the verb
        (
            'Lindsey Graham spoke. "Ted Cruz is not my favorite," Graham, a rival, told CBS.',
            "Lindsey Graham",
        ),
        (
            'Tim Kane spoke.\n\nOn Tuesday, Gov. Tim Kane (R-OH), said, "We are ready to win."',
            "Tim Kane",
        ),
        # a surname that is also a title
        (
            'Tom Prince spoke. "It is particularly risky for tech companies," Mr. Prince said.',
            "Tom Prince",
        ),
        # a verb sharing the subject, an inverted verb, a lead-in before the subject
        (
            'Ann Sherry sat. Ms. Sherry smiled and said, "I am waiting for someone else."',
            "Ann Sherry",
        ),
        (
            'Ali grew up here. Said Dora Poynter, a neighbour, "We were all so proud of him."',
            "Dora Poynter",
        ),
        (
            'Donald Trump spoke. Hours later, Trump called, telling Reuters, "He is a friend."',
            "Donald Trump",
        ),
        (
            'Joe Oliver spoke. "For a start, she chose not to speak at all," Oliver barked.',
            "Joe Oliver",
        ),
        # a bare attribution after a closed sentence
        (
            'Donald Trump spoke. "Russia, find the emails that are missing." Trump said.',
            "Donald Trump",
        ),
    ],
)
def test_speaker(text: str, speaker: str | None) -> None:
    (quote,) = find_quotes(text)
    assert quote.speaker == speaker


def test_colon_paragraph_takes_its_subject() -> None:
    text = 'Roger Stone spoke.\n\nStated Stone:\n\n"I think that the stakes are so high for us."'
    assert find_quotes(text)[0].speaker == "Roger Stone"


def test_pronoun_skips_names_inside_quotes() -> None:
    text = (
        'Russian President Vladimir Putin spoke on Thursday. "If we ever have a meeting with '
        'President-elect Trump, I am sure we will talk," he said.'
    )
    assert find_quotes(text)[0].speaker == "Vladimir Putin"


def test_role_noun_resolves_through_an_earlier_title() -> None:
    text = (
        "Russian President Vladimir Putin and U.S. President Joe Biden spoke.\n\n"
        '"We have nothing to hide from anyone at all," the Kremlin leader said.\n\n'
        '"We have nothing to hide from anyone, really," the Russian President said.'
    )
    assert [q.speaker for q in find_quotes(text)] == ["Vladimir Putin"] * 2


@pytest.mark.parametrize(
    "text",
    [
        'He called it a "defeat" for Russia.',
        'He was ready for talks "anytime" with the new team.',
        'They fought "terrorist" groups.',
        'Russia was ready for "negotiations and compromises."',
        'She starred in "The Man Who Knew Too Much" last year.',
        'Dwayne "The Rock" Johnson arrived.',
        "It was the ’90s and the students’ fees rose; don't ask about Assad’s plans.",
        "Rock 'n' roll was big in the '60s and the 'burbs.",
        # shows and nicknames named mid-sentence, even with a speech verb after them
        'Sunday on Fox News channel’s "Sunday Morning Futures," Rep. Jo Smith said it was over.',
        'Wednesday on Fox News Channel’s "Hannity," Newt Gingrich said Trump must decide.',
        'The hacker known as "Guccifer," stated that he had access to the server.',
        # markup attributes left in the text
        '<tweet author="@ByronYork" date="March 9, 2016\n">Rubio event in Hialeah.<tweet/>.',
    ],
)
def test_not_key_quotes(text: str) -> None:
    assert find_quotes(text) == []


def test_unterminated_quote_stops_at_its_paragraph() -> None:
    text = (
        'He said: "This is a quote that never closes and goes on\n\n'
        'The next paragraph is plain reporting and "a phrase" here.'
    )
    quotes = find_quotes(text)
    assert [q.text for q in quotes] == ["This is a quote that never closes and goes on"]


def test_a_quotation_continued_into_the_next_paragraph_is_one_quote() -> None:
    text = (
        'Maria Lopez spoke. "We started with nothing at all in this state.\n\n'
        '"And tonight we won every county," she said.'
    )
    (quote,) = find_quotes(text)
    first = "We started with nothing at all in this state."
    second = "And tonight we won every county"
    assert (quote.text, quote.speaker) == (f"{first} {second}", "Maria Lopez")
    assert [text[s:e] for s, e in quote.spans] == [first, second]


def test_nested_quotes_belong_to_the_outer_one() -> None:
    text = "‘He told me it was “a total disaster” and I believed him,’ she said."
    (quote,) = find_quotes(text)
    assert quote.text == "He told me it was “a total disaster” and I believed him"
    text = "\"He told me it was 'a total disaster' and I believed him,\" she said."
    (quote,) = find_quotes(text)
    assert quote.text == "He told me it was 'a total disaster' and I believed him"


def test_empty_and_quote_free_text() -> None:
    assert find_quotes("") == []
    assert find_quotes("No quotations here at all.\n\nNone.") == []


def test_quote_key_unifies_marks_case_and_spacing() -> None:
    a = quote_key("We have achieved our goals, and it’s not a defeat.")
    b = quote_key("we have  achieved our goals and it's not a defeat")
    assert a == b == "we have achieved our goals and its not a defeat"
    assert quote_key("“Any time.”") == quote_key('"Any time"')


def _polnear_texts() -> list[str]:
    assert POLNEAR.exists(), f"the shared evaluation data must be beside the repo: {POLNEAR}"
    return [p.read_text() for p in sorted(POLNEAR.glob("*/text/*.txt"))]


@pytest.mark.slow
def test_verbatim_on_every_real_article() -> None:
    texts = _polnear_texts()
    total = 0
    for text in texts:
        for q in find_quotes(text):
            assert _joined(text, q) == q.text
            assert q.text == q.text.strip() and q.text
            assert q.text[-1] not in ",;:"
            assert "\n" not in q.text
            total += 1
    assert total > 5000


def test_a_quotation_used_as_a_noun_is_a_title_not_a_quote() -> None:
    # PolNeAR usa-today 2016-09-16: a commentary's title, then what someone said
    text = (
        'Ouisa Davis\' commentary, "Melania, tell your immigrant story," is very thoughtful. '
        '"We will win this race," he said.'
    )
    assert [q.text for q in find_quotes(text)] == ["We will win this race"]
