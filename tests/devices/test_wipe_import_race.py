"""One log, one record, also when ten volunteers upload the same log at the same moment."""

import pytest
from sqlalchemy import func, select

from tests.devices.test_wipe_evidence import PASSED_ONE, intake, log_bytes
from tests.races import committed, pooled_app, run_together
from uitleen.devices import service
from uitleen.devices.models import Device, WipeRecord
from uitleen.errors import Conflict
from uitleen.extensions import db

pytestmark = pytest.mark.commits

ATTEMPTS = 10


@pytest.fixture
def race_app(app_factory):
    return pooled_app(app_factory, ATTEMPTS)


def test_ten_simultaneous_uploads_of_one_log_make_one_record(app, race_app):
    device = intake()
    db.session.commit()
    device_id = device.id
    db.session.rollback()

    def upload():
        device = db.session.get(Device, device_id)
        return service.import_wipe_log(None, log_bytes(PASSED_ONE), PASSED_ONE, device).id

    def attempt(_i: int):
        return committed(race_app, upload)

    results = run_together(ATTEMPTS, attempt)

    assert len([r for r in results if isinstance(r, int)]) == 1, results
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(refused) == ATTEMPTS - 1, results
    assert {r.code for r in refused} == {"log_already_imported"}
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(WipeRecord)) == 1
    assert db.session.get(Device, device_id).state == "wiped"
