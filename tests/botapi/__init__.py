"""A loopback stand-in for the Telegram Bot API, for tests that must never reach Telegram.

Import it as ``botapi`` (pytest puts ``tests/`` on ``sys.path``); the `botapi` fixture in
``tests/conftest.py`` starts one per test. To keep it out of a measured bot's process,
``python -m botapi`` serves one on its own and `remote.RemoteStandIn` drives it.
"""

from .entities import (
    MAX_MESSAGE_LENGTH,
    EntityParseError,
    MessageTextError,
    ParsedText,
    check_message_text,
    parse_html,
    utf16_len,
)
from .server import (
    DEFAULT_TOKEN,
    ApiCall,
    ApiError,
    BotApiStandIn,
    RateLimits,
    SentMessage,
    Window,
    too_many_requests,
)

__all__ = [
    "DEFAULT_TOKEN",
    "MAX_MESSAGE_LENGTH",
    "ApiCall",
    "ApiError",
    "BotApiStandIn",
    "EntityParseError",
    "MessageTextError",
    "ParsedText",
    "RateLimits",
    "SentMessage",
    "Window",
    "check_message_text",
    "parse_html",
    "too_many_requests",
    "utf16_len",
]
