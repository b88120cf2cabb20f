"""The bot's console commands: `newsbrief run` says what its daily runs did."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from newsbrief.bot.services import Services
from newsbrief.config.settings import Settings
from newsbrief.handlers import app, cli


def test_run_logs_what_each_daily_run_did(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: list[bool] = []
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    for name in ("NEWSBRIEF_CONFIG", "NEWSBRIEF_DATABASE_URL", "NEWSBRIEF_ARTICLES_DIR"):
        monkeypatch.delenv(name, raising=False)

    def fake_run_bot(settings: Settings, services: Services, argv: object = ()) -> None:
        seen.append(logging.getLogger("newsbrief.bot.delivery.daily").isEnabledFor(logging.INFO))
        services.close()

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setattr(app, "run_bot", fake_run_bot)
    monkeypatch.setattr(logging.getLogger(), "level", logging.WARNING)
    monkeypatch.setattr(logging.getLogger(cli.LOGGER), "level", logging.NOTSET)
    assert cli.main(["run"]) == 0
    assert seen == [True]
