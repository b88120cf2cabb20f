"""Split English news text into sentences offline, with regular expressions and no model data.

Line breaks are hard boundaries (scraped text puts headings and captions on lines of their own),
except a line that is plainly wrapped mid-sentence (it ends in a letter or comma and the next
line starts in lower case). Inside a line a boundary is a `.`, `?`, `!` or attached ellipsis,
with any closing quotes or brackets, followed by white space and something that can start a
sentence; a full stop after a known abbreviation or an initial is a boundary only where the next
word is a usual sentence opener. A full stop glued to the next capitalised word (`last year.The`,
a BBC quirk) is a boundary too.
"""

from __future__ import annotations

import re

__all__ = ["SentenceTokenizer", "sentence_spans", "split_sentences"]


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Abbreviations that always precede a name or a number: never a sentence end.
_TITLES = _wordset(
    """
    mr mrs ms mssrs messrs dr prof st gen sen rep gov lt col capt cpt sgt cmdr adm maj brig
    rev hon pres supt det insp cllr fr sr mt ft vs v e.g eg i.e ie cf approx est
    no nos vol vols fig figs pp ca al
    """
)
# Abbreviations that may end a sentence: a boundary only before a usual sentence opener.
_AMBIGUOUS = _wordset(
    """
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    inc corp ltd co plc llc bros jr etc a.m p.m am pm u.s u.k u.n u.s.a e.u d.c l.a n.y
    dept univ assn ave blvd rd
    """
)
# Words that commonly open a sentence; after an ambiguous abbreviation they signal a boundary.
_OPENERS = _wordset(
    """
    a an the this that these those there then thus this it its he she we they i you his her their
    our my but and or so yet if when while after before as at in on for from with by to of
    however meanwhile still also although though because since last next earlier later now
    mr mrs ms dr some many most more all no one two three several other others both each
    what who why how where which asked speaking according
    """
)

_CLOSERS = "\"'”’»)]"
_OPENERS_CHARS = "\"'“‘«(["
# A candidate boundary: terminal punctuation, closing marks, white space, then a sentence start.
# A run of `.!?` is tried from its first mark only, so a long run costs its length, not its square.
_BOUNDARY = re.compile(
    r"(?P<term>(?<![.!?])(?:\.{3}|[.!?]+)|…)(?P<close>[" + re.escape(_CLOSERS) + r"]*)"
    r"(?P<space>\s+)(?=(?P<open>[" + re.escape(_OPENERS_CHARS) + r"]*)(?P<first>\S))"
)
# Chinese and Japanese full stops need no space after them.
_CJK_END = re.compile(r"[。！？]+[」』”’）)\]]*")
# The BBC quirk: a full stop glued to a following capitalised word.
# A straight quote glued on both sides is taken as opening the next sentence (BBC: `carpet."It's`).
_GLUED = re.compile(r"(?<=[a-z0-9%])(?P<term>[.!?])(?P<close>[”’]?)(?=[\"“]?[A-Z][a-z])")
_TOKEN_LOOKBACK = 64  # longer "tokens" are never abbreviations or initials
_LINE = re.compile(r"[^\n]+")
_WORD = re.compile(r"\w+(?:[-'’.]\w+)*", re.UNICODE)


def _is_boundary(line: str, term_start: int, term: str, first: str, next_word: str) -> bool:
    """Tell whether the punctuation at `term_start` ends a sentence, given what follows."""
    if first.islower():
        return False
    if term in ("...", "…"):
        # A spaced ellipsis (` ... `) elides words inside a sentence or quotation.
        return term_start > 0 and not line[term_start - 1].isspace()
    if term != ".":
        return True
    token = _token_before(line, term_start).lstrip(_OPENERS_CHARS)
    lower = token.lower()
    if lower in _TITLES:
        return False
    if lower in _AMBIGUOUS or (
        len(lower) > 1 and "." in lower and lower.replace(".", "").isalpha()
    ):
        if first.isdigit():
            return False
        return next_word.lower() in _OPENERS
    if len(token) == 1 and token.isalpha() and token.isupper():
        # An initial (`George W. Bush`), unless the sentence ends with the pronoun "I".
        return token == "I" and next_word.lower() in _OPENERS
    return True


def _token_before(line: str, end: int) -> str:
    """Return the run of non-space characters ending at `end` (its last 64 at most)."""
    start = end
    while start > 0 and end - start < _TOKEN_LOOKBACK and not line[start - 1].isspace():
        start -= 1
    return line[start:end]


def _next_is_opener(line: str, pos: int) -> bool:
    word = _WORD.match(line, pos)
    return word is not None and word.group(0).lower() in _OPENERS


def _line_spans(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    """Append the sentence spans of `text[start:end]`, a run of text without hard breaks."""
    line = text[start:end]
    cuts: list[int] = []
    for m in _BOUNDARY.finditer(line):
        word_match = _WORD.match(line, m.end() + len(m.group("open")))
        next_word = word_match.group(0) if word_match else ""
        if _is_boundary(line, m.start("term"), m.group("term"), m.group("first"), next_word):
            cuts.append(m.end("close"))
    cuts.extend(m.end() for m in _CJK_END.finditer(line) if m.end() < len(line))
    for m in _GLUED.finditer(line):
        if m.group("term") == ".":
            before = _token_before(line, m.start("term")).lstrip(_OPENERS_CHARS)
            if "." in before or before.lower() in _TITLES or before.lower() in _AMBIGUOUS:
                continue
            if before[:1].isupper() and not _next_is_opener(
                line, m.end() + (line[m.end()] in '"“')
            ):
                continue  # A name such as `One.Tel`, not `Mr Brown.The`.
        cuts.append(m.end("close"))
    cuts.sort()
    previous = 0
    for cut in [*cuts, len(line)]:
        _append_stripped(text, start + previous, start + cut, out)
        previous = cut


def _append_stripped(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append((start, end))


def _joins_next(line: str, next_line: str) -> bool:
    """Tell whether a line break is a wrap inside a sentence rather than a boundary."""
    last = line.rstrip()[-1:]
    first = next_line.lstrip()[:1]
    return bool(last) and (last.isalpha() or last in ",;-–") and first.islower()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) offsets of each sentence in `text`, without surrounding blanks."""
    lines = [(m.start(), m.end()) for m in _LINE.finditer(text) if not m.group(0).isspace()]
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        start, end = lines[i]
        # Join wrapped lines of one paragraph (no blank line in between) into one run.
        while (
            i + 1 < len(lines)
            and "\n" not in text[end + 1 : lines[i + 1][0]]
            and _joins_next(text[lines[i][0] : end], text[lines[i + 1][0] : lines[i + 1][1]])
        ):
            i += 1
            end = lines[i][1]
        _line_spans(text, start, end, spans)
        i += 1
    return spans


def split_sentences(text: str) -> list[str]:
    """Split `text` into its sentences, verbatim."""
    return [text[s:e] for s, e in sentence_spans(text)]


class SentenceTokenizer:
    """A sumy tokenizer that needs no NLTK data: this module's splitter and regex words."""

    language = "english"

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        """Split a paragraph into sentences."""
        return tuple(split_sentences(paragraph))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        """Split a sentence into words: runs of letters and digits, keeping inner `'` and `-`."""
        return tuple(_WORD.findall(sentence))
