"""One snapshot uuid, one record and one device, also when workbench-script's retries (or
ten volunteers with the same stick) send it at the same moment."""

import pytest
from sqlalchemy import func, select

from tests.devices import snapshots as samples
from tests.races import committed, pooled_app, run_together
from uitleen.devices import service
from uitleen.devices.models import Device, HardwareSnapshot, SnapshotDisk
from uitleen.extensions import db

pytestmark = pytest.mark.commits

ATTEMPTS = 10


@pytest.fixture
def race_app(app_factory):
    return pooled_app(app_factory, ATTEMPTS)


def test_ten_simultaneous_sends_of_one_snapshot_make_one_record(app, race_app):
    content = samples.body(samples.dell())
    db.session.rollback()

    def send():
        result = service.import_snapshot(None, content, "api")
        return result.record.id, result.device.id, result.replayed

    results = run_together(ATTEMPTS, lambda _i: committed(race_app, send))

    assert all(isinstance(result, tuple) for result in results), results
    assert len({record_id for record_id, _device, _replayed in results}) == 1
    assert len({device_id for _record, device_id, _replayed in results}) == 1
    assert [replayed for *_rest, replayed in results].count(False) == 1
    assert db.session.scalar(select(func.count()).select_from(HardwareSnapshot)) == 1
    assert db.session.scalar(select(func.count()).select_from(Device)) == 1
    assert db.session.scalar(select(func.count()).select_from(SnapshotDisk)) == 2
