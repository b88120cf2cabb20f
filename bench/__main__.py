"""Run the benchmarks and write docs/benchmarks.md.

Each `bench/bench_<name>.py` exposes `run(quick: bool) -> str`, a Markdown section with its
figures measured side by side with its baseline. `python -m bench` runs them all;
`python -m bench NAME ...` runs only those and keeps the other sections from the last full run.
Each benchmark runs in a fresh process, so its memory figures are its own, not what an earlier
one left behind.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import re
import subprocess
import sys
import time
from pathlib import Path

import bench

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
HEADER = (
    "# Benchmarks\n\n"
    "Written by `make bench` (`python -m bench`); every figure is measured on this machine,\n"
    "beside its baseline run in the same process. Sections are kept in name order.\n"
)
SECTION = re.compile(r"^<!-- bench:(\w+) -->\n(.*?)^<!-- /bench:\1 -->\n", re.M | re.S)


def available() -> list[str]:
    """List the benchmark names found in this package."""
    return sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules(bench.__path__)
        if m.name.startswith("bench_")
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default all): {available()}")
    parser.add_argument("--quick", action="store_true", help="smaller inputs, for a smoke run")
    args = parser.parse_args()
    names = args.names or available()
    if len(names) > 1:
        for name in names:
            subprocess.run(
                [sys.executable, "-m", "bench", name, *(["--quick"] if args.quick else [])],
                check=True,
            )
        return
    sections = dict(SECTION.findall(DOC.read_text())) if DOC.exists() else {}
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        started = time.perf_counter()
        body = module.run(quick=args.quick).rstrip() + "\n"
        print(body)
        print(f"[{name}: {time.perf_counter() - started:.1f} s]")
        sections[name] = body
    DOC.parent.mkdir(exist_ok=True)
    parts = [HEADER] + [
        f"<!-- bench:{n} -->\n{sections[n]}<!-- /bench:{n} -->\n" for n in sorted(sections)
    ]
    DOC.write_text("\n".join(parts))


if __name__ == "__main__":
    main()
