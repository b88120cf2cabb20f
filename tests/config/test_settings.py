import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel

from newsbrief.bot.errors import SettingsError
from newsbrief.config.settings import DEFAULTS_FILE, Settings, TelegramSettings, load_settings


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


def test_defaults_give_an_embedded_sqlite_store_and_no_token(tmp_path: Path) -> None:
    settings = load_settings()
    assert settings.store_url == f"sqlite:///{tmp_path / 'data' / 'newsbrief' / 'newsbrief.db'}"
    assert settings.telegram.token is None
    assert settings.brief_sentences == 3


def test_environment_overrides_the_config_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    config = tmp_path / "newsbrief.toml"
    config.write_text("brief_sentences = 4\ndigest_stories = 7\n[telegram]\nadmin_ids = [1, 2]\n")
    monkeypatch.setenv("NEWSBRIEF_DIGEST_STORIES", "9")
    monkeypatch.setenv("NEWSBRIEF_TELEGRAM__DEFAULT_TIMEZONE", "Europe/Berlin")
    settings = load_settings(config)
    assert (settings.brief_sentences, settings.digest_stories) == (4, 9)
    assert settings.telegram.admin_ids == frozenset({1, 2})
    assert settings.telegram.default_timezone == "Europe/Berlin"


def test_telegram_token_is_read_under_its_usual_name_and_never_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:SECRET")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:9999")
    settings = load_settings()
    assert settings.telegram.token is not None
    assert settings.telegram.token.get_secret_value() == "123456:SECRET"
    assert "SECRET" not in repr(settings)
    assert settings.telegram.api_base_url == "http://127.0.0.1:9999"


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("NEWSBRIEF_BRIEF_SENTENCES", "0", "brief_sentences"),
        ("NEWSBRIEF_TELEGRAM__DEFAULT_TIMEZONE", "Mars/Olympus", "telegram.default_timezone"),
        ("NEWSBRIEF_ARTICLE_RETENTION_DAYS", "2", "article_retention_days"),
        ("NEWSBRIEF_NO_SUCH_THING", "1", None),
    ],
)
def test_a_bad_setting_fails_at_start_naming_it(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, named: str | None
) -> None:
    monkeypatch.setenv(variable, value)
    if named is None:
        load_settings()  # unknown environment variables are not ours to judge
        return
    with pytest.raises(SettingsError, match=named):
        load_settings()


def test_an_unknown_key_in_a_config_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("brief_sentencs = 4\n")
    with pytest.raises(SettingsError, match="brief_sentencs"):
        load_settings(config)


def test_a_missing_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"nope\.toml"):
        load_settings(tmp_path / "nope.toml")


@pytest.mark.parametrize(("model", "table"), [(Settings, ()), (TelegramSettings, ("telegram",))])
def test_each_default_is_written_once(model: type[BaseModel], table: tuple[str, ...]) -> None:
    """A setting's default is in config/defaults.toml or in the code (none, a path), never both."""
    defaults = tomllib.loads(DEFAULTS_FILE.read_text())
    for name in table:
        defaults = defaults[name]
    for name, field in model.model_fields.items():
        in_file, in_code = name in defaults, not field.is_required()
        assert in_file != in_code, f"{name}: default in {'both' if in_file else 'neither'}"
