"""Test fixtures: the same suite on SQLite (default) and PostgreSQL (DATABASE_URL).

On PostgreSQL each test run makes its own database and drops it afterwards, so runs
never see each other's rows.
"""

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from shutil import ignore_patterns

import pytest
from babel.messages.frontend import compile_catalog
from flask import Flask
from flask_babel import Babel
from flask_sqlalchemy.session import Session
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.browser.chromium import browser  # noqa: F401 - a fixture for every package
from uitleen import create_app, ratelimit
from uitleen.auth import service as auth
from uitleen.auth.roles import ROLES
from uitleen.config import normalise_database_url
from uitleen.extensions import db

PG_HINT = (
    "PostgreSQL not configured: set DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test "
    "to run this test"
)


def database_url_from_env() -> str | None:
    url = os.environ.get("DATABASE_URL")
    return normalise_database_url(url) if url else None


def on_postgres() -> bool:
    url = database_url_from_env()
    return bool(url and url.startswith("postgresql"))


requires_postgres = pytest.mark.skipif(not on_postgres(), reason=PG_HINT)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "commits: commits for real where other connections see it (threads, other apps); "
        "the tables are emptied around the test instead of rolled back",
    )


@contextmanager
def fresh_database(tmp_path: Path, name: str = "test") -> Iterator[str]:
    """An empty database URL: a SQLite file under tmp_path, or a new PostgreSQL database
    (when DATABASE_URL names one) that is dropped afterwards."""
    if not on_postgres():
        yield f"sqlite:///{tmp_path / name}.sqlite3"
        return
    import psycopg

    base = make_url(database_url_from_env())
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    database = f"uitleen_{name}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    try:
        yield base.set(database=database).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A database for this run: a temporary SQLite file, or a fresh PostgreSQL database."""
    with fresh_database(tmp_path_factory.mktemp("db"), "test") as url:
        yield url


TEST_CONFIG = {
    "TESTING": True,
    "WTF_CSRF_ENABLED": False,  # on in production; csrf_client tests it
    "SECRET_KEY": "test-secret",
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast; production uses scrypt
    "RATELIMIT_STORAGE_URI": "memory://",
    "UITLEEN_REDIS_URL": "",  # one machine, whatever the shell says; queue tests set it
    "UITLEEN_BASE_URL": "https://hulp.uitleen.test",
    "SERVER_NAME": None,
}


TRANSLATIONS = Path(__file__).parents[1] / "uitleen" / "translations"


def compile_catalogues(directory: Path) -> None:
    """`pybabel compile -d directory`: every <lang>/LC_MESSAGES/messages.po under it."""
    command = compile_catalog()
    command.initialize_options()
    command.directory = str(directory)
    command.finalize_options()
    assert command.run() == 0, f"the catalogues under {directory} have errors"


def compiled_catalogues(directory: Path) -> Path:
    """Compile the real catalogues into directory/<lang>/LC_MESSAGES/messages.mo."""
    # Compiled here rather than read from uitleen/translations, so the tests do not depend
    # on `make translations` having run since the last change to a messages.po.
    shutil.copytree(TRANSLATIONS, directory, dirs_exist_ok=True, ignore=ignore_patterns("*.mo"))
    compile_catalogues(directory)
    return directory


@pytest.fixture(scope="session")
def catalogues(tmp_path_factory) -> str:
    """The directory of the real catalogues, compiled once per run."""
    return str(compiled_catalogues(tmp_path_factory.mktemp("translations")))


@pytest.fixture(scope="module")
def babel_app(catalogues):
    """A bare Flask app whose Babel reads the compiled catalogues, inside an app context."""
    app = Flask(__name__)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = catalogues
    Babel(app)
    with app.app_context():
        yield app


def make_app(database_url: str, **overrides):
    return create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, **overrides})


@pytest.fixture(scope="session")
def _app(database_url):
    app = make_app(database_url)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def empty_all_tables() -> None:
    tables = db.metadata.sorted_tables
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
    db.session.commit()


class JoinedSession(Session):
    """A session on the test's own connection rather than on the engine."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


@contextmanager
def rolled_back() -> Iterator[None]:
    """Everything inside happens in one transaction that is rolled back at the end.

    db.session is bound to one connection in a transaction; its commits and rollbacks
    become savepoints in that transaction (SQLAlchemy's "join an external transaction").
    On SQLite this works because uitleen.db emits BEGIN itself (pysqlite does not).
    """
    connection = db.engine.connect()
    transaction = connection.begin()
    scoped = db.session
    db.session = db._make_scoped_session(
        {"class_": JoinedSession, "bind": connection, "join_transaction_mode": "create_savepoint"}
    )
    try:
        yield
    finally:
        db.session.remove()
        db.session = scoped
        transaction.rollback()
        connection.close()


# Fixtures whose apps have their own engine: they see only what is really committed.
OTHER_APPS = {"app_factory", "translated_app"}


def pytest_collection_modifyitems(items):
    for item in items:
        if OTHER_APPS & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.commits)


@pytest.fixture
def app(_app, request):
    """The app with fresh rate limits, inside an app context.

    What the test writes is rolled back at its end. A test marked `commits` (and every
    test that makes another app) commits for real instead, with the tables emptied before
    and after it.
    """
    with _app.app_context():
        ratelimit.reset(_app)
        if request.node.get_closest_marker("commits") is None:
            with rolled_back():
                yield _app
            return
        empty_all_tables()
        try:
            yield _app
        finally:
            db.session.rollback()
            db.session.remove()
            empty_all_tables()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app):
    counter = iter(range(1, 10_000))

    def make(role: str = "coordinator", email: str | None = None, password: str = "correct horse"):
        n = next(counter)
        user = auth.create_user(
            None, email or f"{role}{n}@test.uitleen.nl", f"{role.title()} {n}", role, password
        )
        db.session.commit()
        return user

    return make


@pytest.fixture
def login_as(client, make_user):
    """Log the test client in as a new user of this role; returns the user."""

    def login(role: str):
        assert role in ROLES
        user = make_user(role)
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return user

    return login


@pytest.fixture
def api_headers(make_user):
    """Authorization headers for a new user of this role."""

    def headers(role: str = "coordinator") -> dict:
        user = make_user(role)
        token = auth.create_token(None, user, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture
def app_factory(database_url):
    """Make extra apps with other settings; their connections are closed afterwards."""
    made = []

    def factory(**overrides):
        app = make_app(database_url, **overrides)
        made.append(app)
        return app

    yield factory
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def csrf_client(app_factory):
    """A client of an app with CSRF protection on, as in production."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        empty_all_tables()
        yield app.test_client()
        db.session.remove()
        empty_all_tables()
