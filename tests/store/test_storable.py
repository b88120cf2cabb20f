import os

import pytest

from newsbrief.bot.store.storable import display_path, storable, storable_key, storable_line


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("plain text", "plain text"),
        ("a\x00b", "ab"),
        ("lone \ud800 surrogate", "lone \ufffd surrogate"),
        ("pair \U0001f600 kept", "pair \U0001f600 kept"),
    ],
)
def test_text_loses_only_what_no_store_takes(given: str, stored: str) -> None:
    assert storable(given) == stored


def test_a_long_key_keeps_its_start_and_stays_unique() -> None:
    one, two = "k" * 3000 + "1", "k" * 3000 + "2"
    assert len(storable_key(one, 1024)) == 1024
    assert storable_key(one, 1024) != storable_key(two, 1024)
    assert storable_key("short", 1024) == "short"


def test_a_line_is_cut_with_an_ellipsis() -> None:
    assert storable_line("x" * 300, 256) == "x" * 255 + "…"


def test_a_file_name_shows_bytes_that_are_not_utf8_as_escapes() -> None:
    assert display_path(os.fsdecode(b"/news/caf\xe9.txt")) == "/news/caf\\xe9.txt"
    assert display_path("/news/a\x00b.txt") == "/news/ab.txt"
    assert display_path("/news/\ud800.txt").encode("utf-8")
