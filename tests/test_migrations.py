"""The schema comes from migrations: empty → head → matches the models → back to empty."""

import uuid
from contextlib import contextmanager

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from tests.conftest import database_url_from_env, make_app, on_postgres
from uitleen.extensions import db


@contextmanager
def empty_database(tmp_path):
    if not on_postgres():
        yield f"sqlite:///{tmp_path}/migrations.sqlite3"
        return
    import psycopg

    base = make_url(database_url_from_env())
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"uitleen_migrate_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def migrated_app(tmp_path):
    with empty_database(tmp_path) as url:
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
