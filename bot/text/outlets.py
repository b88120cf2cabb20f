"""Outlets: a name for where an article came from, and one identity however many hosts it uses.

A story counts its sources by outlet, so `edition.cnn.com` and `www.cnn.com`, or `bbc.co.uk`
and `bbc.com`, must be one outlet. A host is reduced to its registrable domain with the Public
Suffix List (the `tld` package's bundled copy: nothing is downloaded), and the outlet's identity
is that domain's own label (`cnn`, `bbc`). A name with no link (a feed title, a JSON `source`,
a page's `og:site_name`) is reduced to its words less generic ones (`BBC News` is `bbc`), and
two articles that share either identity are one outlet. An article with no outlet at all is a
source of its own: a file name is never taken for an outlet.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from urllib.parse import urlsplit

from tld import get_tld

from newsbrief.bot.model import Source

# Words that name the kind of outlet rather than which: `BBC News`, `The Guardian Online`.
_GENERIC = frozenset(
    {"the", "news", "online", "com", "net", "org", "co", "uk", "www", "newspaper", "live"}
)
_NAME_WORD = re.compile(r"[^\W_]+")
# Well-known outlets under the short names, codes and domains that name them (`nyt`,
# `wash-post`, `nytimes.com`, `The New York Times`): each alias, as `name_key` reduces it, gives
# the outlet's one identity and the name readers know it by.
_KNOWN = {
    "New York Times": ("nyt", "nytimes", "newyorktimes"),
    "Washington Post": ("washpost", "wapo", "washingtonpost"),
    "HuffPost": ("huffpost", "huffingtonpost"),
    "Western Journal": ("westjournal", "westernjournal", "westernjournalism"),
    "USA Today": ("usatoday",),
    "Wall Street Journal": ("wsj", "wallstreetjournal"),
    "Associated Press": ("ap", "apnews", "associatedpress"),
    "Los Angeles Times": ("latimes", "losangelestimes"),
    "New York Post": ("nypost", "newyorkpost"),
    "Fox News": ("fox", "foxnews"),
    "The Guardian": ("guardian", "theguardian"),
    "Financial Times": ("ft", "financialtimes"),
}
_ALIASES = {alias: names[0] for names in _KNOWN.values() for alias in names}
_NAMES = {names[0]: name for name, names in _KNOWN.items()}
_HOST = re.compile(r"(?i)^(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,}(?:/\S*)?$")


def registrable_domain(url: str | None) -> str | None:
    """The domain an outlet registered: `edition.cnn.com` gives `cnn.com`, `news.bbc.co.uk`
    gives `bbc.co.uk`."""
    host = _host(url)
    if host is None:
        return None
    found = get_tld(f"http://{host}", as_object=True, fail_silently=True)
    if found is None or isinstance(found, str) or not found.domain:
        return host.removeprefix("www.")
    return str(found.fld)


def outlet_from_url(url: str | None) -> str | None:
    """Name an outlet by a URL's registrable domain (`cnn.com`), else its host."""
    return registrable_domain(url)


def _host(url: str | None) -> str | None:
    if not url:
        return None
    if "://" not in url:
        url = f"http://{url}"
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    return host.casefold().rstrip(".")


def _domain_label(url: str) -> str | None:
    host = _host(url)
    if host is None:
        return None
    found = get_tld(f"http://{host}", as_object=True, fail_silently=True)
    if found is None or isinstance(found, str) or not found.domain:
        label = host.removeprefix("www.").split(".")[0]
    else:
        label = str(found.domain)
    return _ALIASES.get(label, label)


def name_key(name: str) -> str | None:
    """The identity a bare outlet name gives: `BBC News` and `bbc.co.uk` both give `bbc`."""
    if _HOST.match(name.strip()):
        return _domain_label(name.strip())
    folded = unicodedata.normalize("NFKC", name).casefold()
    words = [w for w in _NAME_WORD.findall(folded) if w not in _GENERIC]
    key = "".join(words)
    return _ALIASES.get(key, key) or None


def known_name(name: str) -> str | None:
    """The name readers know a well-known outlet by, from a code or alias: `wash-post` gives
    `Washington Post`; None for any other."""
    key = name_key(name)
    return _NAMES.get(key) if key else None


def source_keys(source: Source) -> list[str]:
    """Every identity one source shows: its link's domain and its name's words (none known:
    empty)."""
    keys: list[str] = []
    if source.url:
        label = _domain_label(source.url)
        if label:
            keys.append(label)
    if source.name:
        key = name_key(source.name)
        if key and key not in keys:
            keys.append(key)
    return keys


def outlet_identities(sources: Sequence[Source]) -> list[str]:
    """One identity per source, equal for sources of one outlet (sharing a domain or a name).

    A source with no outlet known is an outlet of its own.
    """
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    keyed = [source_keys(source) or [f"unknown:{i}"] for i, source in enumerate(sources)]
    for keys in keyed:
        first = root(keys[0])
        for key in keys[1:]:
            parent[root(key)] = first
    return [root(keys[0]) for keys in keyed]


def source_name(outlet: str | None, url: str | None) -> str | None:
    """Name a source for readers: the outlet, else the link's domain; a file name never is."""
    return outlet or outlet_from_url(url)
