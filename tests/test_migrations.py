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
