import pytest

from newsbrief.bot.errors import InvalidUrl
from newsbrief.bot.urls import canonical_url, checked_url, is_fetchable_url


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        (
            "https://www.Example.com/news/1/?utm_source=tg&utm_medium=x",
            "https://example.com/news/1",
        ),
        ("https://example.com/news/1#comments", "https://example.com/news/1"),
        ("HTTPS://example.com:443/a?fbclid=abc&id=7&gclid=z", "https://example.com/a?id=7"),
        ("http://example.com:8080/a?b=2&a=1", "http://example.com:8080/a?a=1&b=2"),
        ("http://example.com", "http://example.com/"),
    ],
)
def test_tracking_links_collapse_to_one_url(given: str, canonical: str) -> None:
    assert canonical_url(given) == canonical


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("http://127.0.0.1:99999/feed", "Port out of range"),
        ("http://[::1/feed", "Invalid IPv6 URL"),
        ("http://", "no host"),
        ("https:///path", "no host"),
        ("file:///etc/passwd", "not an http"),
        ("gopher://example.com/", "not an http"),
        ("example.com/feed", "not an http"),
        ("http://example.com/a\nb", "control characters"),
        ("http://example.com/a b", "spaces"),
        ("http://exa<mple>.com/", "invalid host"),
        ("http://example.com:abc/", "malformed"),
        ("http://example.com:0/", "port 0"),
        ("http://example.com/" + "a" * 2048, "longer than 2048"),
        ("", "empty"),
    ],
)
def test_urls_newsbrief_will_not_fetch_are_refused_with_the_reason(given: str, reason: str) -> None:
    with pytest.raises(InvalidUrl, match=reason):
        checked_url(given)
    assert not is_fetchable_url(given)


@pytest.mark.parametrize(
    "given",
    [
        "https://example.com/feed.xml",
        "HTTP://Example.COM:8080/rss?x=1#top",
        "http://[::1]:8080/feed",
        "http://127.0.0.1/feed",
        "https://bücher.example/feed",
        "https://user:secret@example.com/private.rss",
    ],
)
def test_ordinary_feed_urls_pass_stripped(given: str) -> None:
    assert checked_url(f"  {given}\n") == given


def test_canonical_form_of_a_malformed_url_is_itself_not_an_exception() -> None:
    assert canonical_url(" http://example.test:99999/a ") == "http://example.test:99999/a"


def test_an_ipv6_host_keeps_its_brackets() -> None:
    assert canonical_url("HTTP://[::1]:8080/feed/") == "http://[::1]:8080/feed"
    assert checked_url(canonical_url("http://[::]")) == "http://[::]/"
