"""A log cut short never says more than the whole log: the property over every real log.

For every sample log, every prefix (cut after each line, and in the middle of each of the
last lines) either is refused as incomplete or parses to a verdict that is no better than
the whole log's: a prefix of a log that did not pass never passes, and a prefix of a passed
log never passes with fewer disks.
"""

import json
from pathlib import Path

import pytest

from uitleen.devices.wipelog import WipeLogError, parse_nwipe_log

SAMPLES = Path(__file__).parent / "samples"
NWIPE = SAMPLES / "nwipe"
EXPECTED = (
    json.loads((NWIPE / "expected.json").read_text()) if (NWIPE / "expected.json").exists() else {}
)
LOGS = sorted([*SAMPLES.glob("*.log"), *NWIPE.glob("*.log")])
# The last lines are also cut in the middle: the very last ones at every character, the
# ones before at every fifth (nwipe's last words and the tables' closing rules live here).
CUT_MID_LINES = 10
CUT_EVERY_CHARACTER = 3


def prefixes(text: str):
    """Every cut after a line, and every cut inside one of the last lines."""
    lines = text.splitlines(keepends=True)
    for count in range(len(lines)):
        yield "".join(lines[:count])
    offset = sum(len(line) for line in lines[: max(0, len(lines) - CUT_MID_LINES)])
    tail = lines[-CUT_MID_LINES:]
    for index, line in enumerate(tail):
        step = 1 if index >= len(tail) - CUT_EVERY_CHARACTER else 5
        for cut in range(1, len(line), step):
            yield text[: offset + cut]
        offset += len(line)


def verdict(text: str):
    try:
        return parse_nwipe_log(text)
    except WipeLogError:
        return None


@pytest.mark.parametrize("path", LOGS, ids=lambda path: path.name)
def test_no_prefix_says_more_than_the_whole_log(path):
    text = path.read_text(encoding="utf-8", errors="replace")
    whole = verdict(text)
    for prefix in prefixes(text):
        log = verdict(prefix)
        if log is None or not log.passed:
            continue
        assert whole is not None and whole.passed, (
            f"a prefix of {path.name} passes though the whole log does not"
        )
        assert len(log.disks) == len(whole.disks), (
            f"a prefix of {path.name} passes with fewer disks"
        )


@pytest.mark.parametrize("name", sorted(EXPECTED), ids=str)
def test_real_logs_never_say_more_than_what_was_done_to_the_disks(name):
    """expected.json says what was done to each disk; the verdict may be stricter, never kinder.

    nwipe itself can be kinder: 0.30 prints "Erased" for disks whose writes failed (the
    failure lines tell), and refusing a log without nwipe's last words is stricter still.
    """
    expected = EXPECTED[name]
    log = verdict((NWIPE / name).read_text(encoding="utf-8", errors="replace"))

    if log is None:
        assert expected["outcome"] != "passed", f"{name} is a whole passed run but was refused"
        return
    assert log.passed is (expected["outcome"] == "passed")
    results = {disk.device.rsplit("/", 1)[-1]: disk.result.value for disk in log.disks}
    assert set(results) == set(expected["disks"])
    for disk, result in results.items():
        assert result != "passed" or expected["disks"][disk] == "passed", f"{name}: {disk}"
        if result != expected["disks"][disk]:
            assert result != "passed"  # stricter than what was done: allowed
