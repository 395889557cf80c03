"""The schema comes from migrations: empty → head → matches the models → back to empty."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from tests.conftest import fresh_database, make_app, requires_postgres
from uitleen.extensions import db


@pytest.fixture
def migrated_app(tmp_path):
    with fresh_database(tmp_path, "migrate") as url:
        app = make_app(url)
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()


def test_upgrade_to_head_matches_the_models_and_downgrades_to_empty(migrated_app):
    upgrade()
    with db.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata
        )
    assert diff == [], "models and migrations disagree; add a migration"
    tables = set(inspect(db.engine).get_table_names())
    assert {t.name for t in db.metadata.sorted_tables} <= tables
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}


def test_wipe_disks_recorded_before_0011_get_their_serial_keys(migrated_app):
    """Disks recorded by the earlier schema: made at head, then the column taken away."""
    from sqlalchemy import select

    from tests.devices.factories import make_device
    from uitleen.devices.models import WipeDisk, WipeRecord

    upgrade()
    serials = ["ws-123 abc", "To be filled by O.E.M.", "", "S3Z9NB0K123456"]
    device = make_device()
    wipe = WipeRecord(device_id=device.id, method="DoD Short", nist_class="Clear", passed=True)
    wipe.disks = [WipeDisk(disk_serial=serial, result="passed") for serial in serials]
    db.session.add(wipe)
    db.session.commit()
    db.session.remove()
    downgrade(revision="0010_words")  # as before this migration: no serial_key column
    assert "serial_key" not in {c["name"] for c in inspect(db.engine).get_columns("wipe_disks")}

    upgrade()
    keys = db.session.execute(
        select(WipeDisk.disk_serial, WipeDisk.serial_key).order_by(WipeDisk.id)
    ).all()
    assert keys == [
        ("ws-123 abc", "WS123ABC"),
        ("To be filled by O.E.M.", ""),
        ("", ""),
        ("S3Z9NB0K123456", "S3Z9NB0K123456"),
    ]


MIGRATION_LOCK = 7_421_001  # the key migrations/env.py locks on PostgreSQL


def upgrade_process(url: str, tmp_path):
    root = Path(__file__).resolve().parents[1]
    return subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-c", "from uitleen.cli import main; main()", "db", "upgrade"],
        env=os.environ | {"DATABASE_URL": url, "UITLEEN_INSTANCE_PATH": str(tmp_path)},
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@requires_postgres
def test_app_servers_starting_together_migrate_one_after_the_other(tmp_path):
    """Several containers whose start runs `uitleen db upgrade` (the Dockerfile's CMD):
    one migrates, the others wait for it and then find nothing to do."""
    import psycopg

    with fresh_database(tmp_path, "together") as url:
        plain = url.replace("postgresql+psycopg://", "postgresql://")
        # While someone holds the migration lock, an upgrade waits for it.
        with psycopg.connect(plain, autocommit=True) as holder:
            holder.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
            waiting = upgrade_process(url, tmp_path / "a")
            with pytest.raises(subprocess.TimeoutExpired):
                waiting.wait(timeout=8)
            holder.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
            output, _ = waiting.communicate(timeout=120)
            assert waiting.returncode == 0, output.decode()[-2000:]
        # Three at once on an empty database: all succeed, the schema is made once.
        with fresh_database(tmp_path, "three") as empty:
            starts = [upgrade_process(empty, tmp_path / f"s{n}") for n in range(3)]
            outputs = [p.communicate(timeout=180)[0].decode()[-2000:] for p in starts]
            assert [p.returncode for p in starts] == [0, 0, 0], outputs
            with psycopg.connect(empty.replace("postgresql+psycopg://", "postgresql://")) as c:
                assert c.execute("SELECT version_num FROM alembic_version").fetchall() == [
                    ("0011_wipe_disk_keys",)
                ]
