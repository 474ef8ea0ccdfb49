"""Timing shared by the benchmarks: the median wall time of repeated calls."""

from __future__ import annotations

import statistics
import time
from typing import Callable


def median_ms(work: Callable[[], object], repeat: int) -> float:
    """Median milliseconds of ``repeat`` calls of ``work`` (no warm-up call; callers warm up if they need to)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)
