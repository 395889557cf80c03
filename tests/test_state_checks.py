"""Every state and status column refuses a value its constant does not list, in the
models and in the migrated database, on SQLite and PostgreSQL alike."""

import re

import pytest
from flask_migrate import upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from tests.conftest import fresh_database, make_app
from tests.helpdesk.factories import make_help_request, make_labelled_device
from tests.vouchers.factories import make_batch, make_household, make_loan
from uitleen.auth.roles import ROLES
from uitleen.devices import lifecycle
from uitleen.devices.models import WipeDisk, WipeRecord
from uitleen.devices.wipelog import DiskResult
from uitleen.extensions import db
from uitleen.helpdesk.models import STATUSES as HELP_STATUSES
from uitleen.loans.models import KINDS as LOAN_KINDS
from uitleen.loans.models import OUTCOMES
from uitleen.vouchers.models import STATUSES as VOUCHER_STATUSES

# table, column -> the one constant that lists its values
CONSTANTS = {
    ("devices", "state"): lifecycle.STATES,
    ("wipe_disks", "result"): tuple(DiskResult),
    ("loans", "kind"): LOAN_KINDS,
    ("loans", "outcome"): OUTCOMES,
    ("vouchers", "status"): VOUCHER_STATUSES,
    ("help_requests", "status"): HELP_STATUSES,
    ("users", "role"): ROLES,
}


def known_value_checks(metadata) -> dict[tuple[str, str], tuple[str, ...]]:
    checks = {}
    for table in metadata.sorted_tables:
        for constraint in table.constraints:
            name = str(constraint.name or "")
            if name.endswith("_known") and "values" in constraint.info:
                column = name.removeprefix(f"ck_{table.name}_").removesuffix("_known")
                checks[(table.name, column)] = constraint.info["values"]
    return checks


def test_each_checked_column_allows_exactly_what_its_constant_lists():
    checks = known_value_checks(db.metadata)
    assert set(checks) == set(CONSTANTS)
    for key, values in CONSTANTS.items():
        assert set(checks[key]) == {str(v) for v in values}, key


def some_row_of_each(make_user) -> dict[str, int]:
    """One committed row in every checked table; their ids."""
    user = make_user("intake")
    device = make_labelled_device()
    wipe = WipeRecord(device_id=device.id, method="Zero", nist_class="Clear")
    wipe.disks.append(WipeDisk(result="passed"))
    db.session.add(wipe)
    loan = make_loan(make_household())
    batch = make_batch(codes=1)
    help_request = make_help_request(device)
    db.session.commit()
    return {
        "users": user.id,
        "devices": device.id,
        "wipe_disks": wipe.disks[0].id,
        "loans": loan.id,
        "vouchers": db.session.scalar(
            text("SELECT id FROM vouchers WHERE batch_id = :b"), {"b": batch.id}
        ),
        "help_requests": help_request.id,
    }


@pytest.mark.parametrize(("table", "column"), sorted(CONSTANTS))
def test_a_raw_update_to_an_unknown_value_is_refused(app, make_user, table, column):
    ids = some_row_of_each(make_user)
    with pytest.raises(IntegrityError):
        db.session.execute(
            text(f"UPDATE {table} SET {column} = 'nonsense' WHERE id = :id"),  # noqa: S608
            {"id": ids[table]},
        )
    db.session.rollback()
    # Every listed value is accepted (outcome and kind only on a closed loan make sense,
    # but the database only checks the vocabulary).
    for value in CONSTANTS[(table, column)]:
        db.session.execute(
            text(f"UPDATE {table} SET {column} = :v WHERE id = :id"),  # noqa: S608
            {"v": str(value), "id": ids[table]},
        )
    db.session.rollback()


@pytest.fixture
def migrated(tmp_path):
    with fresh_database(tmp_path, "checks") as url:
        app = make_app(url)
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()


def reflected_values(sqltext: str) -> set[str]:
    return set(re.findall(r"'([^']*)'", sqltext))


def test_the_migrated_database_has_the_same_checks_as_the_models(migrated):
    upgrade()
    inspector = inspect(db.engine)
    for (table, column), values in known_value_checks(db.metadata).items():
        found = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table)}
        name = f"ck_{table}_{column}_known"
        assert name in found, (name, found)
        assert reflected_values(found[name]) == set(values), name


def test_the_migration_keeps_existing_rows_and_fills_serial_keys(migrated):
    """A populated 0005 database (devices with loans, wipes and help requests pointing at
    them) upgrades in place; SQLite rebuilds each table without losing a row."""
    upgrade(revision="0005")
    db.session.execute(
        text(
            "INSERT INTO users (id, email, name, role, password_hash, active, session_version,"
            " failed_logins, language, created_at) VALUES (1, 'a@b.nl', 'A', 'intake', 'x',"
            " true, 1, 0, 'nl', CURRENT_TIMESTAMP)"
        )
    )
    db.session.execute(
        text(
            "INSERT INTO devices (id, asset_tag, public_token, kind, make, model, serial, cpu,"
            " storage_type, os_licence, condition_grade, condition_notes, state,"
            " state_changed_at, cycle_started_at, notes, created_at) VALUES"
            " (1, 'UIT-00001', 'T1', 'laptop', 'HP', 'x', '5CG-1234ABC', '', '', '', 'B', '',"
            " 'on_loan', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '', CURRENT_TIMESTAMP),"
            " (2, 'UIT-00002', 'T2', 'laptop', 'HP', 'x', 'TO BE FILLED BY O.E.M.', '', '',"
            " '', 'B', '', 'ready', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '', CURRENT_TIMESTAMP)"
        )
    )
    db.session.execute(
        text(
            "INSERT INTO help_requests (device_id, category, message, callback_phone, language,"
            " status, created_at, staff_notes) VALUES (1, 'other', '', '', 'nl', 'new',"
            " CURRENT_TIMESTAMP, '')"
        )
    )
    db.session.commit()

    upgrade()

    rows = db.session.execute(text("SELECT id, serial_key FROM devices ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [(1, "5CG1234ABC"), (2, "")]
    assert db.session.scalar(text("SELECT COUNT(*) FROM help_requests")) == 1
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE devices SET state = 'weg' WHERE id = 1"))
    db.session.rollback()


def test_the_migration_names_rows_it_cannot_keep(migrated, capfd):
    upgrade(revision="0006")  # the one before the checks
    db.session.execute(
        text(
            "INSERT INTO users (email, name, role, password_hash, active, session_version,"
            " failed_logins, language, created_at) VALUES ('a@b.nl', 'A', 'admin', 'x',"
            " true, 1, 0, 'nl', CURRENT_TIMESTAMP)"
        )
    )
    db.session.commit()
    with pytest.raises(SystemExit):  # flask-migrate logs the error and exits
        upgrade()
    assert "users.role = 'admin': 1 row(s)" in capfd.readouterr().err
    db.session.rollback()
    assert db.session.scalar(text("SELECT version_num FROM alembic_version")) == "0006"
