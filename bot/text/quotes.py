"""Key quotes: verbatim direct quotations in an article, who said them, ranked by salience.

Verbatim: each of a `Quote`'s spans is the words inside their marks (`Quote.spans`). How marks
are paired and split or continued quotations joined: docs/text-engine.md.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from itertools import pairwise

from newsbrief.bot.model import Quote
from newsbrief.bot.text.markup import ELEMENT_TAG
from newsbrief.bot.text.speakers import NAME_RUN, TITLE_ABBREVIATION, Speakers
from newsbrief.bot.text.subjects import PERSON_NOUNS


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_MARK = re.compile(r"''|[\"“”‘’'«»„]")
# Markup left in the text (`<tweet author="@x" date="May 1">`): its marks quote attributes.

_DOUBLE = frozenset(['"', "“", "”", "''", "«", "»", "„"])
_QUOTE_CHARS = "\"“”‘’'«»„"
_OPENISH = "([{—–-/\u00a0" + _QUOTE_CHARS
_CLOSEISH = ".,;:!?)]}—–-/…" + _QUOTE_CHARS
_APOSTROPHE_WORD = re.compile(r"(?:\d\d?s?|em|til|cause|n|tis|twas|bout|round)\b", re.I)

OPEN, CLOSE, EITHER, WEAK, NONE = range(5)

_VERB_WORDS = (
    "said|says|say|added|adds|add|told|tells|tell|wrote|writes|write|tweeted|tweets|posted|"
    "asked|asks|stated|states|explained|explains|noted|notes|argued|argues|insisted|insists|"
    "claimed|claims|declared|declares|continued|continues|recalled|recalls|admitted|admits|"
    "acknowledged|acknowledges|warned|warns|replied|replies|responded|responds|joked|jokes|"
    "quipped|quips|complained|complains|conceded|concedes|suggested|suggests|predicted|"
    "predicts|promised|promises|vowed|vows|announced|announces|observed|observes|remarked|"
    "remarks|shouted|shouts|yelled|yells|cried|boasted|boasts|lamented|laments|countered|"
    "counters|concluded|concludes|emphasized|emphasised|emphasizes|stressed|stresses|urged|"
    "urges|pointed out|points out|went on|goes on|recounted|recounts|wondered|wonders|mused|"
    "muses|reiterated|reiterates|assured|assures|confirmed|confirms|agreed|agrees|charged|"
    "contended|contends|maintained|maintains|testified|pleaded|sighed|scoffed|snapped|"
    "laughed|texted|emailed|chanted|chants|screamed|whispered|marveled|marvelled|bragged|"
    "brags|cautioned|cautions|advised|objected|protested|demanded|demands|answered|answers|"
    "echoed|echoes|repeated|repeats|thundered|exclaimed|exclaims|retorted|interjected|"
    "commented|comments|announced|alleged|alleges|read|reads|began|begins|predicted|"
    "opined|proclaimed|proclaims|acknowledged|offered|offers|explained|shot back|fired back|"
    "written|spoken|stated|put it|puts it|wrote in|recalled|beamed|barked|fumed|pressed|"
    "remembered|cracked|boomed|gushed|sniped|blasted|raged|hollered|muttered|grumbled|"
    "groused|griped|mocked|teased|needled|interrupted|ranted|pleaded|cheered|deadpanned|"
    "wrote on|posted on|messaged|cabled|summed up|sums up|declared|insisted|elaborated|"
    "clarified|conceded|confided|recounted|reflected|reasoned|surmised|speculated|retaliated|"
    "hit back"
)
_VERB = rf"(?:{_VERB_WORDS})"
_ING = (
    r"(?:saying|adding|telling|writing|noting|explaining|arguing|declaring|insisting|warning|"
    r"tweeting|stating|asking|replying|responding|joking|complaining|calling|recalling|"
    r"continuing|claiming|acknowledging|admitting|vowing|promising|observing|concluding)"
)
_ADVERBS = (
    r"(?:(?:also|later|then|again|once|simply|repeatedly|recently|previously|reportedly|"
    r"quickly|flatly|angrily|had|has|have|would|will|could|may|might|once|further|"
    r"\w+ly)\s+){0,2}"
)
_PRONOUNS = frozenset({"he", "she", "they", "we", "i", "it", "you"})
_DETERMINERS = r"(?:the|a|an|one|another|his|her|their|its|our|several|some|many|both|former|then)"
_ABBR = TITLE_ABBREVIATION
_TOK = rf"(?:{_ABBR}|[A-Z]\.|[^\s\"“”.!?;:]+(?:[.](?=[A-Z)])[^\s\"“”.!?;:]*)*)"
# Words that open a new clause, so that no lower-case role words follow: `"desperate", while the
# Liberal Democrats said...` is not an attribution.
_CLAUSE_OPENER = (
    r"(?:while|whilst|whereas|and|but|as|when|because|after|before|though|although|since|if|so|"
    r"or|nor|yet|until|unless|then|where|which|who|that|despite)"
)
_PREPOSITION = r"(?:in|at|on|of|from|for|with|to|by|into|about|near|inside|outside)"
_SUBJECT_AFTER = re.compile(
    rf"[\s,.!?…—–’'-]*(?P<subj>(?:he|she|they|we|I|it)\b|"
    rf"(?:{_DETERMINERS}\s+|(?!{_CLAUSE_OPENER}\b)(?:(?!(?:{_VERB}|{_PREPOSITION})\b)[a-z][\w-]*\s+){{0,5}}"
    rf"(?=[A-Z]))"
    rf"{_TOK}(?:[ \u00a0]{_TOK}){{0,9}}?)"
    rf"(?:,[^,\"“”\n]{{1,150}},)?\s+{_ADVERBS}(?P<verb>{_VERB})\b(?!\s+to\b)",
)
_VERB_FIRST = re.compile(
    rf"[\s,.!?…—–’'-]*(?:{_ADVERBS})(?P<verb>{_VERB})\s+(?P<subj>(?:he|she|they|we|I)\b|"
    rf"(?:{_ABBR}|[A-Z]\.(?=\s*[A-Z])|[^\n\"“”.;:!?()]){{2,120}}?)"
    r"(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSen)(?<!\bRep)(?<!\bGov)(?<!\bGen)(?<!\b[A-Z])"
    r"(?=[,.;:!?()\"“”\n]|\s+(?:in|on|at|during|after|before|when|"
    r"while|who|which|that|of|to|about|told|says|said|and|but|from)\b|$)",
)
_ACCORDING = re.compile(
    r"[\s,.!?…—–’'-]*according\s+to\s+(?P<subj>[^\n\"“”.;:!?()]{2,120}?)(?=[,.;:!?()\"“”\n]|$)"
)
_CONJ = r"(?:and|or|but)\b"
_SUBJECT_BEFORE = re.compile(
    rf"(?P<subj>(?:\b(?:he|she|they|we|I)\b|"
    rf"(?:{NAME_RUN.pattern})|\b(?i:{_DETERMINERS})\s+(?:(?!{_CONJ})[\w’'.-]+\s+){{0,4}}?(?!{_CONJ})[\w’'-]+)"
    rf"(?:\s*\([^()\"“”]{{1,30}}\),?)?(?:,[^,\"“”]{{1,80}},)?)\s+{_ADVERBS}(?P<verb>{_VERB}|{_ING})\b"
)
# An inverted attribution opening its sentence: `Said Dorothy Poynter, who ..., "..."`.
_INVERTED = re.compile(rf"\W*(?=[A-Z])(?i:{_VERB})\s+(?P<subj>{NAME_RUN.pattern})")
# The end of a bare attribution after a closed sentence: `"...." Trump said.`, `said Tuesday.`
_TITLED_OF = re.compile(rf"({NAME_RUN.pattern}) of $")
_AFTER_PREPOSITION = re.compile(
    rf"(?<!according)(?<!according )\b{_PREPOSITION}\s+(?:(?:[A-Z][\w’'-]*|and|the)\s+){{0,4}}$"
)
_APPOSITIVE_NAME = re.compile(rf",\s*({NAME_RUN.pattern})")
# A phrase ending in a name set off by commas: `the Shadow Secretary for the Family, Theresa May,`
_APPOSITIVE_ONLY_NAME = re.compile(rf",\s*({NAME_RUN.pattern}),?\s*$")
_FINAL = re.compile(r"\s*(?:[.!?…]|$)")
_LINE = re.compile(r"[^\n]+")
_CLAUSE_END = re.compile(r"(?:\s+[A-Z][a-z]+)?\s*[.;]")
# A speech verb sharing the sentence's subject: `Ms. Sherry smiled and said, "..."`.
_AND_VERB = re.compile(rf"\band\s+{_ADVERBS}(?:{_VERB})\s*[,:]?\s*$")
_PARTICIPLE_INTRO = re.compile(rf",\s+{_ING}\b[^\"“”,.]{{0,40}}[,:]?\s*$")
_LEADING_SUBJECT = re.compile(
    rf"\W*(?:(?:But|And|So|Yet|Then|Later|Still|Also|Now)\s+)?(?P<subj>(?:He|She)\b|"
    rf"(?:{NAME_RUN.pattern}))(?![\w’'-])"
)
_ACCORDING_BEFORE = re.compile(r"\baccording\s+to\s+(?P<subj>[^,\"“”]{2,80}),\s*$", re.I)
_SENTENCE_END = re.compile(
    r"(?<!\b[A-Z])(?<!\b(?:Mr|Ms|Dr|St|Lt))(?<!\b(?:Mrs|Sen|Rep|Gov|Gen|Col|Sgt))"
    r"[.!?…][\"”’']*\s+(?=[\"“‘'A-Z])"
)
# A quotation left open at a sentence's end, three words or more: `...26 weeks. ` before `"We`.
_CONTINUED_INLINE = re.compile(r"\w+\W+\w+\W+\w+[^\w\n]*[.!?…][ \t]+$")
_ENDED = re.compile(r"[ \t]*[.!?…]")
# A speech cue right before a quotation: `... said:`, `... told reporters,`.
_UNREAD_CUE = re.compile(rf"(?:\b(?:{_VERB_WORDS})\b[^\"“”.!?]{{0,40}})?[:,]$|\b(?:{_VERB_WORDS})$")
_NAME_AFTER_VERB = re.compile(rf"\s+(?:[a-z][\w-]*\s+){{0,3}}(?P<subj>{NAME_RUN.pattern})[.,]")
# `the Interfax news agency quoted Mr Khodorkovsky as saying`
_QUOTED_AS_SAYING = re.compile(
    rf"[,\s]*(?:[\w’'-]+\s+){{0,5}}?quoted\s+(?P<subj>{NAME_RUN.pattern}|him|her)\s+as\s+saying\b"
)
# A full name set off after a quotation's closing comma: its sayer, whatever verb comes later.
_NAME_THEN_ROLE = re.compile(rf"[ \t]*({NAME_RUN.pattern}),\s+(?:a|an|the)\s")
RESOLVED = -1  # the offset of a speaker phrase that is already a resolved name
_DOUBLE_MARK = re.compile(r"''|[\"“”«»„]")
# A quotation that a verb of being follows is a noun in its sentence (a title, a slogan).
_NOUN_USE = re.compile(
    r"[,’'”\"]*\s+(?:is|was|has been|remains|became)\s+(?:very\s+|a\s+|an\s+)?[a-z]"
)
_DETERMINER_WORDS = _wordset("the a an this that its his her their")
# A verb of its own in a determiner phrase before `saying`: the phrase is a clause whose subject
# is the one saying it, not a participle hung on the sentence's subject.
_FINITE = re.compile(r"\b(?:is|was|are|were|be|been|being)\b")
# A role in lower case after a name: the name qualifies it ("Indeed Hiring Lab director").
_ROLE_AFTER = re.compile(r"(?:\s+[a-z][\w-]*)*\s+(?:" + "|".join(sorted(PERSON_NOUNS)) + r")$")
_OF_NAME = re.compile(rf"\s+of\s+(?:[a-z][\w-]*\s+){{1,3}}({NAME_RUN.pattern})")
# A name owning what follows it: `Obama's former campaign strategist`.
_POSSESSED = re.compile(r"[’']s\s+")
# What speaks for its owner: "Powell's office said" is Powell's word.
_SPEAKS_FOR_OWNER = _wordset("office campaign team staff administration government statement")
_SAYING = _wordset(
    """
    said says told added warned argued insisted explained claimed stressed acknowledged
    admitted conceded stated declared noted suggested predicted wrote repeated urged demanded
    accused criticised criticized attacked outlined
    """
)
_INNER_SENTENCE_END = re.compile(r"[.!?…]\s")
_TITLE_CUE = re.compile(
    r"\b(?:book|books|film|films|movie|movies|show|shows|song|songs|album|series|play|titled|"
    r"entitled|called|dubbed|named|nicknamed|known\s+as|headline|headlined|column|article|"
    r"essay|poem|hashtag|program|programme|podcast|documentary|episode|novel|memoir|slogan|"
    r"motto|tagline|label|term|phrase|word|words|speech|report|bill|act|operation)\s*[,:]?\s*$",
    re.I,
)
# Where a sentence names a work or a nickname rather than quoting speech: after a possessive,
# a preposition or an article ("on MSNBC’s", "a show called", "in the movie").
_NAME_SLOT = re.compile(
    r"(?:[’']s|\b(?:on|of|in|at|from|for|to|with|by|the|about|into|like|as))\s*$", re.I
)
_WORD = re.compile(r"[^\W_]+(?:[’'-][^\W_]+)*")
_STOPWORDS = _wordset(
    """
    the a an and or but of to in on at for with from by as is was are were be been that
    this it its he she they we i you his her their our will would have has had not no said
    says about into than then there what which who when where why how all also just more
    very can could should may might must do did does so if
    """
)
# Words left lower-case in English titles: "Born in the U.S.A.", "Law and Order".
_SMALL_WORDS = _wordset("a an the and or nor but of in on at to for by with from as is vs")
_ORG_HEADS = _wordset(
    """
    campaign committee administration government ministry department office agency company
    party group organization organisation council commission court police army spokesman
    spokeswoman
    """
)


@dataclass(slots=True)
class _Part:
    open_at: int  # index of the opening mark
    start: int  # inner span, before trimming
    end: int
    close_end: int  # index just after the closing mark (== end when unterminated)
    para: int
    terminated: bool
    continued: bool = False  # left open at paragraph end and continued by the next
    continues: bool = False  # continues the previous paragraph's quotation
    speaker_phrase: tuple[str, int] | None = None
    cue_after: bool = False
    cue_before: bool = False
    speaker: str | None = None
    group: int = -1
    unread_cue: bool = False  # a speech cue before it that named no one we could read
    reported_by: tuple[str, int] | None = None  # who said something in the sentence before


def _classify(text: str, i: int, j: int, mark: str) -> int:
    prev = text[i - 1] if i > 0 else "\n"
    nxt = text[j] if j < len(text) else "\n"
    openish = prev.isspace() or prev in _OPENISH
    closeish = nxt.isspace() or nxt in _CLOSEISH
    if mark in ("“", "«", "„"):
        return CLOSE if not openish and closeish else OPEN
    if mark in ("”", "»"):
        return OPEN if openish and nxt.isalnum() else CLOSE
    if mark in ('"', "''"):
        o = openish and not nxt.isspace()
        c = not prev.isspace() and closeish
        if o and not c:
            return OPEN
        if c and not o:
            return CLOSE
        return EITHER
    if mark == "‘":
        if prev.isalnum() or nxt.isspace() or _APOSTROPHE_WORD.match(text, j):
            return NONE
        return OPEN
    # ’ and '
    if prev.isalnum() and nxt.isalnum():
        return NONE
    if openish and not nxt.isspace():
        if mark == "’" or _APOSTROPHE_WORD.match(text, j):
            return NONE
        return OPEN
    if not prev.isspace() and closeish:
        if prev in "sSzZ" and re.match(r"\s+[a-z0-9]", text[j : j + 3]):
            return WEAK
        return CLOSE
    return NONE


def _pair(text: str, para_spans: list[tuple[int, int]]) -> list[_Part]:
    """Pair the marks of each paragraph, doubles and singles separately, into quote parts."""
    doubles: list[_Part] = []
    singles: list[_Part] = []
    tags = [m.span() for m in ELEMENT_TAG.finditer(text)] if "<" in text else []
    for p, (ps, pe) in enumerate(para_spans):
        state: dict[bool, tuple[int, int] | None] = {True: None, False: None}
        weak: dict[bool, tuple[int, int] | None] = {True: None, False: None}
        first = True
        # British style within a paragraph whose breaks were lost: `..., 26 weeks. "We are...`
        continuing: dict[bool, bool] = {True: False, False: False}
        for m in _MARK.finditer(text, ps, pe):
            mark = m.group()
            if tags and _inside(tags, m.start()):
                continue
            role = _classify(text, m.start(), m.end(), mark)
            if role == NONE:
                continue
            dbl = mark in _DOUBLE
            out = doubles if dbl else singles
            opened = state[dbl]
            if first and m.start() == ps and role in (OPEN, EITHER) and out:
                prev = out[-1]
                if prev.para == p - 1 and not prev.terminated:
                    prev.continued = True
            if opened is None:
                if role in (OPEN, EITHER):
                    state[dbl] = (m.start(), m.end())
                    weak[dbl] = None
                    continuing[dbl] = False
            elif role in (CLOSE, EITHER):
                out.append(_Part(opened[0], opened[1], m.start(), m.end(), p, True))
                out[-1].continues = continuing[dbl]
                state[dbl] = None
            elif role == WEAK:
                weak[dbl] = weak[dbl] or (m.start(), m.end())
            elif role == OPEN:
                w = weak[dbl]
                again = w is None and _CONTINUED_INLINE.search(text, opened[1], m.start())
                if w is not None:
                    out.append(_Part(opened[0], opened[1], w[0], w[1], p, True))
                    out[-1].continues = continuing[dbl]
                elif again:
                    out.append(_Part(opened[0], opened[1], m.start(), m.start(), p, False))
                    out[-1].continues = continuing[dbl]
                    out[-1].continued = True
                state[dbl] = (m.start(), m.end())
                weak[dbl] = None
                continuing[dbl] = bool(again)
            first = False
        for dbl in (True, False):
            opened = state[dbl]
            if opened is None:
                continue
            out = doubles if dbl else singles
            w = weak[dbl]
            if w is not None:
                out.append(_Part(opened[0], opened[1], w[0], w[1], p, True))
            else:
                out.append(_Part(opened[0], opened[1], pe, pe, p, False))
            out[-1].continues = continuing[dbl]
    # continuation flags: a part that opens its paragraph after a part left open
    for parts in (doubles, singles):
        for a, b in pairwise(parts):
            if a.continued and b.para == a.para + 1 and b.open_at == para_spans[b.para][0]:
                b.continues = True
            elif a.continued and not (b.continues and b.open_at == a.end):
                a.continued = False
    return _nest(doubles, singles)


def _inside(spans: list[tuple[int, int]], at: int) -> bool:
    i = bisect.bisect_right(spans, at, key=lambda span: span[0]) - 1
    return i >= 0 and spans[i][0] <= at < spans[i][1]


def _nest(doubles: list[_Part], singles: list[_Part]) -> list[_Part]:
    """Keep outer quotations: drop a part inside, or crossing, a part of the other kind."""
    if not singles:
        return doubles
    if not doubles:
        return singles
    d_starts = [d.open_at for d in doubles]
    keep_d = [True] * len(doubles)
    keep_s: list[_Part] = []
    for s in singles:
        s_end = s.close_end
        lo = bisect.bisect_right(d_starts, s.open_at) - 1
        crossing = False
        inside = False
        k = max(lo, 0)
        while k < len(doubles) and doubles[k].open_at < s_end:
            d = doubles[k]
            if d.open_at <= s.open_at < d.close_end:
                if s_end <= d.close_end:
                    inside = True
                else:
                    crossing = True
            elif s.open_at < d.open_at < s_end:
                if d.close_end <= s_end:
                    keep_d[k] = False  # double nested in single: British style
                else:
                    crossing = True
            k += 1
        if not inside and not crossing:
            keep_s.append(s)
    merged = [d for d, keep in zip(doubles, keep_d, strict=True) if keep] + keep_s
    merged.sort(key=lambda part: part.open_at)
    return merged


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    return start, end


def _sentence_start(text: str, at: int, floor: int) -> int:
    """The start of the sentence holding `at`, not before `floor` (its paragraph)."""
    seg = text[max(floor, at - 400) : at + 1]  # the mark at `at` shows a sentence starts there
    last = _last(_SENTENCE_END, seg)
    return max(floor, at - 400) + last.end() if last else max(floor, at - 400)


def _last(pattern: re.Pattern[str], s: str) -> re.Match[str] | None:
    match = None
    for match in pattern.finditer(s):  # noqa: B007 - keep the last one
        pass
    return match


def _words(s: str) -> list[str]:
    return _WORD.findall(s)


class _Finder:
    def __init__(self, text: str, title: str | None) -> None:
        self.text = text
        self.people = Speakers("")
        self.title = title
        self.paras = [(m.start(), m.end()) for m in _LINE.finditer(text)]

    def run(self) -> list[Quote]:
        text = self.text
        parts = _pair(text, self.paras)
        self.people = Speakers(text, [(p.open_at, p.close_end) for p in parts])
        kept = [p for p in parts if self._keep(p)]
        self._attribute(kept, self.people)
        return self._rank(kept)

    # -- filtering ------------------------------------------------------------------------

    def _keep(self, part: _Part) -> bool:
        text = self.text
        start, end = _trim(text, part.start, part.end)
        if start >= end:
            return False
        inner = text[start:end]
        n = len(_words(inner))
        if n == 0:
            return False
        if not part.terminated and not part.continued and n < 6:
            return False
        pstart = self.paras[part.para][0]
        sent = _sentence_start(text, part.open_at, pstart)
        before = text[sent : part.open_at]
        after = text[part.close_end : part.close_end + 160]
        self._find_cue(part, before, after, sent)
        if re.match(r"[,.]?\s*by\s+[A-Z]", after):
            return False  # a cited headline or book: "Title," by Author
        if self._named_work(before, inner):
            return False
        if _NOUN_USE.match(after) and not part.cue_after and not part.continues:
            return False  # `"Melania, tell your immigrant story," is very thoughtful`: a title
        intro = part.cue_before and before.rstrip().endswith((":", ","))
        if part.cue_after or intro or part.continues or part.continued:
            return True
        if self._title_cased(inner):
            return False
        initial = not before.strip(" \t—–-" + _QUOTE_CHARS)
        final = inner[-1] in ".!?…" or _FINAL.match(text, part.close_end)
        if initial and final:
            return n >= 3
        return n >= 5

    @classmethod
    def _named_work(cls, before: str, inner: str) -> bool:
        """A show, book or nickname named mid-sentence: `on ABC’s "This Week," Carson said`."""
        tail = before[-40:]
        if "!" in inner or not (_NAME_SLOT.search(tail) or _TITLE_CUE.search(tail)):
            return False
        if cls._title_cased(inner):
            return True
        return inner[:1].isupper() and len(_words(inner)) <= 2

    @staticmethod
    def _title_cased(inner: str) -> bool:
        words = [w for w in _words(inner) if w.casefold() not in _SMALL_WORDS]
        if len(words) < 2:
            return False
        return sum(w[0].isupper() for w in words) >= 0.7 * len(words)

    def _find_cue(self, part: _Part, before: str, after: str, sent: int) -> None:
        text = self.text
        base = part.close_end
        closing = text[part.start : part.end].rstrip()[-1:]
        if part.terminated and not _ENDED.match(after):  # `"critical". Its latest...`
            for pattern in (_SUBJECT_AFTER, _VERB_FIRST, _ACCORDING, _QUOTED_AS_SAYING):
                m = pattern.match(after)
                if m and "\n" not in after[: m.end()]:
                    if closing == "." and not _CLAUSE_END.match(after, m.end()):
                        continue  # "A." He said B: a new sentence, not an attribution
                    subj = m.group("subj")
                    if pattern is _SUBJECT_AFTER and not self._plausible_subject(subj):
                        continue
                    part.speaker_phrase = (subj, base + m.start("subj"))
                    part.cue_after = True
                    return
            opens = not before.strip(" \t—–-" + _QUOTE_CHARS)  # the quotation opens its sentence
            named = _NAME_THEN_ROLE.match(after) if closing == "," and opens else None
            if named and len(named.group(1).split()) >= 2 and self.people.known(named.group(1)):
                # `"...ran for my life," Rochelle Hawkins, a mechanic who was there, ...`
                part.speaker_phrase = (named.group(1), base + named.start(1))
                part.cue_after = True
                return
        m = _ACCORDING_BEFORE.search(before)
        found = _last(_SUBJECT_BEFORE, before)
        participle = _PARTICIPLE_INTRO.search(before) or _AND_VERB.search(before)
        if (
            found is not None
            and not m
            and found.group("verb").endswith("ing")
            and found.group("subj").split()[0].casefold() in _DETERMINER_WORDS
            and not _FINITE.search(found.group("subj"))  # "a woman is heard saying:" says it
        ):
            participle, found = participle or found, None  # "...of the country saying:"
        if participle and not m:
            # `He said Mr Blair had spoken with "such sincerity", adding: "..."`: the sentence's
            # subject adds it; `Trump returned the compliment, telling Reuters, "..."`
            lead = self._leading_subject(before, sent)
            if lead:
                part.speaker_phrase = lead
                part.cue_before = True
                return
            found = None if found and found.start() < participle.start() else found
        if m:
            part.speaker_phrase = (m.group("subj"), sent + m.start("subj"))
            part.cue_before = True
            return
        if found is not None:
            part.speaker_phrase = (found.group("subj"), sent + found.start("subj"))
            part.cue_before = True
            return
        inverted = _INVERTED.match(before)
        if inverted:
            part.speaker_phrase = (inverted.group("subj"), sent + inverted.start("subj"))
            part.cue_before = True
            return
        stripped = before.rstrip()
        if stripped.endswith(":") and len(stripped) < 160:
            # the sentence's first name that is a known person, else the name before the colon
            run = next(
                (r for r in NAME_RUN.finditer(stripped) if self.people.known(r.group())), None
            )
            run = run or re.search(rf"(?:{NAME_RUN.pattern})(?=:$)", stripped)
            if run:
                part.speaker_phrase = (run.group(), sent + run.start())
                part.cue_before = True
                return
        pstart = self.paras[part.para][0]
        if part.open_at == pstart and part.para > 0:
            ps, pe = self.paras[part.para - 1]
            prev = text[ps:pe].rstrip()
            if prev.endswith(":"):
                s = _sentence_start(text, ps + len(prev) - 1, ps)
                seg = text[s : ps + len(prev)]
                found = _last(_SUBJECT_BEFORE, seg) or _INVERTED.match(seg)
                lead = None if found else self._leading_subject(seg, s)
                if found is not None:
                    part.speaker_phrase = (found.group("subj"), s + found.start("subj"))
                    part.cue_before = True
                elif lead is not None:
                    part.speaker_phrase = lead
                    part.cue_before = True
                return
        if _UNREAD_CUE.search(stripped):
            part.unread_cue = True  # `A BBC spokesman said: "..."` read as no one: not the last
        elif not stripped.strip(_QUOTE_CHARS + " \t—–-"):
            part.reported_by = self._previous_sayer(part, sent)

    def _previous_sayer(self, part: _Part, sent: int) -> tuple[str, int] | None:
        """Who said something in the sentence before a quote that has no cue of its own.

        `Mike Hobday said evidence was passed to police. "Our evidence suggests..."`: the quote
        goes on from what its sayer was reported to say, in the same paragraph or at the end
        of the one before.
        """
        ps = self.paras[part.para][0]
        if sent <= ps:
            if part.para == 0 or sent != ps:
                return None
            ps, sent = self.paras[part.para - 1][0], self.paras[part.para - 1][1] + 1
        end = sent - 1
        while end > ps and self.text[end - 1].isspace():
            end -= 1
        start = _sentence_start(self.text, max(ps, end - 1), ps)
        sentence = self.text[start:end]
        if _DOUBLE_MARK.search(sentence):
            return None  # it quotes someone itself
        for subject in self.people.subjects_between(start, end):
            if subject.name and any(
                w in _SAYING for w in _words(self.text[subject.at : end].casefold())
            ):
                return subject.name, RESOLVED
        found = _SUBJECT_BEFORE.search(sentence, 0, 400)
        if found is None or found.start() > 60 or found.group("verb") not in _SAYING:
            return None
        inverted = _NAME_AFTER_VERB.match(sentence, found.end())
        if inverted:  # `The sale has destroyed Yukos, said founder Mikhail Khodorkovsky.`
            return inverted.group("subj"), start + inverted.start("subj")
        return found.group("subj"), start + found.start("subj")

    def _leading_subject(self, sentence: str, start: int) -> tuple[str, int] | None:
        """The person a sentence (at `start`) opens with, after an opener such as `Hours later,`.

        Its subject as `speakers` read it comes first (`Steel analyst Peter Fish, ...`), given
        as a name already resolved (at -1); else a known name or `He` opening it.
        """
        for subject in self.people.subjects_between(start, start + len(sentence)):
            if subject.name:
                return subject.name, RESOLVED
        at = 0
        for _ in range(2):
            lead = _LEADING_SUBJECT.match(sentence, at)
            quoted = lead and sentence[lead.end() : lead.end() + 2].lstrip()[:1] in _QUOTE_CHARS
            if lead and not quoted:  # not `Mr Sullivan "made accounting decisions," he said`
                subj = lead.group("subj")
                if subj in ("He", "She") or self.people.known(subj):
                    return subj, start + lead.start("subj")
            comma = sentence.find(",", at, at + 60)
            if comma < 0:
                return None
            at = comma + 1
        return None

    @staticmethod
    def _plausible_subject(subj: str) -> bool:
        if subj.casefold() in _PRONOUNS:
            return True
        words = subj.split()
        return len(words) <= 12 and not any(w.casefold() in ("is", "was", "are") for w in words)

    # -- attribution ----------------------------------------------------------------------

    def _attribute(self, parts: list[_Part], speakers: Speakers) -> None:
        group = -1
        prev: _Part | None = None
        for part in parts:
            if part.speaker_phrase is not None:
                phrase, at = part.speaker_phrase
                part.speaker = phrase if at == RESOLVED else self._resolve(phrase, at, speakers)
            linked = prev is not None and (
                part.continues
                or (
                    part.speaker_phrase is None
                    and not part.unread_cue
                    and not self._someone_else_between(prev, part, speakers)
                    and (
                        prev.para == part.para or (prev.para == part.para - 1 and self._opens(part))
                    )
                )
            )
            if prev is not None and linked:
                part.group = group
                if part.speaker_phrase is None:
                    part.speaker = prev.speaker
            else:
                group += 1
                part.group = group
                if part.speaker_phrase is None and part.reported_by is not None:
                    phrase, at = part.reported_by
                    part.speaker = phrase if at == RESOLVED else self._resolve(phrase, at, speakers)
            prev = part
        # a part before the cue of its group takes the group's speaker: "A," he said. "B."
        by_group: dict[int, str | None] = {}
        for part in parts:
            if part.speaker is not None:
                by_group.setdefault(part.group, part.speaker)
        for part in parts:
            if part.speaker is None and part.speaker_phrase is None:
                part.speaker = by_group.get(part.group)

    @staticmethod
    def _someone_else_between(a: _Part, b: _Part, speakers: Speakers) -> bool:
        """Whether a sentence about another person comes between two quotes.

        `"A," Mr Howard said. Menzies Campbell repeated his calls. "B."`: B is not Howard's.
        """
        return any(s.name != a.speaker for s in speakers.subjects_between(a.close_end, b.open_at))

    def _opens(self, part: _Part) -> bool:
        return part.open_at == self.paras[part.para][0]

    def _resolve(self, phrase: str, at: int, speakers: Speakers) -> str | None:
        words = phrase.split()
        if not words:
            return None
        first = words[0].casefold().rstrip(",")
        if first in _PRONOUNS and (len(words) == 1 or words[0].endswith(",")):
            return speakers.pronoun(first, at)  # "he said", "she, a former aide, said"
        lead_in = self.text[max(0, at - 60) : at]
        titled_of = _TITLED_OF.search(lead_in)
        if titled_of and speakers.known(titled_of.group(1)):
            return speakers.name(titled_of.group(1))  # "Lord Nicholls of Birkenhead said"
        if _AFTER_PREPOSITION.search(lead_in) and not speakers.known(phrase):
            return None  # "detainee 'A' in Woodhill Prison said": the subject is further back
        if re.fullmatch(r"[A-Z]{2,6}", words[0]) and len(words) == 1:
            return words[0]  # an acronym: "ESPN said"
        head = re.split(r"\s+(?:for|of|at|from|with|in|on|who|which|,)\s|,|\s\(", phrase)[0]
        named_after = _APPOSITIVE_ONLY_NAME.search(phrase)
        if named_after and not speakers.known(head) and len(named_after.group(1).split()) >= 2:
            return speakers.name(named_after.group(1))
        # a role before a name: "Democratic pollster Stan Greenberg", "the columnist Jo Smith"
        # (not an indefinite description: "a New Hampshire Republican")
        named = None
        if first not in ("a", "an", "another", "one"):
            named = re.search(rf"(?:^|\s)({NAME_RUN.pattern})$", head)
            # or a person's full name closing a longer role: "the minister for civil aviation
            # Praful Patel"
            full = None if named else re.search(rf"\s({NAME_RUN.pattern})$", phrase)
            if full and len(full.group(1).split()) >= 2 and speakers.known(full.group(1)):
                named = full
        resolved = speakers.name(named.group(1)) if named else None
        if resolved:
            return resolved
        if re.fullmatch(_DETERMINERS, first, re.I) or phrase[0].islower():
            if first in ("the", "this", "that", "former", "then"):
                resolved = speakers.nominal(head, at)
                if resolved:
                    return resolved
            appositive = _APPOSITIVE_NAME.search(phrase)
            if appositive:
                return speakers.name(appositive.group(1))
            # "the Clinton campaign": named words and an organisation
            hw = [w for w in head.split() if w.casefold() not in ("the", "a", "an")]
            if (
                1 < len(hw) <= 4
                and hw[-1].casefold() in _ORG_HEADS
                and all(w[:1].isupper() for w in hw[:-1])
            ):
                return " ".join(hw)
            return None
        run = NAME_RUN.search(phrase)
        if run is None or run.start() > 0:
            return None
        if _ROLE_AFTER.match(phrase, run.end()):
            # "Indeed Hiring Lab director of research Nick Bunker": the director, if named
            named_role = _OF_NAME.match(self.text, at + len(phrase))
            return speakers.name(named_role.group(1)) if named_role else None
        owned = _POSSESSED.match(phrase, run.end())
        role = phrase[owned.end() :].split(",")[0].split() if owned else []
        if role and role[-1].casefold() not in _SPEAKS_FOR_OWNER:
            # "Obama's former campaign strategist said": the strategist, named or not
            appositive = _APPOSITIVE_NAME.search(phrase) or _APPOSITIVE_NAME.match(
                self.text, at + len(phrase)
            )
            if appositive:  # "Ms. Merkel's spokesman, Steffen Seibert, wrote"
                return speakers.name(appositive.group(1))
            return speakers.nominal(" ".join(role), at)
        resolved = speakers.name(run.group())
        appositive = _APPOSITIVE_NAME.search(phrase) if resolved is None else None
        return speakers.name(appositive.group(1)) if appositive else resolved

    # -- ranking --------------------------------------------------------------------------

    def _rank(self, parts: list[_Part]) -> list[Quote]:
        text = self.text
        lead_end = self.paras[min(1, len(self.paras) - 1)][1] if self.paras else 0
        topic = {
            w.casefold()
            for w in _words((self.title or "") + " " + text[:lead_end])
            if w.casefold() not in _STOPWORDS and len(w) > 3
        }
        seen: dict[str, tuple[int, tuple[bool, bool, float]]] = {}
        quotes: list[Quote] = []
        size = max(len(text), 1)
        for run in self._one_quotation_each(parts):
            spans = [_trim(text, part.start, part.end) for part in run]
            spans = [(s, e) for s, e in spans if e > s]
            pieces = [text[s:e] for s, e in spans]
            inner = pieces[0]
            for part, piece in zip(run[1:], pieces[1:], strict=True):
                inner += (" " if part.continues else " ... ") + piece
            start, end = spans[0][0], spans[-1][1]
            last = run[-1]
            speaker = next((part.speaker for part in run if part.speaker), None)
            words = _words(inner)
            n = len(words)
            if n <= 2:
                length = 0.1
            elif n <= 5:
                length = 0.4
            elif n <= 8:
                length = 0.7
            elif n <= 40:
                length = 1.0
            elif n <= 70:
                length = 0.8
            else:
                length = 0.6
            score = 0.4 * length
            if speaker:  # a named sayer lifts a statement more than a fragment ("makes me smart")
                score += 0.2 * length
            if inner[:1].isupper():
                score += 0.05
            if inner[-1:] in ".!?…" or text[last.start : last.end].rstrip()[-1:] == ",":
                score += 0.05
            content = {w.casefold() for w in words if w.casefold() not in _STOPWORDS}
            if content and topic:
                score += 0.15 * min(1.0, len(content & topic) / min(len(content), 6))
            score += 0.15 * (1.0 - start / size)
            if not last.terminated:
                score *= 0.8
            key = quote_key(inner)
            salience = round(min(score, 1.0), 4)
            pieces_at = tuple(spans) if len(run) > 1 else ()
            quote = Quote(inner, speaker, start, end, salience, pieces_at)
            rank = (speaker is not None, any(p.cue_after for p in run), quote.salience)
            if key in seen:
                # the same words twice (a headline and the body): keep the better attributed
                k, old_rank = seen[key]
                if rank > old_rank:
                    quotes[k] = quote
                    seen[key] = (k, rank)
                continue
            seen[key] = (len(quotes), rank)
            quotes.append(quote)
        quotes.sort(key=lambda q: (-q.salience, q.start))
        return quotes

    def _one_quotation_each(self, parts: list[_Part]) -> list[list[_Part]]:
        """Gather the parts of one quotation: split around its attribution, or continued."""
        runs: list[list[_Part]] = []
        for part in parts:
            prev = runs[-1][-1] if runs else None
            if prev is not None and self._same_quotation(prev, part):
                runs[-1].append(part)
            else:
                runs.append([part])
        return runs

    def _same_quotation(self, a: _Part, b: _Part) -> bool:
        if a.speaker and b.speaker and a.speaker != b.speaker:
            return False
        if a.group != b.group and not (a.speaker and a.cue_after):
            return False  # `"A," Putin said. "B," he added.` is still one quotation
        if b.continues:
            return True
        if a.para != b.para or not a.terminated:
            return False
        # only the attribution between: `"A," Putin said on Thursday. "B."`
        gap = self.text[a.close_end : b.open_at].strip(" \t,.;:!?—–-" + _QUOTE_CHARS)
        if not gap:
            return True
        return a.cue_after and len(gap) <= 120 and not _INNER_SENTENCE_END.search(gap)


def find_quotes(text: str, *, title: str | None = None) -> list[Quote]:
    """Find the direct quotations in `text` with their speakers, best first."""
    if not text:
        return []
    return _Finder(text, title).run()


_KEY_DROP = re.compile(r"[^\w\s]+|_")


def quote_key(text: str) -> str:
    """Normalise a quotation so the same words reported by several outlets compare equal."""
    s = unicodedata.normalize("NFKC", text).casefold()
    s = s.replace("’", "'").replace("‘", "'")
    s = re.sub(r"(\w)'(\w)", r"\1\2", s)
    s = _KEY_DROP.sub(" ", s)
    return " ".join(s.split())
