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
