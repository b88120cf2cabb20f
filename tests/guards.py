"""A hang guard: generous limits that catch super-linear work without timing anything."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

Result = TypeVar("Result")
HANG_SECONDS = 60.0
"""Far above any honest run on a busy machine; the quadratic cases took minutes to days."""


def finishes(work: Callable[[], Result], seconds: float = HANG_SECONDS) -> Result:
    """Run work in a thread and return its result; fail the test if it has not ended by then."""
    outcome: list[Result] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as error:  # handed to the test below
            failure.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise AssertionError(f"still working after {seconds:.0f} s: super-linear or stuck")
    if failure:
        raise failure[0]
    return outcome[0]
