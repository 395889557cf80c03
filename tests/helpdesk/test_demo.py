"""The demo has help requests in several languages and states, on devices with live labels."""

from uitleen.demo import seed
from uitleen.devices.models import Device
from uitleen.extensions import db


def test_demo_help_requests(app):
    demo = seed()
    db.session.commit()
    requests = demo.objects["help_requests"]
    assert {r.status for r in requests} == {"new", "in_progress", "done"}
    assert len({r.language for r in requests}) >= 5
    states = {db.session.get(Device, r.device_id).state for r in requests}
    assert "on_loan" in states and not states & {"recycled", "gifted"}
    assert all(r.taken_by_id for r in requests if r.status != "new")
