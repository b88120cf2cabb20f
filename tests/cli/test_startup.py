"""Fast start: a command imports only what it uses (which modules, never how long: see bench)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsbrief.bot.text import briefs
from newsbrief.bot.text.algorithms import ALGORITHMS, DEFAULT_ALGORITHM

SUMMARIZER = {"sumy", "numpy", "nltk", "trafilatura", "lxml"}
TELEGRAM = {"telegram", "tornado", "apscheduler"}
STORE = {"sqlalchemy", "alembic", "psycopg"}
SETTINGS = {"pydantic", "pydantic_settings"}

RUN = """
import sys
from newsbrief.handlers.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print("\\nMODULES " + " ".join(sorted({m.split(".")[0] for m in sys.modules})))
"""


def imported_by(tmp_path: Path, *argv: str) -> set[str]:
    """Run a command in a fresh interpreter; give the top-level packages it imported."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSBRIEF_", "TELEGRAM_"))}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    done = subprocess.run(
        [sys.executable, "-c", RUN, *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    last = done.stdout.rstrip().splitlines()[-1]
    assert last.startswith("MODULES "), done.stdout + done.stderr
    return set(last.split()[1:])


def test_help_imports_neither_the_store_nor_the_summarizer_nor_telegram(tmp_path: Path) -> None:
    loaded = imported_by(tmp_path, "--help")
    assert loaded & (SUMMARIZER | TELEGRAM | STORE | SETTINGS | {"asyncio", "httpx"}) == set()


@pytest.mark.parametrize("command", [["brief", "syria"], ["topics"], ["stories"]])
def test_reading_a_stored_digest_never_loads_the_summarizer(
    tmp_path: Path, command: list[str]
) -> None:
    assert "sumy" in imported_by(tmp_path, "brief", "syria")  # the empty store is filled first
    loaded = imported_by(tmp_path, *command)
    assert loaded & (SUMMARIZER | TELEGRAM | {"alembic"}) == set()
    assert "sqlalchemy" in loaded  # the store was read


def test_the_algorithm_names_listed_apart_are_the_ones_briefs_implements() -> None:
    assert set(ALGORITHMS) == {DEFAULT_ALGORITHM, *briefs._SUMY}
