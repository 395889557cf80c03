"""Shared helpers for the benchmarks, and the shape `bench/run` reads.

A benchmark's `main(quick: bool = False) -> dict` may return any flat mapping of
figures, but `bench/run` can judge a figure only when it knows its baseline and goal.
Put those in a "figures" list built with `figure()`:

    return {"figures": [
        figure("device list API p95", p95, "ms", baseline=raw_p95, goal="<= 25",
               ratio_goal="<= 2"),
        figure("help page / bare Flask", rps, "req/s", baseline=bare_rps, ratio_goal=">= 0.8"),
    ]}

`goal` is judged on the value, `ratio_goal` on value / baseline.
"""

from __future__ import annotations

import operator
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

_OPERATORS = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
    "==": operator.eq,
}


def figure(
    name: str,
    value: float,
    unit: str = "",
    *,
    baseline: float | None = None,
    goal: str | None = None,
    ratio_goal: str | None = None,
) -> dict:
    """One measured figure, with what it is compared against and what it must reach."""
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "baseline": baseline,
        "goal": goal,
        "ratio_goal": ratio_goal,
    }


def parse_goal(goal: str) -> tuple[Callable[[float, float], bool], float]:
    """'<= 25' -> (operator.le, 25.0)."""
    text = goal.strip()
    for symbol in sorted(_OPERATORS, key=len, reverse=True):
        if text.startswith(symbol):
            return _OPERATORS[symbol], float(text[len(symbol) :].strip().split()[0])
    raise ValueError(f"goal {goal!r} must start with one of {', '.join(_OPERATORS)}")


def meets(value: float, goal: str) -> bool:
    compare, limit = parse_goal(goal)
    return compare(value, limit)


def percentile(samples: list[float], fraction: float) -> float:
    """The nearest-rank percentile (0.95 for p95) of the samples."""
    ordered = sorted(samples)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def timings_ms(run: Callable[[], object], repeats: int, warmup: int = 3) -> dict:
    """Median and p95 in milliseconds of `repeats` calls after a few warm-up calls."""
    for _ in range(warmup):
        run()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return {
        "median": statistics.median(samples),
        "p95": percentile(samples, 0.95),
        "n": repeats,
    }


@contextmanager
def temporary_database(name: str = "bench") -> Iterator[str]:
    """DATABASE_URL when set (PostgreSQL), else a SQLite file that is removed afterwards."""
    url = os.environ.get("DATABASE_URL")
    if url:
        yield url
        return
    with tempfile.TemporaryDirectory(prefix=f"uitleen-{name}-") as directory:
        yield f"sqlite:///{directory}/{name}.sqlite3"


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports KB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
