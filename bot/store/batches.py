"""Split long IN (...) lists, so no query passes more parameters than an engine accepts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

IN_LIST_LIMIT = 500
Value = TypeVar("Value")


def in_chunks(values: Iterable[Value]) -> Iterator[list[Value]]:
    """Yield the values in lists of at most IN_LIST_LIMIT, in their order."""
    items = list(values)
    for start in range(0, len(items), IN_LIST_LIMIT):
        yield items[start : start + IN_LIST_LIMIT]
