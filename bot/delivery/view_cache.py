"""Free-word views kept per story version, so words asked for again read no stored sentences.

A story's view for some words changes only when the story is composed again, which raises its
`version`: keys carry the store, the story and that version, so an entry is never stale.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

VIEWS_KEPT = 4096


class LruCache(Generic[K, V]):
    """The last `size` values put, safe to share between the threads that answer requests."""

    def __init__(self, size: int = VIEWS_KEPT) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
