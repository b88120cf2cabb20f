"""Where the tests find their data: the repository's folders, and the evaluation data beside it."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
FIXTURES = TESTS / "fixtures"
SAMPLES = REPO / "bot" / "sample_data"
SHARED = REPO.parent / "shared"
EVAL = SHARED / "eval"
