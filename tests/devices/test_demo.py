"""The demo workshop: every workshop state, consistent with its records."""

import random
from datetime import timedelta

from sqlalchemy import select

from uitleen.audit.service import history
from uitleen.auth import service as auth
from uitleen.auth.roles import ROLES
from uitleen.db import utcnow
from uitleen.demo import Demo
from uitleen.devices import demo as devices_demo
from uitleen.devices import lifecycle
from uitleen.devices.models import WipeRecord
from uitleen.extensions import db


def run_seed() -> Demo:
    users = {
        role: auth.create_user(None, f"{role}@demo.test", role.title(), role, "x" * 12)
        for role in ROLES
    }
    demo = Demo(users=users, rng=random.Random(7), now=utcnow())
    devices_demo.seed(demo)
    db.session.flush()
    return demo


def test_demo_fills_every_workshop_state_consistently(app):
    demo = run_seed()
    devices = demo.objects["devices"]
    states = {d.state for d in devices}
    assert {
        "intake",
        "wiping",
        "wiped",
        "qc",
        "ready",
        "repair",
        "parts",
        "recycled",
        "lost",
    } <= states
    ready = [d for d in devices if d.state == "ready"]
    assert len(ready) >= 15
    for device in ready:
        assert lifecycle.evidence(device) == (True, True)
    for device in devices:
        moves = [
            e.data["target"]
            for e in history("devices", device.id)
            if e.verb == "device.state_changed"
        ]
        assert (moves[0] if moves else "intake") == device.state
    assert demo.objects["locations"]


def test_demo_has_a_log_import_a_failed_wipe_and_certificates(app):
    run_seed()
    wipes = list(db.session.scalars(select(WipeRecord)))
    assert any(w.source == "nwipe-log" and w.passed for w in wipes)
    assert any(not w.passed for w in wipes)
    numbered = [w for w in wipes if w.certificate_number]
    assert len(numbered) >= 5 and all(w.passed for w in numbered)


def test_demo_steps_happen_in_order_and_in_the_past(app):
    """Each device's story runs on the demo's clock: intake first, every step before now."""
    from uitleen.db import as_utc
    from uitleen.devices.models import QualityCheck, SoftwareInstall

    demo = run_seed()
    for device in demo.objects["devices"]:
        came_in = as_utc(device.created_at)
        assert came_in < demo.now - timedelta(days=2)
        moments = [as_utc(e.at) for e in reversed(history("devices", device.id))]
        assert moments == sorted(moments) and moments[0] == came_in
        assert moments[-1] <= demo.now
        for model, column in (
            (WipeRecord, WipeRecord.finished_at),
            (SoftwareInstall, SoftwareInstall.recorded_at),
            (QualityCheck, QualityCheck.recorded_at),
        ):
            for moment in db.session.scalars(select(column).where(model.device_id == device.id)):
                assert came_in <= as_utc(moment) <= demo.now, (device.asset_tag, model)
