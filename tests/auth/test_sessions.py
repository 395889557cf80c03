"""Sessions end on the server: at logout, at a password change, when idle, and when old."""

import re
from datetime import timedelta

import pytest

from uitleen import create_app
from uitleen.auth import service as auth
from uitleen.extensions import db


@pytest.fixture
def site(app, app_factory):
    """A second app on the same database. Its requests each get their own app context, as
    in production; requests of `app` share the test's, and with it Flask-Login's cached
    user, which would hide what the cookie alone does."""
    return app_factory()


@pytest.fixture
def web(site):
    return site.test_client()


def login(client, email="ilse@test.nl", password="correct horse", **extra):
    response = client.post("/login", data={"email": email, "password": password, **extra})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def copy_of(site, client):
    """Another browser holding a copy of this client's session cookie."""
    thief = site.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_copied_cookie_stops_working_at_logout(site, web, make_user):
    make_user("intake", email="ilse@test.nl")
    login(web)
    thief = copy_of(site, web)
    assert thief.get("/households/").status_code == 200
    assert web.post("/logout").status_code == 302
    assert thief.get("/households/").status_code == 302  # to the login page
    assert web.get("/households/").status_code == 302


def test_a_copied_cookie_stops_working_at_a_password_change(site, web, make_user):
    user = make_user("intake", email="ilse@test.nl")
    login(web)
    thief = copy_of(site, web)
    auth.set_password(user, user, "a brand new passphrase")
    db.session.commit()
    assert thief.get("/households/").status_code == 302


class Clock:
    """Stands in for time.time in uitleen.auth.sessions, so hours pass at once."""

    def __init__(self, monkeypatch):
        import time

        from uitleen.auth import sessions

        self.now = time.time()
        monkeypatch.setattr(sessions, "clock", lambda: self.now)

    def advance(self, **delta):
        self.now += timedelta(**delta).total_seconds()


def test_a_session_ends_after_eight_hours_unused(site, web, make_user, monkeypatch):
    clock = Clock(monkeypatch)
    make_user("intake", email="ilse@test.nl")
    login(web)
    clock.advance(hours=7, minutes=50)
    assert web.get("/households/").status_code == 200  # in use: the idle time restarts
    clock.advance(hours=3)
    assert web.get("/households/").status_code == 200
    clock.advance(hours=8, seconds=1)
    assert web.get("/households/").status_code == 302


def test_a_session_in_use_still_ends_twelve_hours_after_login(site, web, make_user, monkeypatch):
    clock = Clock(monkeypatch)
    make_user("intake", email="ilse@test.nl")
    login(web)
    for _hour in range(11):
        clock.advance(hours=1)
        assert web.get("/households/").status_code == 200
    clock.advance(hours=1, seconds=1)
    assert web.get("/households/").status_code == 302
    login(web)  # and a new login starts a new session
    assert web.get("/households/").status_code == 200


def test_the_cookie_signature_itself_expires_within_the_absolute_lifetime(app):
    # Flask checks the signature's age against this for every session cookie, logged in
    # or not; its default is 31 days.
    assert app.permanent_session_lifetime <= timedelta(hours=12)
    assert app.config["SESSION_IDLE_LIFETIME"] == timedelta(hours=8)
    assert app.config["SESSION_ABSOLUTE_LIFETIME"] == timedelta(hours=12)


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_the_csrf_token_from_before_login_is_refused_after_login(app_factory, make_user):
    make_user("intake", email="ilse@test.nl")
    csrf_client = app_factory(WTF_CSRF_ENABLED=True).test_client()
    before = csrf_token(csrf_client.get("/login").get_data(as_text=True))
    login(csrf_client, csrf_token=before)
    assert csrf_client.post("/logout", data={"csrf_token": before}).status_code == 400
    after = csrf_token(csrf_client.get("/households/").get_data(as_text=True))
    assert after != before
    assert csrf_client.post("/logout", data={"csrf_token": after}).status_code == 302


@pytest.mark.parametrize(("env", "secure"), [("production", True), ("development", False)])
def test_production_sends_the_session_cookie_only_over_https(monkeypatch, env, secure):
    monkeypatch.setenv("UITLEEN_ENV", env)
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret")
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is secure
    assert app.config["REMEMBER_COOKIE_SECURE"] is secure
    response = app.test_client().get("/login", base_url="https://uitleen.test")
    cookie = response.headers["Set-Cookie"]
    assert ("; Secure" in cookie) is secure


def test_production_can_still_turn_secure_cookies_off_by_hand(monkeypatch):
    monkeypatch.setenv("UITLEEN_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret")
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "false")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is False
