"""Hypothesis profiles: `ci` (the default) bounds the hostile-input suite to a few minutes.

HYPOTHESIS_PROFILE=thorough runs many more examples when hunting; neither profile times
anything (no deadline): work is bounded by hang guards on inputs grown to ~200 KB instead.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=_QUIET,
)
settings.register_profile(
    "thorough", max_examples=1000, deadline=None, suppress_health_check=_QUIET
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
