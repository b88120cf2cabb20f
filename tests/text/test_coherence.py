"""Tests for sentences that lean on the one before them: connectives and pronoun subjects."""

from __future__ import annotations

import pytest

from newsbrief.bot.text.coherence import Lean, dangles, dangling_share, lean, without_connective

LEANS = [
    # (sentence, what it needs from the sentence before it)
    ("But Mr Balls said the figures were wrong.", Lean.CONNECTIVE),
    ("However, the company said sales would recover.", Lean.CONNECTIVE),
    ("Also on Thursday, the bank raised its rates.", Lean.CONNECTIVE),
    ("Still, Putin denied that the events had weakened Moscow.", Lean.CONNECTIVE),
    ("In addition, the firm will cut 300 jobs.", Lean.CONNECTIVE),
    ("Despite this, sales rose by 5%.", Lean.CONNECTIVE),
    ("They want to present it as a failure for Russia.", Lean.PRONOUN),
    ("He denied that the ouster had hurt Moscow's prestige.", Lean.PRONOUN),
    ("His comments came at the annual news conference.", Lean.PRONOUN),
    ("It was the biggest fall in ten years.", Lean.PRONOUN),
    ("This is the third such attack this month.", Lean.PRONOUN),
    ("But he said the code of conduct would hold.", Lean.PRONOUN),  # the pronoun stays
    ('"We will kick them out," he said.', Lean.PRONOUN),  # a speaker who is a pronoun
    ('"We will kick them out," Putin said.', None),
    ("The Tories, he said, can cut crime without raising taxes.", Lean.PRONOUN),
    ('The ban is one such decision," Judge Friedrich ruled on Wednesday.', Lean.QUOTE_TAIL),
    ("The ban is one such decision,” Judge Friedrich ruled on Wednesday.", Lean.QUOTE_TAIL),
    ('The judge called it "one such decision" on Wednesday.', None),
    ("The Tories, Mr Howard said, can cut crime without raising taxes.", None),
    ("However careful you may be, your bank may lose your data.", None),  # not a connective
    ("Instead of cutting jobs, the firm froze pay.", None),
    ("In addition to the fine, the bank must repay customers.", None),
    ("Yet another storm hit the coast on Monday.", None),
    ("It is unclear whether the talks will resume.", None),  # "it" points at nothing
    ("It's not yet clear how many people were hurt.", None),
    ("This week, the government will publish its plans.", None),
    ("Andrew Smith said the results were strong.", None),
    ("The company said its profits rose 35%.", None),
]


@pytest.mark.parametrize(("sentence", "expected"), LEANS)
def test_what_a_sentence_leans_on(sentence: str, expected: Lean | None) -> None:
    assert lean(sentence) is expected


@pytest.mark.parametrize(
    ("sentence", "standing"),
    [
        ("However, the company said sales would recover.", "The company said sales would recover."),
        ("But asked, Putin said he could not tell.", "Asked, Putin said he could not tell."),
        ("Also on Thursday, the bank raised its rates.", "On Thursday, the bank raised its rates."),
        ("The bank raised its rates.", "The bank raised its rates."),
    ],
)
def test_a_connective_drops_and_the_sentence_stands(sentence: str, standing: str) -> None:
    assert without_connective(sentence) == standing


SOURCE = (
    "Putin held his annual news conference on Thursday. He denied that Russia had lost. "
    "But he admitted he did not know when Kursk would be retaken."
)


def test_a_leaning_sentence_stands_only_right_after_the_one_before_it() -> None:
    first, second, third = (
        "Putin held his annual news conference on Thursday.",
        "He denied that Russia had lost.",
        "But he admitted he did not know when Kursk would be retaken.",
    )
    assert not dangles([first, second, third], [SOURCE])
    assert dangles([second], [SOURCE])  # nothing before it
    assert dangles([first, third], [SOURCE])  # its referent is not the sentence before
    assert dangling_share([[first, second], [third]], [[SOURCE], [SOURCE]]) == 0.5
    assert dangling_share([], []) == 0.0
