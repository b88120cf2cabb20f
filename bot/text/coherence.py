"""Sentences that lean on the one before them: an opening connective or a pronoun subject.

A brief is read on its own, so "But Mr Balls said...", "However, the company said..." or "They
want to present..." reads as a reply to something the reader never saw. A connective can be
dropped ("However, Putin said he plans to meet Assad" stands as "Putin said he plans to meet
Assad"); a pronoun subject cannot, so such a sentence stands in a brief only right after the
sentence its article puts before it, where its referent is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from enum import Enum

__all__ = ["Lean", "dangles", "dangling_share", "lean", "without_connective"]


class Lean(Enum):
    """What a sentence's opening needs from the sentence before it."""

    CONNECTIVE = "connective"  # "But", "However,": can be dropped
    PRONOUN = "pronoun"  # "He", "They", "Its": needs its referent before it
    QUOTE_TAIL = "quote tail"  # `...decision," the judge ruled`: a quotation opened before it

    @property
    def needs_sentence_before(self) -> bool:
        """Tell whether the sentence stands only right after the one before it."""
        return self is not Lean.CONNECTIVE


# Sentence-opening discourse connectives: they link to a previous sentence and add nothing
# of their own once it is gone. Those that also open a phrase of their own ("However careful",
# "Instead of", "In addition to", "Besides the money") count only when a comma follows.
_BARE = "but and also yet meanwhile moreover furthermore nevertheless nonetheless additionally"
_BARE += " thus therefore hence consequently similarly likewise or after_all even_so that_said"
_BARE += " despite_this despite_that because_of_this as_such for_this_reason in_turn"
_WITH_COMMA = "however still instead besides indeed otherwise regardless plus in_addition"
_WITH_COMMA += " as_a_result by_contrast in_contrast on_the_other_hand at_the_same_time"


def _alternatives(words: str) -> str:
    ordered = sorted(words.split(), key=len, reverse=True)
    return "|".join(w.replace("_", r"\s+") for w in ordered)


_CONNECTIVE = re.compile(
    rf"^(?:(?:{_alternatives(_BARE)})\b(?!['’-])(?!\s+(?:another|more|again|less|so)\b)\s*,?"
    rf"|(?:{_alternatives(_WITH_COMMA)})\s*,)\s*",
    re.IGNORECASE,
)
# Pronoun subjects and possessives that point back to someone or something named before.
_PRONOUN = re.compile(
    r"^(?:he|she|they|it|his|her|their|its|him|them|we|our|i)\b(?!['’]s\b)(?!-)", re.IGNORECASE
)
_PRONOUN_CONTRACTION = re.compile(r"^(?:he|she|they|we|i)['’](?:s|re|ve|d|ll|m)\b", re.I)
# "It" with nothing to point back to: "It is unclear whether...", "It was not clear how...".
_EXPLETIVE_IT = re.compile(
    r"^it(?:['’]s|\s+(?:is|was|remains|remained|seems|seemed|appears|appeared|has\s+been|"
    r"had\s+been|will\s+be|would\s+be|could\s+be|may\s+be|might\s+be|is\s+not|was\s+not))"
    r"(?:\s+[\w-]+){0,3}?\s+(?:that|whether|to|if|how|why|when|what|who|where|unclear|clear|"
    r"likely|unlikely|possible|impossible|unknown|too\s+early|time)\b",
    re.IGNORECASE,
)
# Demonstratives used as a subject: "This is...", "That was...", "These include...".
_DEMONSTRATIVE = re.compile(
    r"^(?:this|that|these|those)\s+(?:is|was|are|were|has|have|had|will|would|could|can|may|"
    r"might|should|must|comes|came|means|meant|includes|included|follows|followed|marks|"
    r"marked|led|leads|left|makes|made|did|does|do)\b",
    re.IGNORECASE,
)
# An attribution to a pronoun set inside the sentence: "The Tories, he said, can cut crime".
_PRONOUN_ASIDE = re.compile(
    r"^[^.;:]{1,120}?,\s*(?:he|she|they)\s+(?:said|says|added|adds|told|tells|warned|argued|"
    r"insisted|claimed|explained|noted|believes|believed|thinks|thought)\b",
    re.IGNORECASE,
)
_OPENING_MARKS = "\"'“‘«([—–- "
# A quotation whose speaker is a pronoun: `"...," he said` / `"...", she added`.
_PRONOUN_SPEAKER = re.compile(
    r"[\"”’»],?\s*(?:[,—–-]\s*)?(?:he|she|they)\s+[a-z]+|"
    r"[\"”’»,]\s*(?:said|says|added|adds|told|tells|continued|explained|argued|insisted|warned)"
    r"\s+(?:he|she|they)\b"
)


def lean(sentence: str) -> Lean | None:
    """Say what a sentence's opening needs from the sentence before it, if anything."""
    if _closes_a_quotation_opened_before(sentence):
        return Lean.QUOTE_TAIL
    if sentence[:1] in '"“«‘':
        # A quotation: its pronouns are the speaker's; but a speaker who is a pronoun himself
        # needs the sentence that names him.
        return Lean.PRONOUN if _PRONOUN_SPEAKER.search(sentence) else None
    text = sentence.lstrip(_OPENING_MARKS)
    connective = _CONNECTIVE.match(text)
    if connective:
        rest = text[connective.end() :]
        pronoun = lean(rest[:1].upper() + rest[1:]) is Lean.PRONOUN  # "But he said...": "He said"
        return Lean.PRONOUN if pronoun else Lean.CONNECTIVE
    if _EXPLETIVE_IT.match(text):
        return None
    if _PRONOUN.match(text) or _PRONOUN_CONTRACTION.match(text) or _DEMONSTRATIVE.match(text):
        return Lean.PRONOUN
    if _PRONOUN_ASIDE.match(text):
        return Lean.PRONOUN
    return None


def _closes_a_quotation_opened_before(sentence: str) -> bool:
    """Tell whether a sentence ends a quotation it does not open (a quote's later sentence)."""
    curly_close, curly_open = sentence.find("”"), sentence.find("“")
    if curly_close >= 0 and (curly_open < 0 or curly_close < curly_open):
        return True
    return sentence.count('"') % 2 == 1 and not sentence.startswith('"')


def without_connective(sentence: str) -> str:
    """Drop a sentence's opening connective: "However, the firm said" -> "The firm said"."""
    match = _CONNECTIVE.match(sentence)
    if match is None:
        return sentence
    rest = sentence[match.end() :]
    if not rest:
        return sentence
    return rest[:1].upper() + rest[1:]


def _follows(before: str, sentence: str, sources: Iterable[str]) -> bool:
    """Tell whether some source text puts `before` right before `sentence`."""
    # A sentence shown without its connective starts with a capital its source may not have.
    heads = {before, before[:1].lower() + before[1:]}
    for text in sources:
        for head in heads:
            start = text.find(head)
            while start >= 0:
                if text[start + len(head) :].lstrip().startswith(sentence):
                    return True
                start = text.find(head, start + 1)
    return False


def dangles(brief: Sequence[str], sources: Sequence[str]) -> bool:
    """Tell whether a brief holds a sentence whose opening leans on something it lacks.

    A leaning sentence stands only right after the sentence its source puts before it.
    """
    for index, sentence in enumerate(brief):
        if lean(sentence) is None:
            continue
        if index == 0 or not _follows(brief[index - 1], sentence, sources):
            return True
    return False


def dangling_share(briefs: Sequence[Sequence[str]], sources: Sequence[Sequence[str]]) -> float:
    """The share of briefs that hold a dangling sentence (see `dangles`)."""
    if not briefs:
        return 0.0
    return sum(dangles(b, s) for b, s in zip(briefs, sources, strict=True)) / len(briefs)
