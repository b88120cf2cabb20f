"""Small builders for real core objects (no mocks): settings, services and article folders."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from bot.services import Services, build_services, bundled_samples
from config.settings import load_settings

SHARED = Path(__file__).resolve().parents[2] / "shared"
BBC = SHARED / "eval" / "bbc-news-summary" / "News Articles"


def sample_folder(tmp_path: Path) -> Path:
    """Copy the two bundled sample articles into a folder of the test's own."""
    folder = tmp_path / "articles"
    folder.mkdir(exist_ok=True)
    for sample in bundled_samples().glob("*.txt"):
        shutil.copy(sample, folder / sample.name)
    return folder


def make_services(tmp_path: Path, **overrides: Any) -> Services:
    """Build the real services over an SQLite file in the test's folder."""
    overrides.setdefault("database_url", f"sqlite:///{tmp_path / 'store.db'}")
    overrides.setdefault("data_dir", tmp_path / "data")
    overrides.setdefault("ingest_workers", 1)
    return build_services(load_settings(**overrides))
