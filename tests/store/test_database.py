import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from factories import store_url
from sqlalchemy import inspect

from newsbrief.bot.store.database import (
    MIGRATIONS,
    Database,
    engine_url,
    head_revision,
    is_current,
)
from newsbrief.bot.store.schema import Base


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("postgresql://user@db/news", "postgresql+psycopg://user@db/news"),
        ("postgres://user:pw@db:5433/news", "postgresql+psycopg://user:pw@db:5433/news"),
        ("sqlite:///tmp/x.db", "sqlite:///tmp/x.db"),
    ],
)
def test_plain_urls_get_a_driver(given: str, driver: str) -> None:
    assert engine_url(given) == driver


def test_processes_starting_together_migrate_once_and_agree(tmp_path: Path) -> None:
    url = store_url(tmp_path)
    errors: list[BaseException] = []

    def start() -> None:
        database = Database(url)
        try:
            database.migrate()
        except BaseException as error:  # collected for the assertion below
            errors.append(error)
        finally:
            database.close()

    threads = [threading.Thread(target=start) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    database = Database(url)
    try:
        tables = set(inspect(database.engine).get_table_names())
    finally:
        database.close()
    expected = {"articles", "stories", "story_topics", "feeds", "subscribers", "leases"}
    assert expected <= tables


def test_the_migrations_build_the_schema_the_models_declare(tmp_path: Path) -> None:
    database = Database(store_url(tmp_path))
    try:
        database.migrate()
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection)
            differences = compare_metadata(context, Base.metadata)
    finally:
        database.close()
    assert differences == []


def test_the_migrations_have_exactly_one_head() -> None:
    """Startup upgrades to `head`; two heads (two branches) must be merged by a revision first."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"the migrations branch ({heads}): add a merge revision"
    assert head_revision() == heads[0]  # what startup compares the store with, Alembic unloaded


def test_a_store_at_the_head_is_recognised_without_migrating(tmp_path: Path) -> None:
    database = Database(store_url(tmp_path))
    try:
        assert not is_current(database.engine)  # a new store: no version table yet
        database.migrate()
        assert is_current(database.engine)
        database.migrate()  # a second start only reads the version
        assert is_current(database.engine)
    finally:
        database.close()
