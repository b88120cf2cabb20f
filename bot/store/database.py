"""Open the store: pick the driver from a plain URL, migrate the schema, hand out sessions."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BEGIN = "newsbrief_sqlite_begin"
MIGRATION_LOCK = 0x6E657773  # any constant all newsbrief processes agree on


def engine_url(url: str) -> str:
    """Accept plain `postgresql://` and `sqlite:///` URLs; choosing the driver is our business."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def create_store_engine(url: str) -> Engine:
    """Make an engine; SQLite gets its parent folder, WAL, foreign keys and a busy timeout."""
    parsed = make_url(engine_url(url))
    options: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        options["connect_args"] = {"timeout": 30}
    else:
        options["pool_pre_ping"] = True
    engine = create_engine(parsed, **options)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_begin(connection: Any) -> None:
    """Take SQLite's write lock when a transaction begins, unless it only reads.

    A deferred transaction that reads and then writes fails at once ("database is locked")
    when another writer got in between; one that starts IMMEDIATE waits its turn instead, and
    two processes claiming work never read the same rows.
    """
    mode = connection.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE")
    connection.exec_driver_sql(f"BEGIN {mode}")


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    connection.isolation_level = None  # transactions are begun by _sqlite_begin
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    for attempt in range(50):  # switching a new file to WAL fails, not waits, while others open it
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError:
            time.sleep(0.02 * (attempt + 1))
    cursor.close()


@cache
def head_revision() -> str | None:
    """Read the newest revision from the migration files, without loading Alembic.

    None when the files do not name exactly one head (Alembic then decides, and refuses).
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revisions.update(re.findall(r'^revision = "([^"]+)"', source, re.M))
        for down in re.findall(r"^down_revision = (.+)$", source, re.M):
            parents.update(re.findall(r'"([^"]+)"', down))
    heads = revisions - parents
    return next(iter(heads)) if len(heads) == 1 else None


def is_current(engine: Engine) -> bool:
    """Tell whether the store is at the newest revision already (a read, no lock taken)."""
    head = head_revision()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(**{SQLITE_BEGIN: "DEFERRED"})
            found = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
            return list(found) == [head]
    except SQLAlchemyError:  # no version table yet: a new store
        return False


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision; a store already there is only read."""
    if is_current(engine):
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":  # processes on one schema take turns
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key, hashtext(current_schema()))"),
                {"key": MIGRATION_LOCK},
            )
        config.attributes["connection"] = connection
        command.upgrade(config, "head")  # one head: a branch is an error, never merged silently


class Database:
    """The engine and its session factory; callers own their transactions."""

    def __init__(self, url: str) -> None:
        self.engine = create_store_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self) -> None:
        """Bring the schema to the newest revision."""
        migrate(self.engine)

    @contextmanager
    def transaction(self, *, readonly: bool = False) -> Iterator[Session]:
        """Give a session inside one transaction: committed on success, rolled back on error.

        On SQLite a transaction holds the write lock from its start (writers take turns);
        `readonly=True` does not, so reading a digest never waits for an ingest. On PostgreSQL,
        work that several processes may claim is locked row by row (FOR UPDATE SKIP LOCKED).
        """
        with self._sessions() as session, session.begin():
            if readonly:
                session.connection(execution_options={SQLITE_BEGIN: "DEFERRED"})
            yield session

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()
