"""Who said it: person names in an article and the resolution of `he`, `the senator` to them.

A light rule-based coreference for quote attribution, not a general NER. Names are runs of
capitalised words with titles split off (`Russian President Vladimir Putin` gives the person
`Vladimir Putin` with the roles `russian`, `president`); a mention resolves to the fullest name
in the article with the same surname. Pronouns take the most recent person mentioned as a
subject (not after a preposition, not possessive, not inside a quotation) whose gender does not
contradict them; role nouns (`the Kremlin leader`) take the person whose title words match, and
only when that choice is unique. Anything else is unknown: `None`, never a guess.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from newsbrief.bot.text.subjects import (
    PERSON_NOUNS,
    ROLE_BREAKERS,
    NameSpan,
    Subject,
    sentence_spans,
    sentence_subjects,
)


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_UP = "A-ZÀ-ÖØ-Þ"
_LOW = "a-zß-öø-ÿĀ-ſ"
_CAP_WORD = rf"(?:O[’']|D[’'])?[{_UP}][{_LOW}]+(?:[{_UP}][{_LOW}]+)?"
_CAP = rf"{_CAP_WORD}(?:-{_CAP_WORD})*"  # Murphy-O'Connor
# A title or suffix abbreviation before or after a name; quotes.py matches names with it too.
TITLE_ABBREVIATION = (
    r"(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Capt|Adm|Prof|Rev|Sens|Reps|Jr|Sr|St)\."
)
# Korean given names keep their lower-case second syllable: Ban Ki-moon, Kim Jong-un (never the
# first word of a name, and never an English compound: New York-born, Kansas City-area).
_SYLLABLES = (
    rf"[{_UP}][{_LOW}]{{1,4}}-(?!(?:born|area|era|led|type|style|like|based)\b)[a-z]{{2,4}}\b"
)
_SYLLABLE_TOKEN = re.compile(_SYLLABLES)
_TOKEN = rf"(?:{TITLE_ABBREVIATION}|{_CAP}|(?:[A-Z]\.){{1,3}})"  # G.K. Butterfield
# Lower-case surname particles, up to two in a row: Charles de Gaulle, Nick van den Brul.
_PARTICLE = r"(?:de|da|del|della|der|den|di|do|dos|du|la|le|van|von|ter|ten|bin|ibn|al|el)"
NAME_RUN = re.compile(
    rf"(?<![\w’'-]){_TOKEN}(?:[ \u00a0](?:{_PARTICLE} ){{0,2}}(?:{_SYLLABLES}|{_TOKEN}))*"
)

# Capitalised words that open sentences or qualify names but are not part of one.
_STOP = _wordset(
    """
    the a an and but or nor so yet for in on at by of to from with about as if when while
    after before since until though although because asked according still however
    meanwhile this that these those his her their its our my your we they he she it i
    there here you some many most other both such also even now then last next first new more
    much every each all any no not what who whom whose which where why how do does did has
    have had is was were are be been will would could should may might must can can't
    don't yes mr mrs ms dr monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    today tonight yesterday tomorrow breaking update updated watch read also related u.s u.k
    u.n e.u
    latest news photo video image via speaking during despite unlike like instead among
    against over under between through without within during inside outside across along
    around beyond near world politics opinion sport sports business national local
    international exclusive analysis live said says added asked told wrote continued stated
    """
)

TITLES = _wordset(
    """
    president president-elect secretary-general vice sen senator senators rep representative
    congressman congresswoman gov governor secretary minister mayor judge justice gen general col
    adm admiral chairman chairwoman chair speaker leader director spokesman spokeswoman
    spokesperson mr mrs ms dr prof professor rev pope king queen prince princess
    chancellor premier ambassador attorney officer commissioner chief sheriff lt sgt capt
    captain commander candidate nominee chancellor deputy lawmaker adviser advisor aide
    host anchor reporter correspondent coach manager ceo founder executive analyst
    strategist pastor bishop cardinal rabbi imam sens reps lady sir lord dame
    """
)

_ORG = _wordset(
    """
    house senate congress party department committee news times post journal university
    college institute foundation association council court agency administration campaign
    company corp inc group network center centre street city county state states union
    republic kingdom ministry office service bank fund commission board church airport
    army navy force guard club press school hospital square park river sea ocean island
    mountain valley bay lake road avenue hall tower bridge museum library coalition
    alliance federation front movement organization organisation society trust project
    initiative media television radio magazine review tribune herald daily weekly today
    channel street kremlin pentagon capitol assembly parliament cabinet police airlines
    airways prison jail cathedral abbey chapel temple mosque mass christmas easter cup league
    championship championships games olympics festival awards award prize index exchange
    market markets stadium arena centre theatre theater gallery hotel station holdings plc
    ltd llc motors software systems technologies labs studios records pictures entertainment
    communications telecom energy pharmaceuticals partners securities insurance reserve
    treasury commons lords bureau unit team fc united day week programme program air
    operation
    """
)

# Verbs that end a capitalised run in a headline: "Hollande Says Trump ...", "Trump Slams ...".
_VERBS = _wordset(
    """
    says said tells told slams calls asks warns urges addresses rips blasts defends praises
    backs endorses accuses attacks hits vows admits denies claims explains responds reacts
    announces launches reveals insists wants slammed called asked warned urged
    """
)
_HEADLINE_BREAKS = _VERBS | _wordset("of under for in on at to from with the and by as is are")

# First words of place names, which are not people: "South Carolina", "New Hampshire".
_PLACE_FIRST = _wordset(
    """
    north south east west new san los las santa saint fort port mount lake great united
    middle upper lower central northern southern eastern western greater little
    """
)
# Titles that always precede a name, so that the word after them is a name even when it is
# also a title (`Mr. King`, `Ms. Chancellor`).
_HONORIFICS = _wordset("mr mrs ms dr sen rep gov gen prof rev")
_MALE_TITLES = _wordset(
    """
    mr king prince sir lord congressman spokesman chairman pope father brother
    """
)
_FEMALE_TITLES = _wordset(
    """
    mrs ms queen princess lady dame congresswoman spokeswoman chairwoman mother sister
    """
)

_FEMALE = _wordset(
    """
    mary jane patricia jennifer ellen linda elizabeth barbara susan jessica sarah karen nancy lisa
    betty margaret sandra ashley kimberly emily donna michelle dorothy carol amanda
    melissa deborah stephanie rebecca sharon laura cynthia kathleen amy shirley angela
    helen anna brenda pamela nicole emma samantha katherine christine debra rachel
    catherine carolyn janet ruth maria heather diane virginia julie joyce victoria olivia
    kelly christina lauren joan evelyn judith megan cheryl andrea hannah martha jacqueline
    frances gloria ann teresa kathryn sara janice jean alice madison doris abigail julia
    judy grace denise amber marilyn beverly danielle theresa sophia marie diana brittany
    natalie isabella charlotte rose alexis kayla hillary hilary nikki condoleezza sonia
    elena ruth kamala nancy elizabeth ivanka melania michelle chelsea sarah huma donna
    debbie carly jill tulsi kellyanne hope sheryl meghan megyn katie kate claire susana
    jeanne jan valerie maxine dianne barbara kirsten tammy amy elise marsha lisa loretta
    janet theresa angela marine ursula jacinda giorgia liz
    """
)

_MALE = _wordset(
    """
    james john robert michael william david richard joseph thomas charles christopher
    daniel matthew anthony mark donald steven paul andrew joshua kenneth kevin brian
    george timothy ronald edward jason jeffrey ryan jacob gary nicholas eric jonathan
    stephen larry justin scott brandon benjamin samuel gregory alexander frank patrick
    raymond jack dennis jerry tyler aaron jose adam nathan henry douglas zachary peter
    kyle ethan walter noah jeremy christian keith roger terry gerald harold sean austin
    carl arthur lawrence dylan jesse jordan bryan billy joe bruce gabriel logan albert
    willie alan juan wayne elijah randy roy vincent ralph eugene russell bobby mason
    philip louis barack bernie ted marco jeb chris rand ben mike mitch newt rudy reince
    corey paul bill hugh vladimir bashar xi emmanuel boris recep benjamin volodymyr sergei
    dmitry kim narendra justin rick tim reid harry lindsey al joe hunter beau kanye jim
    jimmy ron sean steve tom tony marty martin keir rishi olaf
    """
)

# Up to four lower-case words after a name: "Liberal Democrat foreign affairs spokesman".
_NEXT_WORDS = re.compile(r"(?:[ \u00a0][a-z][a-z-]*\b){1,4}")
PRONOUN_REACH = 2000  # characters back to look for a pronoun's person
_NONSPACE = re.compile(r"\S+")
_SUFFIXES = frozenset(("Jr.", "Sr."))
_POSSESSIVE = re.compile(r"[’']s\b")
_LOWER_ROLES = re.compile(r"((?:[a-z][\w-]*\s+){1,3})$")
_APPOSITIVE = re.compile(r",\s+(?:the|a|an)\s+([^,.;:()\"“”]{3,60}?)[,.;]")

_PRONOUN_GENDER = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f"}

_PREP_BEFORE = re.compile(
    r"(?:\b(?:of|to|with|about|from|by|for|against|at|on|in|into|than|like|toward|towards|"
    r"over|under|between|and|or|nor|versus|vs\.|beat|defeated|met|meet|called|told|asked|"
    r"urged|said|says|the|a|an)|[’']s)\s+$",
    re.I,
)

# Seats of government used as metonyms for their country in role nouns (`the Kremlin leader`).
_METONYMS = {
    "kremlin": ("russia", "russian", "moscow"),
    "white": ("u.s.", "us", "american", "america"),
    "downing": ("british", "britain", "uk", "u.k."),
    "elysee": ("french", "france"),
    "élysée": ("french", "france"),
    "beijing": ("chinese", "china"),
    "moscow": ("russia", "russian"),
    "washington": ("u.s.", "us", "american"),
    "kyiv": ("ukraine", "ukrainian"),
    "kiev": ("ukraine", "ukrainian"),
    "tehran": ("iran", "iranian"),
    "pyongyang": ("north", "korean"),
}
_HEAD_SYNONYMS = {
    "leader": ("leader", "president", "premier", "chancellor", "king", "queen", "prime"),
    "president": ("president", "president-elect", "leader"),
    "senator": ("senator", "sen", "sens"),
    "sen": ("senator", "sen"),
    "governor": ("governor", "gov"),
    "representative": ("representative", "rep", "congressman", "congresswoman"),
    "congressman": ("congressman", "rep", "representative"),
    "congresswoman": ("congresswoman", "rep", "representative"),
    "candidate": ("candidate", "nominee", "hopeful"),
    "nominee": ("nominee", "candidate"),
    "secretary": ("secretary",),
    "minister": ("minister", "premier"),
    "spokesman": ("spokesman", "spokesperson"),
    "spokeswoman": ("spokeswoman", "spokesperson"),
    "mayor": ("mayor",),
    "chancellor": ("chancellor", "leader"),
}


@dataclass(slots=True)
class Person:
    """A person named in the article: the fullest name seen, roles and gender when known."""

    name: str
    tokens: tuple[str, ...]  # without a generational suffix
    roles: set[str] = field(default_factory=set)
    gender: str | None = None
    mentions: int = 0
    suffix: str = ""  # `Jr.`: Donald Trump Jr. is not Donald Trump


@dataclass(frozen=True, slots=True)
class Mention:
    """One occurrence of a name, with the surname it resolves through."""

    start: int
    end: int
    tokens: tuple[str, ...]
    subject: bool
    person: bool


def _title_end(words: Sequence[str], k: int) -> int:
    """Where the titles before a name end; `Mr. King`, `Tom Prince` keep their surname."""
    j = k
    for idx in range(k, len(words)):
        if words[idx] in TITLES:
            j = idx + 1
    if j == len(words) > k and len(words) >= 2:
        if len(words) - k >= 2 and _first_gender(words[k]):
            return k  # a first name, then a surname that is also a title: "Tom Prince"
        if words[-2] in _HONORIFICS:
            return j - 1
    return j


def _without_suffix(tokens: Sequence[str]) -> tuple[tuple[str, ...], str]:
    """Split `Donald Trump Jr.` into its name tokens and its generational suffix."""
    if tokens and tokens[-1] in _SUFFIXES:
        return tuple(tokens[:-1]), tokens[-1]
    return tuple(tokens), ""


def _same_stem(a: str, b: str) -> bool:
    return a == b or (min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a)))


def _first_gender(first: str) -> str | None:
    low = first.casefold()
    if low in _FEMALE:
        return "f"
    if low in _MALE:
        return "m"
    return None


class Speakers:
    """The people of one article, built once, queried for each quotation's attribution."""

    def __init__(self, text: str, quoted: Sequence[tuple[int, int]] = ()) -> None:
        self.text = text
        self.people: dict[str, list[Person]] = {}
        self.mentions: list[Mention] = []
        spans = sorted(quoted)
        starts = [s for s, _ in spans]
        parsed: list[tuple[int, int, tuple[str, ...], list[str], bool, bool]] = []
        for match in NAME_RUN.finditer(text):
            i = bisect.bisect_right(starts, match.start()) - 1
            if i >= 0 and spans[i][0] <= match.start() < spans[i][1]:
                continue
            run = self._parse(match.start(), match.group())
            if run is not None:
                parsed.append(run)
                start, end, tokens, roles, titled, org = run
                if not org and (len(tokens) >= 2 or titled):
                    self._register(tokens, roles)
        for start, end, tokens, roles, titled, org in parsed:
            low = _without_suffix(tokens)[0][-1].casefold()
            person = not org and (len(tokens) >= 2 or titled or low in self.people)
            if person and len(tokens) == 1 and not titled:
                self._count(tokens, roles)
            subject = not _PREP_BEFORE.search(text[max(0, start - 12) : start]) and not (
                _POSSESSIVE.match(text, end)
            )
            self.mentions.append(Mention(start, end, tokens, subject, person))
        self._starts = [m.start for m in self.mentions]
        sentences = sentence_spans(text)
        self._sentence_starts = [start for start, _ in sentences]
        self.subjects = sentence_subjects(text, sentences, self._name_spans(), spans, self.nominal)
        self._subject_starts = [s.at for s in self.subjects]

    def _name_spans(self) -> list[NameSpan]:
        spans = []
        for m in self.mentions:
            found = self.person(m.tokens) if m.person else None
            name, gender = (found.name, found.gender) if found else (None, None)
            spans.append(NameSpan(m.start, m.end, name, gender))
        return spans

    # -- building -------------------------------------------------------------------------

    def _parse(
        self, start: int, run: str
    ) -> tuple[int, int, tuple[str, ...], list[str], bool, bool] | None:
        raw = [(m.start() + start, m.group()) for m in _NONSPACE.finditer(run)]
        words = [w.rstrip(".").casefold() for _, w in raw]
        k = 0
        while k < len(words) and words[k] in _STOP:
            k += 1
        j = _title_end(words, k)
        # `Dr Fox`, `Mr Blair` (British style, no full stop): the honorific is a title
        honorifics = [w for w in words[:k] if w in _HONORIFICS]
        roles = honorifics + words[k:j]
        body = raw[j:]
        # a headline: "Francois Hollande Says Donald Trump ...", "Experience Of Serving Under"
        cut = next((i for i, (_, w) in enumerate(body) if w.casefold() in _HEADLINE_BREAKS), None)
        body = body[:cut]
        tokens = tuple(w for _, w in body)
        if not _without_suffix(tokens)[0]:
            return None
        lows = [t.casefold() for t in tokens]
        # "Air Force Gen. Norman Ham" is a person: a title ends the organisation's words
        org = any(w in _ORG for w in lows) or (j == k and any(r in _ORG for r in roles))
        org = org or (lows[0] in _PLACE_FIRST and j == k)
        end = body[-1][0] + len(body[-1][1])
        # a name that qualifies a role is not a person: "Lib Dem spokesman", "Labour leader"
        org = org or self._qualifies_a_role(end)
        s = body[0][0]
        # a lowercase role phrase right before the name: "presidential candidate Martin O'Malley"
        lower_roles = _LOWER_ROLES.search(self.text, max(0, s - 60), s)
        if lower_roles:
            cand = [w.casefold() for w in lower_roles.group(1).split()]
            if j or cand[-1] in TITLES:
                roles = cand + roles
        # appositive: "Martin O'Malley, the former Maryland governor,"
        after = _APPOSITIVE.match(self.text, end, end + 80)
        if after:
            # not the titles of whom it names: "a surrogate for Mr. Sanders" is no man
            named = (re.sub(r"[’']s$", "", w.casefold()) for w in after.group(1).split())
            roles += [w for w in named if w.rstrip(".") not in _HONORIFICS]
        return s, end, tokens, roles, j > k or bool(honorifics), org

    def _qualifies_a_role(self, end: int) -> bool:
        """Whether a name at `end` is followed by the role it qualifies: "Lib Dem spokesman"."""
        after = _NEXT_WORDS.match(self.text, end)
        for word in after.group().split() if after else ():
            if word in PERSON_NOUNS:
                return True
            if word in ROLE_BREAKERS:
                return False
        return False

    def _count(self, tokens: tuple[str, ...], roles: Sequence[str]) -> None:
        found = self.person(tokens)
        if found is not None:
            found.mentions += 1
            found.roles.update(roles)

    def _register(self, full: tuple[str, ...], roles: Sequence[str]) -> None:
        tokens, suffix = _without_suffix(full)
        surname = tokens[-1].casefold()
        people = self.people.setdefault(surname, [])
        gender = _first_gender(tokens[0]) if len(tokens) >= 2 else None
        for r in roles:
            if r in _MALE_TITLES:
                gender = "m"
            elif r in _FEMALE_TITLES:
                gender = "f"
        for p in people:
            if p.suffix != suffix or (gender and p.gender and gender != p.gender):
                continue  # "Mr. Obama" is not Michelle Obama
            if len(tokens) == 1 or len(p.tokens) == 1 or p.tokens[0] == tokens[0]:
                if len(tokens) > len(p.tokens):
                    p.tokens, p.name = tokens, " ".join((*tokens, suffix)).strip()
                p.roles.update(roles)
                p.gender = p.gender or gender
                p.mentions += 1
                return
        name = " ".join((*tokens, suffix)).strip()
        person = Person(name, tokens, set(roles), gender, 1, suffix)
        people.append(person)
        if len(tokens) >= 2 and _SYLLABLE_TOKEN.fullmatch(tokens[-1]):
            # a Korean name: the family name comes first ("Ban said" is Ban Ki-moon)
            self.people.setdefault(tokens[0].casefold(), []).append(person)

    # -- queries --------------------------------------------------------------------------

    def person(self, full: Sequence[str], gender: str | None = None) -> Person | None:
        """The person a name mention refers to, preferring the fullest and most mentioned name."""
        tokens, suffix = _without_suffix(full)
        if not tokens:
            return None
        people = self.people.get(tokens[-1].casefold(), [])
        if suffix or any(not p.suffix for p in people):
            people = [p for p in people if p.suffix == suffix]
        if len(tokens) >= 2:
            firsts = [p for p in people if p.tokens[0] == tokens[0]]
            if firsts and (_first_gender(tokens[0]) or len(firsts) == len(people)):
                people = firsts
        if gender:
            people = [p for p in people if p.gender in (None, gender)]
        if not people:
            if len(tokens) == 1:
                # a first name alone: "Hillary said"
                firsts = [
                    p
                    for group in self.people.values()
                    for p in group
                    if len(p.tokens) >= 2 and p.tokens[0] == tokens[0]
                ]
                if len(firsts) == 1:
                    return firsts[0]
            return None
        return max(people, key=lambda p: (p.mentions, len(p.tokens)))

    def known(self, phrase: str) -> bool:
        """Whether a name phrase refers to a person seen with a full name or a title."""
        tokens, _ = self._split(phrase)
        return bool(tokens) and self.person(tokens) is not None

    def name(self, phrase: str) -> str | None:
        """The fullest name for a name phrase such as `Sen. Ted Cruz` or `Putin`."""
        tokens, roles = self._split(phrase)
        if not tokens:
            return None
        gender = None
        for r in roles:
            gender = "m" if r in _MALE_TITLES else "f" if r in _FEMALE_TITLES else gender
        found = self.person(tokens, gender)
        return found.name if found else " ".join(tokens)

    def _split(self, phrase: str) -> tuple[tuple[str, ...], list[str]]:
        match = None
        for match in NAME_RUN.finditer(phrase):  # noqa: B007 - keep the last one
            pass
        if match is None:
            return (), []
        words = match.group().split()
        lows = [w.rstrip(".").casefold() for w in words]
        k = 0
        while k < len(lows) and lows[k] in _STOP:
            k += 1
        j = _title_end(lows, k)
        honorifics = [w for w in lows[:k] if w in _HONORIFICS]  # "Mr. Obama" is a man
        return tuple(words[j:]), honorifics + lows[k:j]

    def pronoun(self, word: str, at: int) -> str | None:
        """The latest sentence subject before `at` whose gender fits, else None.

        An unnamed subject that fits (`a spokesman`) stops the search: the pronoun may mean
        them. With no subject that fits, a name of the right gender in the sentence before
        (`Mary Jones met John Smith. "...," he said`) is taken when it is the only one.
        """
        gender = _PRONOUN_GENDER.get(word.casefold())
        if gender is None:
            return None
        i = bisect.bisect_right(self._subject_starts, at) - 1
        while i >= 0 and at - self.subjects[i].at < PRONOUN_REACH:
            subject = self.subjects[i]
            i -= 1
            if subject.gender not in (None, gender):
                continue
            if subject.name is not None and self._rival_in_sentence(subject, gender, at):
                return None  # "Flynn said Trump was right when he said...": he is not clear
            return subject.name
        return self._only_named(gender, at)

    def _rival_in_sentence(self, subject: Subject, gender: str, at: int) -> bool:
        """Whether another person who fits is named between a subject and a pronoun of its
        sentence."""
        k = bisect.bisect_right(self._sentence_starts, at) - 1
        if k < 0 or subject.at < self._sentence_starts[k]:
            return False
        i = bisect.bisect_right(self._starts, subject.at)
        while i < len(self.mentions) and self.mentions[i].start < at:
            m = self.mentions[i]
            i += 1
            p = self.person(m.tokens) if m.person else None
            if p is not None and p.name != subject.name and p.gender in (None, gender):
                return True
        return False

    def subjects_between(self, start: int, end: int) -> list[Subject]:
        """The sentence subjects found in [start, end)."""
        lo = bisect.bisect_left(self._subject_starts, start)
        hi = bisect.bisect_left(self._subject_starts, end)
        return self.subjects[lo:hi]

    def _only_named(self, gender: str, at: int) -> str | None:
        """The one person of a known, fitting gender named in the 300 characters before `at`."""
        i = bisect.bisect_left(self._starts, at) - 1
        found: set[str] = set()
        while i >= 0 and at - self.mentions[i].start < 300:
            m = self.mentions[i]
            i -= 1
            p = self.person(m.tokens) if m.person else None
            if p is not None and p.gender == gender:
                found.add(p.name)
        return found.pop() if len(found) == 1 else None

    def nominal(self, phrase: str, at: int) -> str | None:
        """Resolve a role noun phrase (`the Russian President`) to the one person it fits."""
        words = [w.casefold().strip(",.") for w in phrase.split()]
        words = [w for w in words if w not in ("the", "a", "an", "this", "that", "former")]
        if not words:
            return None
        head, mods = words[-1], words[:-1]
        heads = _HEAD_SYNONYMS.get(head, (head,))
        cands = [
            p
            for group in self.people.values()
            for p in group
            if len(p.tokens) >= 2 or p.roles
            if any(r in heads for r in p.roles)
        ]
        if not cands:
            return None
        if mods:
            wanted: list[str] = []
            for m in mods:
                wanted.append(m)
                wanted.extend(_METONYMS.get(m, ()))
            scored = [
                (sum(any(_same_stem(w, r) for r in p.roles) for w in wanted), p) for p in cands
            ]
            best = max(s for s, _ in scored)
            if best > 0:
                cands = [p for s, p in scored if s == best]
        if len(cands) == 1:
            return cands[0].name
        # several fit: the one mentioned most recently, if it is a clear leader in salience
        recent = self._recent(cands, at)
        return recent.name if recent else None

    def _recent(self, cands: Sequence[Person], at: int) -> Person | None:
        i = bisect.bisect_left(self._starts, at) - 1
        while i >= 0 and at - self.mentions[i].start < 1500:
            m = self.mentions[i]
            i -= 1
            if m.person:
                p = self.person(m.tokens)
                if p is not None and any(p is c for c in cands):
                    return p
        return None
