"""Where the benchmarks find their data: the evaluation data beside the repository."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EVAL = REPO.parent / "shared" / "eval"
