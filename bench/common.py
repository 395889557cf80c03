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


# States whose devices have a passed wipe in their current round, and those that also passed
# their quality check (uitleen.devices.lifecycle): real data has this evidence, and the
# "ready to lend" queries read it.
WIPED_STATES = {"wiped", "software", "qc", "ready", "on_loan"}
CHECKED_STATES = {"ready", "on_loan"}


def seed_evidence(devices: list[dict], chunk: int = 5_000) -> None:
    """Insert the passed wipe and quality check each device's state implies.

    `devices` are the dicts inserted into `devices` (id, state, cycle_started_at).
    """
    from datetime import timedelta

    from sqlalchemy import insert

    from uitleen.devices.models import QualityCheck, WipeRecord
    from uitleen.extensions import db

    wipes, checks = [], []
    for device in devices:
        if device["state"] not in WIPED_STATES:
            continue
        wiped = device["cycle_started_at"] + timedelta(hours=1)
        wipes.append({"device_id": device["id"], "method": "PRNG Stream", "nist_class": "Clear",
                      "passed": True, "finished_at": wiped, "recorded_at": wiped})  # fmt: skip
        if device["state"] in CHECKED_STATES:
            checked = wiped + timedelta(hours=1)
            checks.append({"device_id": device["id"], "results": {}, "passed": True,
                           "recorded_at": checked})  # fmt: skip
    for model, rows in ((WipeRecord, wipes), (QualityCheck, checks)):
        for start in range(0, len(rows), chunk):
            db.session.execute(insert(model), rows[start : start + chunk])


# lifecycle.ready_to_lend() written by hand, for the raw-SQL baselines: state ready, the
# newest wipe evidence passed, a passed check, both since the last intake or return.
READY_TO_LEND_SQL = (
    "devices.state = 'ready' AND EXISTS (SELECT 1 FROM wipe_records w "
    "WHERE w.device_id = devices.id AND w.passed AND w.review_status IN ('', 'accepted') "
    "AND w.finished_at >= devices.cycle_started_at AND NOT EXISTS (SELECT 1 "
    "FROM wipe_records l WHERE l.device_id = w.device_id AND NOT l.passed "
    "AND l.review_status != 'rejected' AND l.finished_at >= w.finished_at AND l.id != w.id)) "
    "AND EXISTS (SELECT 1 FROM quality_checks q WHERE q.device_id = devices.id "
    "AND q.passed AND q.recorded_at >= devices.cycle_started_at)"
)
