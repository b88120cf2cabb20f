"""Keep the bot token out of every log line: httpx logs request URLs, and they contain it."""

from __future__ import annotations

import logging

REDACTED = "<token>"
QUIET_LOGGERS = ("httpx", "httpcore")


class RedactSecrets(logging.Filter):
    """Replace secrets in a record's message and traceback before any handler writes it."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def redact(self, text: str) -> str:
        """Replace every known secret in `text`."""
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def protect_secret(secret: str) -> None:
    """Quiet httpx's request logs and redact `secret` in whatever the root handlers write."""
    for name in QUIET_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)
    if not secret:
        return
    for handler in logging.getLogger().handlers:
        found = next((f for f in handler.filters if isinstance(f, RedactSecrets)), None)
        if found is None:
            found = RedactSecrets()
            handler.addFilter(found)
        found.secrets.add(secret)
