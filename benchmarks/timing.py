"""Per-call timing shared by the benchmarks: repeated passes, then median, p99 and max."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def per_call_ns(items: Sequence[T], call: Callable[[T], object], passes: int) -> tuple[list[int], float]:
    """Sorted nanosecond timings of ``call(item)`` over ``passes`` passes, and the elapsed seconds."""
    for item in items:  # warm caches
        call(item)
    samples: list[int] = []
    started = time.perf_counter()
    for _ in range(passes):
        for item in items:
            t0 = time.perf_counter_ns()
            call(item)
            samples.append(time.perf_counter_ns() - t0)
    elapsed = time.perf_counter() - started
    samples.sort()
    return samples, elapsed


def summary_us(samples: list[int]) -> dict[str, float]:
    return {
        "median_us": round(statistics.median(samples) / 1000, 2),
        "p99_us": round(samples[int(len(samples) * 0.99)] / 1000, 2),
        "max_us": round(samples[-1] / 1000, 2),
    }
