"""seed-demo fills an empty database and refuses a full one."""

from sqlalchemy import func, select

from uitleen.auth.models import User
from uitleen.auth.roles import ROLES
from uitleen.extensions import db


def test_seed_demo_creates_a_login_per_role_and_prints_them(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    roles = set(db.session.scalars(select(User.role)))
    assert roles == set(ROLES)
    for email in db.session.scalars(select(User.email)):
        assert email in result.output
    assert_every_device_state_agrees_with_its_log()


def assert_every_device_state_agrees_with_its_log():
    """The demo is built through the services, so its history explains every state."""
    from uitleen.audit.models import Event
    from uitleen.devices.models import Device

    last_move = {}
    moves = select(Event.subject_id, Event.data).where(Event.verb == "device.state_changed")
    for subject_id, data in db.session.execute(moves.order_by(Event.id)):
        last_move[int(subject_id)] = data["target"]
    devices = db.session.execute(select(Device.id, Device.state)).all()
    assert devices
    disagree = [(i, s, last_move.get(i)) for i, s in devices if last_move.get(i, "intake") != s]
    assert disagree == []


def test_seed_demo_refuses_a_database_with_data(app, make_user):
    make_user("intake")
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "not empty" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_seed_demo_if_empty_succeeds_quietly_on_data(app, make_user):
    make_user("intake")
    result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_demo_logins_work(app, client):
    from uitleen.demo import DEMO_LOGINS

    app.test_cli_runner().invoke(args=["seed-demo"])
    for email, _name, _role, password in DEMO_LOGINS:
        response = client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 302, email
        client.post("/logout")


def test_every_demo_device_is_what_its_records_allow(app):
    """Walk every demo device: its state follows from its records, and ready means lendable."""
    from uitleen import demo
    from uitleen.audit.models import Event
    from uitleen.db import as_utc, utcnow
    from uitleen.devices import lifecycle
    from uitleen.devices.models import Device, QualityCheck, SoftwareInstall
    from uitleen.households import service as households
    from uitleen.loans import service as loans
    from uitleen.loans.models import Loan

    seeded = demo.seed()
    db.session.flush()
    wrong = []
    for device in db.session.scalars(select(Device).order_by(Device.id)):
        wiped, checked = lifecycle.evidence(device)
        round_start = device.cycle_started_at
        installed = db.session.scalar(
            select(func.count())
            .select_from(SoftwareInstall)
            .where(
                SoftwareInstall.device_id == device.id, SoftwareInstall.recorded_at >= round_start
            )
        )
        failed_check = db.session.scalar(
            select(func.count())
            .select_from(QualityCheck)
            .where(
                QualityCheck.device_id == device.id,
                QualityCheck.passed.is_(False),
                QualityCheck.recorded_at >= round_start,
            )
        )
        open_loans = db.session.scalar(
            select(func.count())
            .select_from(Loan)
            .where(Loan.device_id == device.id, Loan.closed_at.is_(None))
        )
        gifts = db.session.scalar(
            select(func.count())
            .select_from(Loan)
            .where(Loan.device_id == device.id, Loan.kind == "gift")
        )
        allowed = {
            "intake": not wiped and not checked,
            "wiping": not wiped and not checked,
            "returned": not wiped and not checked,  # never ready again on an old wipe
            "wiped": wiped and not checked,
            "qc": wiped and bool(installed),
            "ready": wiped and checked and bool(installed),
            "repair": bool(failed_check),
            "on_loan": open_loans == 1,
            "gifted": gifts == 1 and open_loans == 0,
        }.get(device.state, open_loans == 0)
        moments = [
            as_utc(at)
            for at in db.session.scalars(
                select(Event.at)
                .where(Event.subject_type == "devices", Event.subject_id == str(device.id))
                .order_by(Event.id)
            )
        ]
        times_in_order = (
            as_utc(device.created_at) <= as_utc(round_start) <= as_utc(device.state_changed_at)
            and as_utc(device.state_changed_at) <= seeded.now
            and moments == sorted(moments)
            and moments[0] == as_utc(device.created_at)
            and moments[-1] <= utcnow()  # the labels seeder prints today's stock now
        )
        if not (allowed and times_in_order):
            wrong.append((device.asset_tag, device.state, wiped, checked, installed))
    assert wrong == []

    ready = list(db.session.scalars(select(Device).where(Device.state == "ready")))
    assert ready and len(loans.ready_devices(limit=1000)) == len(ready)
    household = households.register(seeded.users["intake"], {"language": "nl"})
    for device in ready:
        with db.session.begin_nested() as savepoint:
            loan = loans.issue(seeded.users["intake"], device, household)
            assert loan.device.state == "on_loan"
            savepoint.rollback()
    db.session.expire_all()
    assert len(loans.ready_devices(limit=1000)) == len(ready)
