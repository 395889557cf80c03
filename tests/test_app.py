"""The app factory and configuration."""

import pytest

from uitleen import create_app
from uitleen.config import ConfigError, normalise_database_url


def test_factory_takes_a_config_mapping(app_factory):
    app = app_factory(UITLEEN_BASE_URL="https://labels.example.nl")
    assert app.config["TESTING"] is True
    assert app.config["UITLEEN_BASE_URL"] == "https://labels.example.nl"


def test_database_defaults_to_sqlite_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"TESTING": True})
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    assert uri.startswith("sqlite:///") and uri.endswith("instance/uitleen.sqlite3")


def test_environment_is_read(monkeypatch):
    monkeypatch.setenv("UITLEEN_BASE_URL", "https://hulp.example.nl/")
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["UITLEEN_BASE_URL"] == "https://hulp.example.nl"
    assert app.config["SECRET_KEY"] == "from-the-environment"


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.setenv("UITLEEN_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_starts_with_a_secret_key(monkeypatch):
    monkeypatch.setenv("UITLEEN_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["ENV_NAME"] == "production"


@pytest.mark.parametrize(
    "given",
    [
        "postgres://u@h/db",
        "postgresql://u@h/db",
        "postgresql+psycopg://u@h/db",
    ],
)
def test_postgres_urls_use_psycopg3(given):
    assert normalise_database_url(given) == "postgresql+psycopg://u@h/db"


@pytest.mark.commits  # a second connection: the test's open transaction would block it
def test_sqlite_runs_in_wal_mode_with_foreign_keys(app):
    from sqlalchemy import text

    from uitleen.extensions import db

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas only")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000
    assert db.session.execute(text("SELECT 1")).scalar() == 1


def test_session_cookie_is_httponly_and_samesite(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_wsgi_exposes_app(monkeypatch, tmp_path):
    import importlib

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/w.sqlite3")
    wsgi = importlib.import_module("wsgi")
    assert wsgi.app.name == "uitleen"


@pytest.mark.parametrize(
    ("method", "path", "locks"),
    [
        ("GET", "/devices/", False),  # reads run side by side
        ("POST", "/devices/new", True),
        ("GET", "/loans/1/agreement.pdf", True),  # logs the print: marked @writes
        ("GET", "/api/v1/devices/1/wipes/1/certificate.pdf", False),  # draws only
    ],
)
def test_requests_that_write_take_the_sqlite_write_lock_up_front(app, method, path, locks):
    from uitleen.db import _wants_write

    with app.test_request_context(path, method=method):
        assert _wants_write() is locks


def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for(app_factory):
    from flask import request

    app = app_factory(UITLEEN_PROXY_COUNT=1)

    @app.route("/_whoami")
    def whoami():
        return request.remote_addr

    whoami.allowed_roles = "public"
    response = app.test_client().get("/_whoami", headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.get_data(as_text=True) == "203.0.113.9"
