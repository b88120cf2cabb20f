"""Errors newsbrief raises on purpose.

NewsbriefError
 ├── SettingsError       a setting is missing or invalid; raised at start
 ├── ArticleError        one input file or item cannot be used (names it)
 │    └── UnsupportedFile  a file type the loader does not read
 ├── InvalidUrl          a URL newsbrief will not fetch (says why)
 └── UnknownTopic        a command or query names no configured topic
"""

from __future__ import annotations


class NewsbriefError(Exception):
    """Base of every error newsbrief raises on purpose."""


class SettingsError(NewsbriefError):
    """A setting is missing or invalid."""


class ArticleError(NewsbriefError):
    """One input item cannot be used; the message names it and says why."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


class UnsupportedFile(ArticleError):
    """A file whose type the loader does not read."""


class InvalidUrl(NewsbriefError):
    """A URL that is not an http(s) address newsbrief can fetch; the message says why."""


class UnknownTopic(NewsbriefError):
    """A name that matches no configured topic."""
