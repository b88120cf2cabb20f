"""Start-up: whole `newsbrief` processes, timed from outside, beside the code before lazy imports.

The baseline is the tree at `BASELINE` (every command imported sumy, numpy, SQLAlchemy,
Alembic, trafilatura and python-telegram-bot up front), unpacked with `git archive` and put
ahead of the installed package on `PYTHONPATH`, so both run on the same interpreter, each on a
store holding the same two bundled articles.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from bench.paths import REPO

BASELINE = "2b848d8"
"""main just before commands imported only what they use."""
TARGETS = {"--help": 0.15, "brief syria": 0.5}


def _unpack(commit: str, into: Path) -> Path:
    """Unpack the package folders at `commit` as an importable `newsbrief` tree."""
    archive = into / "baseline.tar"
    with archive.open("wb") as out:
        subprocess.run(
            ["git", "-C", str(REPO), "archive", commit, "bot", "handlers", "config"],
            stdout=out,
            check=True,
        )
    root = into / "baseline"
    with tarfile.open(archive) as tar:
        tar.extractall(root / "newsbrief", filter="data")
    return root


FLOOR = "import sqlalchemy.orm"
"""What any command that reads the store pays before our code runs."""


def _seconds(argv: list[str], env: dict[str, str]) -> float:
    """Time one `newsbrief` command, or with `-c` first, one line of Python."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, *(argv if argv[0] == "-c" else ["-m", "newsbrief.handlers", *argv])],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
    )
    return time.perf_counter() - started


def run(quick: bool) -> str:
    """Time `--help` and `brief syria` on the two bundled articles, now and at the baseline."""
    runs = 5 if quick else 11
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        base = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSBRIEF_", "TELEGRAM"))}
        base["XDG_DATA_HOME"] = str(work / "data")
        now_env = dict(base)
        # The baseline keeps a store of its own: its migrations may stop short of today's.
        then_env = {
            **base,
            "PYTHONPATH": str(_unpack(BASELINE, work)),
            "XDG_DATA_HOME": str(work / "baseline-data"),
        }
        for env in (now_env, then_env):  # fill each store: the two bundled articles
            _seconds(["brief", "syria"], env)
        rows = []
        for label, argv in (("--help", ["--help"]), ("brief syria", ["brief", "syria"])):
            now: list[float] = []
            then: list[float] = []
            _seconds(argv, now_env)
            _seconds(argv, then_env)  # warm both, then alternate so drift hits both alike
            for _ in range(runs):
                then.append(_seconds(argv, then_env))
                now.append(_seconds(argv, now_env))
            rows.append((label, statistics.median(then), statistics.median(now), min(now)))
        floor = statistics.median(_seconds(["-c", FLOOR], now_env) for _ in range(runs))
    lines = [
        "## Start-up",
        "",
        f"Whole processes (`python -m newsbrief.handlers ...`), median of {runs} runs each,",
        f"alternating with the baseline: the tree at `{BASELINE}`, before commands imported",
        "only what they use. `brief syria` reads a store holding the two bundled articles.",
        "",
        "| command | baseline s | now s | now, fastest s | target s | met |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for label, then_s, now_s, best in rows:
        target = TARGETS[label]
        lines.append(
            f"| `newsbrief {label}` | {then_s:.3f} | {now_s:.3f} | {best:.3f} | {target:g} | "
            f"{'yes' if now_s <= target else 'no'} |"
        )
    lines += [
        "",
        f'The floor under `brief`: `python -c "{FLOOR}"` alone takes {floor:.3f} s (median) in',
        f"this run, and `brief syria` adds {rows[-1][2] - floor:.3f} s to it (settings, the",
        "store's tables, the query, the output): the target holds only where SQLAlchemy loads",
        "fast.",
    ]
    return "\n".join(lines) + "\n"
