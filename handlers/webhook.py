"""Webhook mode: Telegram posts updates to us; every call must carry the secret we registered.

Telegram keeps one webhook registration per bot, the last `setWebhook`'s, so every front end
behind one URL must register the same secret: without one configured, it is derived from the
token (`derived_secret`), never made at random per process. A call with a wrong or missing
secret gets 403; a body that is not an update, with the right secret, gets 400.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import urlsplit

import tornado.httpserver
import tornado.netutil
import tornado.web
from telegram import Update

from newsbrief.bot.errors import SettingsError
from newsbrief.config.settings import Settings
from newsbrief.handlers.runtime import BotApp

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_CONTEXT = b"newsbrief webhook secret"


@dataclass(frozen=True, slots=True)
class WebhookOptions:
    """Where to listen for Telegram's calls, the URL Telegram calls, and the secret they carry."""

    listen: str
    port: int
    path: str
    url: str
    secret: str


def derived_secret(token: str) -> str:
    """Derive the webhook secret from the token: the same in every instance, never the token."""
    return hmac.new(token.encode(), SECRET_CONTEXT, hashlib.sha256).hexdigest()


def webhook_options(settings: Settings) -> WebhookOptions:
    """Read the webhook settings; the secret is the configured one or derived from the token."""
    telegram = settings.telegram
    if telegram.webhook_url is None:
        raise SettingsError("telegram.webhook_url is not set")
    if telegram.webhook_secret is not None:
        secret = telegram.webhook_secret.get_secret_value()
    elif telegram.token is not None:
        secret = derived_secret(telegram.token.get_secret_value())
    else:
        raise SettingsError("telegram.token: set TELEGRAM_BOT_TOKEN to run the bot")
    return WebhookOptions(
        listen=telegram.webhook_listen,
        port=telegram.webhook_port,
        path="/" + urlsplit(telegram.webhook_url).path.strip("/"),
        url=telegram.webhook_url,
        secret=secret,
    )


class _UpdateHandler(tornado.web.RequestHandler):
    """Take one update from Telegram and queue it for the application."""

    def initialize(self, app: BotApp, secret: str) -> None:
        self.app = app
        self.secret = secret.encode()

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, self.secret):
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        try:
            data = json.loads(self.request.body)
            if not isinstance(data, dict):
                raise TypeError("not a JSON object")
            update = Update.de_json(data, self.app.bot)
        except Exception as error:  # whatever the body is, it is not an update
            log.warning("Refused a webhook call that carries no update: %s", error)
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        await self.app.update_queue.put(update)

    def log_exception(self, *args: object) -> None:
        """Keep refused calls (logged above, or plain 403s) out of tornado's error log."""


class WebhookServer:
    """Serve Telegram's calls for one application (port 0 takes any free port)."""

    def __init__(self, app: BotApp, options: WebhookOptions) -> None:
        self.app = app
        self.options = options
        routes = [(options.path, _UpdateHandler, {"app": app, "secret": options.secret})]
        self._server = tornado.httpserver.HTTPServer(tornado.web.Application(routes))
        self.port = options.port

    async def start(self, allowed_updates: Sequence[str]) -> None:
        """Listen for Telegram's calls, then register the webhook with its secret."""
        options = self.options
        sockets = tornado.netutil.bind_sockets(options.port, address=options.listen)
        self._server.add_sockets(sockets)
        self.port = int(sockets[0].getsockname()[1])
        await self.app.bot.set_webhook(
            options.url, allowed_updates=allowed_updates, secret_token=options.secret
        )

    async def stop(self) -> None:
        """Stop listening and close the connections still open."""
        self._server.stop()
        await self._server.close_all_connections()
