"""Stored shapes: a column holds one typed shape (or enum) and converts it where it is stored.

Writers assign the value (a `StoryQuote`, a `Rendered`...) and readers get it back; the JSON
is written by the shape's own `to_json` and read by its `from_json`, nowhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any, Generic, Protocol, Self, TypeVar

from sqlalchemy import JSON, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class Shape(Protocol):
    """A value kept as JSON: it writes itself and reads itself back."""

    def to_json(self) -> Any: ...

    @classmethod
    def from_json(cls, data: Any, /) -> Self: ...


S = TypeVar("S", bound=Shape)


class JsonOf(TypeDecorator[S], Generic[S]):
    """A column holding one shape (or nothing)."""

    impl = JSON
    cache_ok = True

    def __init__(self, shape: type[S]) -> None:
        super().__init__()
        self.shape = shape

    def process_bind_param(self, value: S | None, dialect: Dialect) -> Any:
        return None if value is None else value.to_json()

    def process_result_value(self, value: Any, dialect: Dialect) -> S | None:
        return None if value is None else self.shape.from_json(value)


class JsonListOf(TypeDecorator[list[S]], Generic[S]):
    """A column holding a list of one shape."""

    impl = JSON
    cache_ok = True

    def __init__(self, shape: type[S]) -> None:
        super().__init__()
        self.shape = shape

    def process_bind_param(self, value: Sequence[S] | None, dialect: Dialect) -> Any:
        return None if value is None else [item.to_json() for item in value]

    def process_result_value(self, value: Any, dialect: Dialect) -> list[S] | None:
        return None if value is None else [self.shape.from_json(item) for item in value]


class StoredEnum(TypeDecorator[StrEnum]):
    """Keep a StrEnum member as its string value and hand the member back."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> StrEnum | None:
        return None if value is None else self.enum(value)
