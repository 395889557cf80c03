"""The device page offers exactly the workshop work the service accepts, in every state."""

import pytest
from sqlalchemy import func, select

from tests.devices.factories import make_device, qc_results, software_data, wipe_input
from uitleen.auth.roles import COORDINATOR, INTAKE, VOLUNTEER
from uitleen.devices import lifecycle, service
from uitleen.devices.models import STATES, SoftwareInstall
from uitleen.errors import Conflict
from uitleen.extensions import db

WORK = {
    "wipe": lambda device: service.record_wipe(None, device, wipe_input()),
    "software": lambda device: service.record_software(None, device, **software_data()),
    "check": lambda device: service.record_quality_check(None, device, results=qc_results()),
}


def _service_accepts(device, what: str) -> bool:
    try:
        with db.session.begin_nested():
            WORK[what](device)
            raise _Undo
    except _Undo:
        return True
    except Conflict:
        return False


class _Undo(Exception):
    """Leaves the savepoint, so each try starts from the same device."""


@pytest.mark.parametrize("state", STATES)
def test_page_and_service_agree_on_the_work_a_device_may_get(client, login_as, state):
    login_as("volunteer")
    device = make_device()
    device.state = state
    db.session.commit()
    page = client.get(f"/devices/{device.id}").get_data(as_text=True)
    for what in WORK:
        offered = f'href="/devices/{device.id}/{what}"' in page
        assert offered == _service_accepts(device, what), (state, what)


def test_no_software_for_a_device_kept_for_parts(app):
    device = make_device()
    device.state = "parts"
    db.session.flush()
    with pytest.raises(Conflict) as refused:
        service.record_software(None, device, **software_data())
    assert refused.value.code == "not_in_workshop"
    assert db.session.scalar(select(func.count()).select_from(SoftwareInstall)) == 0
    assert "record_software" not in lifecycle.actions_for(device, VOLUNTEER)


def test_only_the_workshop_gets_workshop_work(app):
    device = make_device()
    assert "record_wipe" in lifecycle.actions_for(device, VOLUNTEER)
    assert "record_wipe" not in lifecycle.actions_for(device, INTAKE)
    assert "move:wiping" in lifecycle.actions_for(device, COORDINATOR)
