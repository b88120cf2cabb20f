"""The brief algorithms' names, apart from their code so a command can list them without sumy."""

from __future__ import annotations

__all__ = ["ALGORITHMS", "DEFAULT_ALGORITHM"]

DEFAULT_ALGORITHM = "newsrank"
ALGORITHMS: tuple[str, ...] = (
    DEFAULT_ALGORITHM,
    "lexrank",
    "textrank",
    "luhn",
    "lsa",
    "sumbasic",
    "kl",
    "edmundson",
)
