"""Backup while writes go on, verification, and restore into an empty database only."""

import os
import sqlite3
import threading
import time

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from tests.conftest import fresh_database, on_postgres, requires_postgres
from uitleen.audit.models import Event
from uitleen.extensions import db
from uitleen.reports import backup as backups
from uitleen.reports import doctor
from uitleen.settings import service as settings
from uitleen.settings.models import Location


def add_locations(app, start: int, count: int) -> None:
    """Each location and its audit event are written in one transaction."""
    with app.app_context():
        for n in range(start, start + count):
            settings.create_location(None, f"Locatie {n}", address=f"Straat {n}")
            db.session.commit()
        db.session.remove()


class Writer(threading.Thread):
    """Keeps committing location + event pairs until told to stop."""

    def __init__(self, app, first: int):
        super().__init__(daemon=True)
        self.app, self.next, self.stop = app, first, threading.Event()
        self.error: BaseException | None = None

    def run(self):
        try:
            while not self.stop.is_set():
                add_locations(self.app, self.next, 1)
                self.next += 1
        except BaseException as error:  # reported by the test, not swallowed
            self.error = error


def consistent(locations: int, created_events: int) -> bool:
    return locations == created_events


@pytest.fixture
def sqlite_app(app_factory, tmp_path):
    """An app on its own SQLite file, whatever database the rest of the suite uses."""
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    app = app_factory(SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        db.create_all()
        db.session.remove()
    return app


def test_sqlite_backup_during_writes_is_consistent_and_verified(sqlite_app, tmp_path):
    add_locations(sqlite_app, 0, 300)
    writer = Writer(sqlite_app, 300)
    writer.start()
    while writer.next < 320:  # writes are under way before the backup starts
        time.sleep(0.005)
    out = tmp_path / "copy.sqlite3"
    result = sqlite_app.test_cli_runner().invoke(args=["backup", str(out)])
    written_during = writer.next
    time.sleep(0.05)
    writer.stop.set()
    writer.join(10)
    assert writer.error is None
    assert result.exit_code == 0, result.output
    assert "integrity check: ok" in result.output
    assert "locations" in result.output and "MISMATCH" not in result.output
    copy = sqlite3.connect(out)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        locations = copy.execute("SELECT count(*) FROM locations").fetchone()[0]
        events = copy.execute(
            "SELECT count(*) FROM events WHERE verb = 'location.created'"
        ).fetchone()[0]
    finally:
        copy.close()
    assert 320 <= locations <= written_during
    assert consistent(locations, events)
    assert writer.next > written_during  # the app kept writing after the copy


def test_sqlite_restore_into_empty_database_then_refuses_a_full_one(
    sqlite_app, app_factory, tmp_path
):
    add_locations(sqlite_app, 0, 25)
    out = tmp_path / "copy.sqlite3"
    assert sqlite_app.test_cli_runner().invoke(args=["backup", str(out)]).exit_code == 0
    target = app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'new.sqlite3'}")
    result = target.test_cli_runner().invoke(args=["restore", str(out)])
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output and "integrity check: ok" in result.output
    with target.app_context():
        assert db.session.scalar(select(func.count()).select_from(Location)) == 25
        assert db.session.scalar(select(func.count()).select_from(Event)) == 25
        db.session.remove()
    again = target.test_cli_runner().invoke(args=["restore", str(out)])
    assert again.exit_code != 0
    assert "not empty" in again.output and "locations (25 rows)" in again.output


def test_backup_refuses_to_overwrite_a_file(sqlite_app, tmp_path):
    out = tmp_path / "exists.sqlite3"
    out.write_bytes(b"keep me")
    result = sqlite_app.test_cli_runner().invoke(args=["backup", str(out)])
    assert result.exit_code != 0 and "already exists" in result.output
    assert out.read_bytes() == b"keep me"


def test_restore_refuses_a_damaged_backup(sqlite_app, tmp_path):
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    result = sqlite_app.test_cli_runner().invoke(args=["restore", str(broken)])
    assert result.exit_code != 0


def test_missing_pg_dump_explains_how_to_back_up(monkeypatch):
    monkeypatch.setattr(backups.shutil, "which", lambda _tool: None)
    with pytest.raises(backups.BackupError) as refused:
        backups.tool_path("pg_dump")
    assert "postgresql-client" in str(refused.value)
    assert "pg_dump --format=custom" in str(refused.value)


@pytest.fixture
def empty_pg_database(tmp_path):
    """A new, empty PostgreSQL database for a restore; dropped afterwards."""
    with fresh_database(tmp_path, "restore") as url:
        yield url


@requires_postgres
@pytest.mark.commits  # pg_dump is another connection: it sees only what is committed
def test_postgres_backup_during_writes_and_restore(app, tmp_path, empty_pg_database):
    assert on_postgres()
    add_locations(app, 0, 200)
    writer = Writer(app, 200)
    writer.start()
    while writer.next < 210:
        time.sleep(0.005)
    out = tmp_path / "uitleen.dump"
    check = backups.backup(app.config["SQLALCHEMY_DATABASE_URI"], out)
    writer.stop.set()
    writer.join(10)
    assert writer.error is None
    assert check.ok
    assert check.copy_counts["locations"] == check.copy_counts["events"]
    assert check.copy_counts["locations"] >= 210
    restored = backups.restore(out, empty_pg_database)
    assert restored.ok
    assert restored.copy_counts["locations"] == check.copy_counts["locations"]
    with pytest.raises(backups.BackupError, match="not empty"):
        backups.restore(out, empty_pg_database)
    db.session.execute(text("SELECT 1"))


def mode(path) -> int:
    return path.stat().st_mode & 0o777


def test_sqlite_backup_is_readable_by_its_owner_only(sqlite_app, tmp_path):
    # It holds household data, voucher codes and password hashes.
    add_locations(sqlite_app, 0, 3)
    out = tmp_path / "copy.sqlite3"
    old = os.umask(0o022)  # the usual umask, which would make the file 0644
    try:
        result = sqlite_app.test_cli_runner().invoke(args=["backup", str(out)])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert mode(out) == 0o600


def test_sqlite_restore_into_the_tables_of_db_upgrade(sqlite_app, app_factory, tmp_path):
    """The README's way: `uitleen db upgrade` makes the empty tables, restore fills them."""
    add_locations(sqlite_app, 0, 7)
    out = tmp_path / "copy.sqlite3"
    assert sqlite_app.test_cli_runner().invoke(args=["backup", str(out)]).exit_code == 0
    target = app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'upgraded.sqlite3'}")
    upgraded = target.test_cli_runner().invoke(args=["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    result = target.test_cli_runner().invoke(args=["restore", str(out)])
    assert result.exit_code == 0, result.output
    with target.app_context():
        assert db.session.scalar(select(func.count()).select_from(Location)) == 7
        db.session.remove()


@requires_postgres
def test_postgres_backup_mode_and_restore_into_upgraded_tables(app_factory, tmp_path):
    """The README's way, both ends made by `uitleen db upgrade`; the copy is 0600."""
    with fresh_database(tmp_path, "source") as source, fresh_database(tmp_path, "target") as target:
        for url in (source, target):
            with app_factory(SQLALCHEMY_DATABASE_URI=url).app_context():
                upgrade()  # `uitleen db upgrade` (its CLI would find this test's app)
                if url == source:
                    settings.create_location(None, "Buurthuis De Brug")
                    db.session.commit()
                db.session.remove()
                db.engine.dispose()
        out = tmp_path / "uitleen.dump"
        old = os.umask(0o022)
        try:
            assert backups.backup(source, out).ok
        finally:
            os.umask(old)
        assert mode(out) == 0o600
        restored = backups.restore(out, target)
        assert restored.ok and restored.copy_counts["locations"] == 1
        assert restored.copy_counts["alembic_version"] == 1


def test_a_backup_is_noted_for_uitleen_doctor(sqlite_app, tmp_path):
    result = sqlite_app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.sqlite3")])
    assert result.exit_code == 0, result.output
    with sqlite_app.app_context():
        [last] = [finding for finding in doctor.findings() if finding.setting == "backups"]
        assert last.ok, last
