"""Sentence subjects: who each sentence is about, so that `he said` finds its person.

Why a pronoun takes the latest fitting subject, not the latest name: docs/text-engine.md.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import islice


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


@dataclass(frozen=True, slots=True)
class Subject:
    """A sentence's subject: a named person, or an unnamed one (`name` None) at `at`."""

    at: int
    name: str | None
    gender: str | None


@dataclass(frozen=True, slots=True)
class NameSpan:
    """A name in the text as the subject finder needs it: where, and whom it resolves to."""

    start: int
    end: int
    name: str | None  # None: not a person (a place, an organisation)
    gender: str | None


_BREAK = re.compile(r"[.!?…][\"”’']*[ \t]+(?=[\"“‘'(]?[A-Z])|\n+")
# A full stop after these ends an abbreviation, not a sentence: `Mr. Smith`, `J. Smith`.
_ABBREVIATION = re.compile(r"(?:\b[A-Z]|\b(?:Mr|Ms|Dr|St|Lt|Jr|Sr|Mrs|Sen|Rep|Gov|Gen|Col|Sgt))$")
_CONNECTIVE = re.compile(
    r"(?:But|And|So|Yet|Then|Later|Still|Also|Now|Meanwhile|However|Instead|Earlier|"
    r"Separately|Elsewhere|Indeed|Moreover|Nevertheless|Today|Yesterday)\b,?\s+"
)
_PRONOUN_START = re.compile(r"(?:He|She|They|We|I|It)\b")
_WORD = re.compile(r"[^\s,;:()\"“”]+")
# Words that end the run of role words before a subject's name: a verb or preposition means
# the name is an object ("Officials told Mr Smith"), not the subject.
ROLE_BREAKERS = _wordset(
    """
    of to in on at for with by from about after before said says told asked that which who
    whom whose is was are were has had have will would could should may might can when while
    as if because since than it he she they we i you there this these those not no also
    accused met called urged praised criticised criticized attacked defeated beat said
    """
)
# A speech or thought verb right after a sentence's first name: that name is its subject.
_SAYS_NEXT = re.compile(
    r"\s+(?:said|says|believes|believed|thinks|thought|told|added|argued|noted|explained"
    r"|claimed|insisted)\b"
)
_OPENING_MARKS = "\"“‘'«"
_DETERMINER = re.compile(r"(?:the|a|an|this|that|another)\s+", re.I)
_ATTRIBUTION = re.compile(
    r"[\s,]*(?:(?:said|says|added|adds|told|asked|wrote|explained|insisted|continued)\s+)?"
)
_FEMALE_NOUNS = _wordset(
    "spokeswoman woman mother wife daughter girl actress queen princess chairwoman "
    "congresswoman sister lady businesswoman"
)
_MALE_NOUNS = _wordset(
    "spokesman man father husband son boy actor king prince chairman congressman brother "
    "businessman"
)
PERSON_NOUNS = (
    _FEMALE_NOUNS
    | _MALE_NOUNS
    | _wordset(
        """
        spokesperson official analyst economist boss head source lawyer witness player
        striker singer star author writer producer owner investor trader expert researcher
        scientist doctor detective inspector campaigner activist archbishop priest
        teenager victim suspect defendant prosecutor mp peer banker worker employee fan
        critic veteran president minister secretary senator governor chancellor premier
        ambassador mayor judge general commander chief executive director chair leader
        cardinal bishop pope adviser advisor aide candidate nominee lawmaker officer
        commissioner manager coach founder strategist pastor rabbi imam representative
        congressman chairman deputy host anchor reporter correspondent professor
        """
    )
)


def noun_gender(head: str) -> str | None:
    """The gender a role noun states: `spokeswoman` f, `chairman` m, `analyst` none."""
    low = head.casefold()
    return "f" if low in _FEMALE_NOUNS else "m" if low in _MALE_NOUNS else None


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split text into sentence spans, at final punctuation before a capital, and at newlines."""
    spans = []
    start = 0
    for match in _BREAK.finditer(text):
        at = match.start()
        if text[at] == "." and _ABBREVIATION.search(text, max(0, at - 4), at):
            continue
        if match.start() > start:
            spans.append((start, match.start()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


class _Finder:
    def __init__(
        self,
        text: str,
        names: Sequence[NameSpan],
        quoted: Sequence[tuple[int, int]],
        role: Callable[[str, int], str | None],
    ) -> None:
        self.text = text
        self.names = names
        self.name_starts = [n.start for n in names]
        self.quoted = sorted(quoted)
        self.quote_starts = [s for s, _ in self.quoted]
        self.role = role

    def quotation_at(self, at: int) -> tuple[int, int] | None:
        i = bisect.bisect_right(self.quote_starts, at) - 1
        if i >= 0 and self.quoted[i][0] <= at < self.quoted[i][1]:
            return self.quoted[i]
        return None

    def name_at(self, at: int, limit: int) -> NameSpan | None:
        """The first name starting in [at, limit)."""
        i = bisect.bisect_left(self.name_starts, at)
        if i < len(self.names) and self.names[i].start < limit:
            return self.names[i]
        return None

    def subject(self, start: int, end: int) -> Subject | None:
        text = self.text
        while start < end and text[start].isspace():
            start += 1
        if start >= end:
            return None
        quotation = self.quotation_at(start)
        if quotation is not None:
            if quotation[0] != start and quotation[1] >= end:
                return None  # the sentence is inside a quotation
            # a quotation's last sentence and its attribution: `... Full panic mode," said X.`
            after = _ATTRIBUTION.match(text, quotation[1], end)
            at = after.end() if after else quotation[1]
            # the name, perhaps after role words: `," said LSE chief executive Clara Furse.`
            found = self.name_at(at, min(end, at + 60))
            if found is None or found.name is None:
                return None
            words = [w.casefold() for w in _WORD.findall(text, at, found.start)]
            if len(words) > 4 or any(w in ROLE_BREAKERS for w in words):
                return None
            return Subject(found.start, found.name, found.gender)
        # the sentence start, then after each of the first two commas (an introductory phrase)
        points = [start]
        comma = start
        for _ in range(2):
            comma = text.find(",", comma + 1, min(end, start + 160))
            if comma < 0 or self.quotation_at(comma) is not None:
                break
            points.append(comma + 1)
        for point in points:
            subject = self._subject_from(point, end)
            if subject is not None:
                return subject
        return None

    def _subject_from(self, at: int, end: int) -> Subject | None:
        text = self.text
        while at < end and text[at].isspace():
            at += 1
        connective = _CONNECTIVE.match(text, at, end)
        if connective:
            at = connective.end()
        if _PRONOUN_START.match(text, at, end):
            return None
        role = self._role_phrase(at, end)
        i = bisect.bisect_left(self.name_starts, at)
        while i < len(self.names) and self.names[i].start < min(end, at + 80):
            found = self.names[i]
            i += 1
            if role is not None and found.start >= role[1] and text[role[1] : found.start].strip():
                break  # "The cardinal used a Christmas message": the role is the subject
            words = [w.casefold() for w in _WORD.findall(text, at, found.start)]
            if len(words) > 6 or any(w in ROLE_BREAKERS for w in words):
                break
            if found.name is None:
                if not words and _SAYS_NEXT.match(text, found.end):
                    return Subject(found.start, None, None)  # "McLenney said": someone unknown
                continue  # an organisation or place among the role words: "Lib Dem leader"
            if text.startswith(("’s", "'s"), found.end):
                return self._possessed(found.end + 2, end)
            if text[found.end : found.end + 2].lstrip()[:1] in _OPENING_MARKS:
                return None  # `Mr Sullivan "made accounting decisions," he told the court`
            if role is not None and found.start < role[1]:
                break  # a name inside the role phrase: "the Kremlin leader"
            return Subject(found.start, found.name, found.gender)
        if role is None:
            return None
        phrase = text[at : role[1]]
        if phrase.split()[0].casefold() in ("the", "this", "that"):
            name = self.role(phrase, at)
            if name is not None:
                return Subject(at, name, None)
        return Subject(at, None, noun_gender(phrase.split()[-1]))

    def _role_phrase(self, at: int, end: int) -> tuple[int, int] | None:
        """`the Tory co-chairman`, `a spokesman`: a determiner and a person noun within 4 words."""
        det = _DETERMINER.match(self.text, at, end)
        if det is None:
            return None
        for word in islice(_WORD.finditer(self.text, det.end(), end), 4):
            if word.group().casefold() in PERSON_NOUNS:
                return at, word.end()
        return None

    def _possessed(self, at: int, end: int) -> Subject | None:
        """`Mr Blair's spokesman said`: an unnamed person, not Mr Blair."""
        for head in islice(_WORD.finditer(self.text, at, end), 3):
            if head.group().casefold() in PERSON_NOUNS:
                # "Hillary Clinton's campaign manager Robby Mook said": the manager, named
                named = self.name_at(head.end(), min(end, head.end() + 2))
                if named is not None and named.name is not None:
                    return Subject(named.start, named.name, named.gender)
                return Subject(at, None, noun_gender(head.group()))
        return None


def sentence_subjects(
    text: str,
    sentences: Sequence[tuple[int, int]],
    names: Sequence[NameSpan],
    quoted: Sequence[tuple[int, int]],
    role: Callable[[str, int], str | None],
) -> list[Subject]:
    """Find each sentence's subject, in text order; `role` resolves `the cardinal` at a place."""
    finder = _Finder(text, names, quoted, role)
    found = (finder.subject(s, e) for s, e in sentences)
    return [subject for subject in found if subject is not None]
