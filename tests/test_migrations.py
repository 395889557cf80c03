"""The schema comes from migrations: empty → head → matches the models → back to empty."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from tests.conftest import fresh_database, make_app
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
