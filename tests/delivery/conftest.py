"""Fixtures the delivery tests share."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from factories import make_services, sample_folder

from newsbrief.bot.services import Services


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    """A store holding the two bundled sample articles (test_claims.py has its own)."""
    built = make_services(tmp_path)
    built.ingestor.ingest_folder(sample_folder(tmp_path))
    yield built
    built.close()
