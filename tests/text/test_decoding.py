import codecs

import pytest

from newsbrief.bot.text.decoding import charset_of, decode_bytes

LATIN = "Café crème à la française, déjà vu."


@pytest.mark.parametrize(
    ("data", "options", "text", "codec", "guessed"),
    [
        (LATIN.encode(), {}, LATIN, "utf-8", False),
        (codecs.BOM_UTF8 + LATIN.encode(), {}, LATIN, "utf-8", False),
        (LATIN.encode("utf-16"), {}, LATIN, "utf-16", False),
        (LATIN.encode("utf-32"), {}, LATIN, "utf-32", False),
        (LATIN.encode("cp1252"), {}, LATIN, "cp1252", True),
        (
            LATIN.encode("latin-1"),
            {"content_type": "text/html; charset=ISO-8859-1"},
            LATIN,
            "iso8859-1",
            False,
        ),
        (  # a page's <meta> is read only when the bytes are not UTF-8
            f'<meta charset="koi8-r"><p>{"Привет, мир"}</p>'.encode("koi8-r"),
            {"html": True},
            '<meta charset="koi8-r"><p>Привет, мир</p>',
            "koi8-r",
            False,
        ),
        (  # and a <meta> that lies about valid UTF-8 is not believed
            f'<meta charset="latin-1"><p>{LATIN}</p>'.encode(),
            {"html": True},
            f'<meta charset="latin-1"><p>{LATIN}</p>',
            "utf-8",
            False,
        ),
    ],
)
def test_bytes_decode_by_the_best_evidence(
    data: bytes, options: dict[str, object], text: str, codec: str, guessed: bool
) -> None:
    decoded = decode_bytes(data, **options)  # type: ignore[arg-type]
    assert (decoded.text, decoded.codec, decoded.guessed) == (text, codec, guessed)


def test_an_unknown_declared_charset_is_ignored() -> None:
    assert charset_of("text/xml; charset=no-such-codec") is None
    assert charset_of('application/rss+xml; charset="UTF-8"') == "utf-8"
    assert decode_bytes(b"plain", content_type="text/plain; charset=bogus").codec == "utf-8"
