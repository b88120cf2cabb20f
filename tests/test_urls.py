import pytest

from newsbrief.bot.urls import canonical_url


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
