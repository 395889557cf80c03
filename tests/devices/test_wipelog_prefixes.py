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
# How many of the last lines are also cut in the middle, at every character.
CUT_MID_LINES = 12


def prefixes(text: str):
    """Every cut after a line, and every cut inside one of the last lines."""
    lines = text.splitlines(keepends=True)
    for count in range(len(lines)):
        yield "".join(lines[:count])
    offset = sum(len(line) for line in lines[: max(0, len(lines) - CUT_MID_LINES)])
    for line in lines[-CUT_MID_LINES:]:
        for cut in range(1, len(line)):
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
def test_real_logs_get_the_verdict_of_what_was_done_to_the_disks(name):
    expected = EXPECTED[name]
    log = parse_nwipe_log((NWIPE / name).read_text(encoding="utf-8", errors="replace"), name)

    assert log.outcome.value == expected["outcome"]
    assert log.passed is (expected["outcome"] == "passed")
    results = {disk.device.rsplit("/", 1)[-1]: disk.result.value for disk in log.disks}
    assert results == expected["disks"]
