"""Rebuild bot/data/document_frequency.txt, the background word statistics story matching uses.

Counts in how many articles of a general news corpus each word stem occurs (the BBC News
Summary articles in ../shared/eval, CC0). Only the counts are shipped, never the text. Run:
    .venv/bin/python tools/build_document_frequency.py ../shared/eval/bbc-news-summary
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from newsbrief.bot.stories.grouping import WORD, stem_word

MIN_DOCUMENTS = 2


def main(corpus: Path) -> None:
    files = sorted(corpus.glob("News Articles/*/*.txt"))
    df: Counter[str] = Counter()
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        df.update({stem_word(w) for w in WORD.findall(text)})
    out = Path(__file__).resolve().parent.parent / "bot" / "data" / "document_frequency.txt"
    lines = [f"{t}\t{n}" for t, n in sorted(df.items()) if n >= MIN_DOCUMENTS]
    out.write_text(f"# documents\t{len(files)}\n" + "\n".join(lines) + "\n")
    print(f"{len(lines)} stems from {len(files)} articles -> {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
