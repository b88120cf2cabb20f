"""URLs: the one check every URL newsbrief will fetch passes, and canonical forms for keys."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from newsbrief.bot.errors import InvalidUrl

__all__ = ["MAX_URL_CHARS", "canonical_url", "checked_url", "is_fetchable_url"]

MAX_URL_CHARS = 2048  # the store's limit for a feed's URL and an article's key
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "yclid",
        "_ga",
        "ref",
        "ref_src",
        "cmpid",
        "ito",
        "ocid",
        "smid",
        "mkt_tok",
        "spm",
        "at_medium",
        "at_campaign",
    }
)
DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST = re.compile(r"(?:[\w-]{1,63}\.){0,126}[\w-]{1,63}\.?|[0-9a-f:.]{2,45}", re.I)


def checked_url(text: str) -> str:
    """Return `text` stripped when it is an http(s) URL with a host and a valid port; else raise.

    The one check behind `feeds add`, `ingest --feed`, OPML import, the bot's `/addfeed` and
    the links of feed items, so each accepts exactly what the others accept.
    """
    url = text.strip()
    shown = repr(url[:80] + ("…" if len(url) > 80 else ""))
    if not url:
        raise InvalidUrl("empty URL")
    if any(not c.isprintable() or c.isspace() for c in url):
        raise InvalidUrl(f"{shown} has spaces or control characters")
    if len(url) > MAX_URL_CHARS:
        raise InvalidUrl(f"{shown} is longer than {MAX_URL_CHARS} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise InvalidUrl(f"{shown} is malformed: {error}") from None
    if parts.scheme.lower() not in DEFAULT_PORTS:
        raise InvalidUrl(f"{shown} is not an http:// or https:// URL")
    if not parts.hostname:
        raise InvalidUrl(f"{shown} has no host")
    if not _HOST.fullmatch(parts.hostname):
        raise InvalidUrl(f"{shown} has an invalid host name")
    if port == 0:
        raise InvalidUrl(f"{shown} has port 0")
    return url


def is_fetchable_url(text: str) -> bool:
    """Tell whether `checked_url` accepts text."""
    try:
        checked_url(text)
    except InvalidUrl:
        return False
    return True


def canonical_url(url: str) -> str:
    """Drop tracking parameters and fragments; normalise scheme, host, port and trailing slash.

    Never raises: a URL too malformed to normalise is its own canonical form.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().removeprefix("www.")
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    netloc = host
    if port and port != DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMETERS
    ]
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))
