"""Backups on demand: a coordinator asks on a page, the copy is made (in the background
with a shared queue) and verified, kept on the server only, and listed from the event log."""

import re
import sqlite3
from datetime import UTC, datetime

import pytest
from flask import g

from tests.conftest import on_postgres
from tests.devices.factories import make_device
from tests.queue import needs_redis, shared_queue, work_off
from uitleen import storyclock, tasks
from uitleen.audit.models import Event
from uitleen.auth import service as auth
from uitleen.extensions import db
from uitleen.reports import backups, doctor

# The copy is made by another connection or by pg_dump: the tests that make one commit.
commits = pytest.mark.commits


@pytest.fixture
def folder(app, tmp_path, monkeypatch):
    where = tmp_path / "backups"
    monkeypatch.setitem(app.config, "UITLEEN_BACKUP_DIR", str(where))
    return where


def copied_devices(path) -> int:
    """How many devices the copy holds (SQLite: read it; PostgreSQL: its verified counts)."""
    with sqlite3.connect(path) as copy:
        return copy.execute("SELECT count(*) FROM devices").fetchone()[0]


@commits
def test_a_coordinator_makes_a_verified_backup_that_stays_on_the_server(
    app, client, login_as, folder
):
    make_device()
    make_device()
    db.session.commit()
    coordinator = login_as("coordinator")
    assert "Er is nog geen back-up gemaakt" in client.get("/backups").get_data(as_text=True)

    response = client.post("/backups")
    assert response.status_code == 303 and response.headers["Location"].endswith("/backups")
    page = client.get("/backups").get_data(as_text=True)
    [made] = list(folder.iterdir())
    assert f"Back-up {made.name} gemaakt en gecontroleerd" in page
    assert made.name in page and coordinator.name in page  # listed from the event log
    assert made.stat().st_mode & 0o777 == 0o600 and folder.stat().st_mode & 0o777 == 0o700
    if not on_postgres():
        assert copied_devices(made) == 2
    # The doctor counts it as the latest backup, made by this coordinator.
    event = db.session.scalars(db.select(Event).where(Event.verb == doctor.BACKUP_VERB)).one()
    assert event.actor_id == coordinator.id and event.subject_id == made.name
    assert doctor._backups().ok
    # Nothing on the page hands the copy out.
    assert not re.search(r'href="[^"]*uitleen-\d', page)


@commits
def test_a_backup_that_cannot_be_made_says_why_and_records_nothing(app, client, login_as, folder):
    login_as("coordinator")
    moment = datetime(2026, 3, 29, 1, 59, 30, tzinfo=UTC)  # 03:59:30 in Amsterdam (CEST)
    folder.mkdir(mode=0o700)
    suffix = "dump" if on_postgres() else "sqlite3"
    taken = folder / f"uitleen-20260329-035930.{suffix}"
    taken.write_text("somebody else's file")
    with storyclock.at(moment):
        client.post("/backups")
    page = client.get("/backups").get_data(as_text=True)
    assert "De back-up is niet gemaakt" in page and "already exists" in page
    assert taken.read_text() == "somebody else's file"
    assert backups.recent() == []


def test_a_backup_folder_that_cannot_be_made_is_said_not_a_server_error(
    app, client, login_as, tmp_path, monkeypatch
):
    taken = tmp_path / "a-file"
    taken.write_text("not a folder")
    monkeypatch.setitem(app.config, "UITLEEN_BACKUP_DIR", str(taken / "backups"))
    login_as("coordinator")
    response = client.post("/backups")
    assert response.status_code == 303
    page = client.get("/backups").get_data(as_text=True)
    assert "De back-up is niet gemaakt" in page and "a-file" in page
    assert backups.recent() == []


@commits
def test_only_the_newest_backups_made_here_are_kept(app, client, login_as, folder, monkeypatch):
    monkeypatch.setattr(backups, "KEEP", 2)
    login_as("coordinator")
    folder.mkdir(mode=0o700)
    (folder / "mine.sqlite3").write_text("an operator's own copy")
    for minute in (1, 2, 3):
        with storyclock.at(datetime(2026, 12, 1, 9, minute, tzinfo=UTC)):
            client.post("/backups")
    kept = sorted(path.name for path in folder.iterdir())
    suffix = "dump" if on_postgres() else "sqlite3"
    newest = [f"uitleen-20261201-{minute}.{suffix}" for minute in ("100200", "100300")]
    assert kept == ["mine.sqlite3", *newest]
    assert len(backups.recent()) == 3  # the log remembers all three


@pytest.mark.parametrize("role", ["volunteer", "intake"])
def test_only_coordinators_see_or_make_backups(client, login_as, folder, role):
    login_as(role)
    assert client.get("/backups").status_code == 403
    assert client.post("/backups").status_code == 403
    assert not folder.exists()


def test_the_form_needs_its_csrf_token(csrf_client, tmp_path):
    folder = tmp_path / "backups"
    csrf_client.application.config["UITLEEN_BACKUP_DIR"] = str(folder)
    user = auth.create_user(
        None, "c@test.uitleen.nl", "Coördinator", "coordinator", "a pass phrase"
    )
    db.session.commit()
    with csrf_client.session_transaction() as session:
        session["_user_id"] = user.get_id()
    assert csrf_client.post("/backups").status_code == 400
    assert not folder.exists()


@needs_redis
@commits
def test_with_a_shared_queue_a_worker_makes_it_and_any_server_shows_how_it_went(
    app, client, login_as, folder, monkeypatch
):
    make_device()
    db.session.commit()
    with shared_queue(app, monkeypatch) as connection:
        login_as("coordinator")
        response = client.post("/backups")
        assert response.status_code == 303
        location = response.headers["Location"]
        waiting = client.get(location)
        assert waiting.headers["Refresh"] == str(tasks.REFRESH_SECONDS)
        assert "Bezig met de back-up" in waiting.get_data(as_text=True)
        assert not folder.exists()  # the request made nothing itself

        work_off(connection)
        page = client.get(location)
        text = page.get_data(as_text=True)
        [made] = list(folder.iterdir())
        assert "Refresh" not in page.headers
        assert f"Back-up {made.name} gemaakt en gecontroleerd" in text
        work = tasks.get(location.rsplit("/", 1)[1], backups.BACKUP_WORK)
        assert work.result["rows"] >= 1 and work.result["tables"] > 5
        # The job id of a backup is no device import, and the reverse.
        assert client.get(location.replace("/backups/", "/devices/import/")).status_code == 404
        g.pop("_login_user", None)
        login_as("volunteer")
        assert client.get(location).status_code == 403
