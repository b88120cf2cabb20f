"""Small builders for real core objects (no mocks): settings, services and article folders."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
from paths import SHARED

from newsbrief.bot.services import Services, build_services, bundled_samples
from newsbrief.config.settings import load_settings

BBC = SHARED / "eval" / "bbc-news-summary" / "News Articles"
SAMPLES_AGE_DAYS = 3650
"""A daily-digest horizon that reaches the bundled sample articles (December 2024)."""


def sample_folder(tmp_path: Path) -> Path:
    """Copy the two bundled sample articles into a folder of the test's own."""
    folder = tmp_path / "articles"
    folder.mkdir(exist_ok=True)
    for sample in bundled_samples().glob("*.txt"):
        shutil.copy(sample, folder / sample.name)
    return folder


SERVER_URL_VARIABLE = "NEWSBRIEF_TEST_DATABASE_URL"
created_schemas: list[str] = []
schema_urls: dict[Path, str] = {}


def store_url(tmp_path: Path) -> str:
    """Give a test its own empty store: an SQLite file, or a fresh schema on a database server.

    Set NEWSBRIEF_TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test) to run
    the suite against PostgreSQL; `make test` does both.
    """
    server = os.environ.get(SERVER_URL_VARIABLE)
    if not server:
        return f"sqlite:///{tmp_path / 'store.db'}"
    if tmp_path in schema_urls:  # the same test folder means the same store, as with SQLite
        return schema_urls[tmp_path]
    schema = f"nb_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.replace("postgresql+psycopg://", "postgresql://")) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    created_schemas.append(schema)
    separator = "&" if "?" in server else "?"
    schema_urls[tmp_path] = f"{server}{separator}options={quote(f'-csearch_path={schema}')}"
    return schema_urls[tmp_path]


def drop_created_schemas() -> None:
    """Remove the schemas this test run made on the database server."""
    server = os.environ.get(SERVER_URL_VARIABLE)
    if not server or not created_schemas:
        return
    # One transaction a schema: dropping hundreds in one would exhaust the server's lock table.
    url = server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as connection:
        for schema in created_schemas:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    created_schemas.clear()
    schema_urls.clear()


def make_services(tmp_path: Path, **overrides: Any) -> Services:
    """Build the real services over a store of the test's own."""
    overrides.setdefault("database_url", store_url(tmp_path))
    overrides.setdefault("data_dir", tmp_path / "data")
    overrides.setdefault("ingest_workers", 1)
    return build_services(load_settings(**overrides))
