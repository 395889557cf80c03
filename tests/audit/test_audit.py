"""Every change is logged with who and when; coordinators can read the log."""

import pytest

from uitleen.audit.models import Event
from uitleen.audit.service import history, record
from uitleen.auth import service as auth
from uitleen.extensions import db


def test_creating_a_user_is_logged_with_the_actor(make_user):
    coordinator = make_user("coordinator")
    user = auth.create_user(coordinator, "new@test.nl", "New", "intake", "long enough pw")
    db.session.commit()
    event = history("users", user.id)[0]
    assert event.verb == "user.created"
    assert event.actor_id == coordinator.id
    assert event.actor_name == coordinator.name
    assert event.at is not None
    assert "password" not in event.data and "long enough pw" not in str(event.data)


def test_record_refuses_secrets_in_details(make_user):
    user = make_user("intake")
    with pytest.raises(ValueError, match="secrets"):
        record(user, "token.created", user, token="uit_abc")


def test_coordinator_browses_the_log(client, login_as):
    login_as("coordinator")
    page = client.get("/audit/")
    assert page.status_code == 200
    assert "user.created" in page.get_data(as_text=True)


def test_log_pages_by_keyset(client, login_as, make_user):
    login_as("coordinator")
    for _ in range(60):
        record(None, "test.ping", ("thing", 1))
    db.session.commit()
    first = client.get("/audit/?verb=test.ping").get_data(as_text=True)
    assert "Oudere gebeurtenissen" in first
    oldest = db.session.query(Event).filter_by(verb="test.ping").order_by(Event.id).first()
    second = client.get(f"/audit/?verb=test.ping&before={oldest.id + 10}")
    assert second.get_data(as_text=True).count("test.ping") >= 10


def test_record_many_logs_one_event_per_subject(make_user):
    user = make_user("volunteer")
    from uitleen.audit.service import record_many

    record_many(user, "label.printed", "devices", [7, 8, 9], job="abc", format="L7160")
    db.session.commit()
    events = db.session.query(Event).filter_by(verb="label.printed").order_by(Event.id).all()
    assert [e.subject_id for e in events] == ["7", "8", "9"]
    assert all(
        e.actor_id == user.id and e.data == {"job": "abc", "format": "L7160"} for e in events
    )
    assert history("devices", 8)[0].verb == "label.printed"


def test_record_many_refuses_secrets(make_user):
    from uitleen.audit.service import record_many

    with pytest.raises(ValueError, match="secrets"):
        record_many(None, "x.y", "devices", [1], token="uit_abc")


def test_record_many_adds_details_per_subject_and_checks_them_too(app):
    from uitleen.audit.service import record_many

    record_many(None, "x.y", "devices", [1, 2], each={1: {"asset_tag": "UIT-00001"}}, source="a")
    events = db.session.query(Event).filter_by(verb="x.y").order_by(Event.id).all()
    assert [e.data for e in events] == [{"source": "a", "asset_tag": "UIT-00001"}, {"source": "a"}]
    with pytest.raises(ValueError, match="secrets"):
        record_many(None, "x.z", "devices", [1], each={1: {"token": "uit_abc"}})
    assert db.session.query(Event).filter_by(verb="x.z").count() == 0


def test_the_log_shows_local_time_across_the_spring_change(client, login_as):
    from datetime import UTC, datetime

    login_as("coordinator")
    before = record(None, "test.before", ("thing", 1))
    after = record(None, "test.after", ("thing", 2))
    before.at = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # 01:30 CET
    after.at = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST
    db.session.commit()
    page = client.get("/audit/").get_data(as_text=True)
    assert "29-03-2026, 01:30" in page and "29-03-2026, 03:30" in page
