"""nwipe logs attach to the right device, or are refused with nothing saved."""

from datetime import datetime
from pathlib import Path

import pytest

from tests.devices.factories import make_device
from uitleen.devices import service
from uitleen.devices.models import WipeRecord
from uitleen.errors import Invalid
from uitleen.extensions import db

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def backdated(**changes):
    """A device whose round began before the 2025 sample logs were written."""
    device = make_device(**changes)
    device.cycle_started_at = datetime(2024, 12, 1)
    db.session.flush()
    return device


def test_log_without_tag_attaches_by_the_system_serial(app):
    device = backdated(make="HP", serial="5cg6271xyz")
    wipe = service.import_wipe_log(None, sample("verify_failed.log"), "verify_failed.log")
    assert wipe.device_id == device.id
    assert not wipe.passed  # verification errors: never a passed wipe
    assert device.state == "wiping"


def test_log_that_names_no_known_device_is_refused(app):
    backdated()
    with pytest.raises(Invalid) as refused:
        service.import_wipe_log(None, sample("two_disks_one_failed.log"), "log.txt")
    assert refused.value.code == "unknown_device"
    assert "inventarisnummer" in refused.value.message
    assert db.session.query(WipeRecord).count() == 0


def test_log_naming_a_missing_tag_is_refused(app):
    with pytest.raises(Invalid) as refused:
        service.import_wipe_log(None, sample("dodshort_passed.log"), "dodshort_passed.log")
    assert refused.value.code == "unknown_device"
    assert "UIT-00017" in refused.value.message


def test_passed_log_fills_the_record_and_moves_the_device(app):
    for _ in range(16):
        make_device()
    device = backdated(serial="PF0XK2LM")  # the system serial in the log's DMI lines
    assert device.asset_tag == "UIT-00017"
    wipe = service.import_wipe_log(None, sample("dodshort_passed.log"), "dodshort_passed.log")
    assert wipe.device_id == device.id and wipe.passed
    assert (wipe.method, wipe.nist_class, wipe.tool, wipe.tool_version) == (
        "DoD Short",
        "clear",
        "nwipe",
        "0.35",
    )
    assert wipe.disks[0].disk_serial == "S3YJNX0K812345"
    assert wipe.disks[0].size_bytes > 2**31
    assert device.state == "wiped"


def test_an_old_log_does_not_count_for_a_new_round(app):
    device = make_device()  # came in now; the sample is from 2025
    with pytest.raises(Invalid) as refused:
        service.import_wipe_log(None, sample("verify_failed.log"), "x.log", device)
    assert refused.value.code == "wipe_before_round"
    assert db.session.query(WipeRecord).count() == 0


def test_aborted_log_is_recorded_as_not_passed(app):
    device = backdated()
    wipe = service.import_wipe_log(None, sample("aborted_by_user.log"), "a.log", device)
    assert not wipe.passed
    assert {d.result for d in wipe.disks} <= {"aborted", "failed"}
