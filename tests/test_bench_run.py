"""bench/run: finds the benchmarks and judges each figure against its goal."""

import importlib.machinery
import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture(scope="module")
def runner():
    sys.path.insert(0, str(BENCH))  # bench/run imports bench/common.py as `common`
    loader = importlib.machinery.SourceFileLoader("bench_run", str(BENCH / "run"))
    spec = importlib.util.spec_from_loader("bench_run", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    yield module
    sys.path.remove(str(BENCH))


def test_every_bench_file_with_a_main_is_found(runner):
    names = runner.discover()
    assert "labels" in names
    assert "common" not in names and "run" not in names
    for name in names:
        assert "def main(" in (BENCH / f"{name}.py").read_text(encoding="utf-8")


LIST_GOALS = {"goal": "<= 25", "ratio_goal": "<= 2"}  # the device list's: 25 ms, 2x raw SQL


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            {"value": 12.0, "baseline": 10.0, **LIST_GOALS},
            ("1.20x", "pass"),
        ),
        (
            {"value": 30.0, "baseline": 10.0, **LIST_GOALS},
            ("3.00x", "FAIL"),
        ),
        (
            {"value": 24.0, "baseline": 10.0, **LIST_GOALS},
            ("2.40x", "FAIL"),
        ),
        ({"value": 900, "baseline": 1000, "ratio_goal": ">= 0.8"}, ("0.90x", "pass")),
        ({"value": 4.2}, ("", "")),
        ({"value": 3, "pass": False}, ("", "FAIL")),
    ],
)
def test_a_figure_is_judged_on_its_value_and_its_ratio(runner, row, expected):
    assert runner.judge(row) == expected


def test_a_benchmark_that_fails_fails_the_table(runner):
    results = {
        "good": {"result": {"figures": [{"name": "p95", "value": 5, "goal": "<= 25"}]}},
        "broken": {"error": "exit status 1"},
    }
    lines, ok = runner.table(results)
    assert not ok
    assert [line[-1] for line in lines] == ["pass", "FAIL"]


def test_plain_results_become_unjudged_rows(runner):
    rows = runner.figures_of({"labels": 1000, "format": "L7160", "samples": [1, 2]})
    assert [row["name"] for row in rows] == ["labels", "format"]
