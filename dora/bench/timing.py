"""Timing helpers shared by the benchmarks: percentiles and a plain-text report."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


def percentile(samples: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of non-empty samples."""
    ordered = sorted(samples)
    rank = max(1, round(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass(frozen=True)
class Summary:
    name: str
    count: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float

    def line(self) -> str:
        return (
            f"{self.name:<44} n={self.count:<5} p50={self.p50_ms:8.2f} ms  "
            f"p95={self.p95_ms:8.2f} ms  p99={self.p99_ms:8.2f} ms"
        )


def summarise(name: str, seconds: Sequence[float]) -> Summary:
    ms = [s * 1000 for s in seconds]
    return Summary(
        name=name,
        count=len(ms),
        p50_ms=statistics.median(ms),
        p95_ms=percentile(ms, 95),
        p99_ms=percentile(ms, 99),
        mean_ms=statistics.fmean(ms),
    )


def time_calls(function: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return samples


def ratio_line(label: str, numerator: Summary, denominator: Summary) -> str:
    return (
        f"{label:<44} p50 ratio {numerator.p50_ms / denominator.p50_ms:5.2f}x "
        f"({numerator.name} vs {denominator.name})"
    )
