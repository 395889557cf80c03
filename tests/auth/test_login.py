"""Login, logout, lockout, session ending and CSRF."""

import re

from uitleen.auth import service as auth
from uitleen.auth.models import User
from uitleen.extensions import db


def login(client, email, password, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def test_login_then_home_then_logout(client, make_user):
    make_user("intake", email="ilse@test.nl", password="correct horse")
    response = login(client, "ilse@test.nl", "correct horse")
    assert response.status_code == 302
    home = client.get(response.headers["Location"], follow_redirects=True)
    assert home.status_code == 200
    assert "Goedendag" in home.get_data(as_text=True)
    out = client.post("/logout")
    assert out.status_code == 302
    assert client.get("/start").status_code == 302  # back to the login page


def test_wrong_password_says_what_to_do(client, make_user):
    make_user("intake", email="ilse@test.nl")
    response = login(client, "ilse@test.nl", "wrong")
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Het e-mailadres of het wachtwoord klopt niet" in page
    assert "coördinator" in page
    assert 'value="ilse@test.nl"' in page  # what was typed is kept


def test_unknown_email_gets_the_same_message(client):
    response = login(client, "nobody@test.nl", "whatever")
    assert response.status_code == 401
    assert "Het e-mailadres of het wachtwoord klopt niet" in response.get_data(as_text=True)


def test_account_locks_after_repeated_failures(app, client, make_user):
    user = make_user("intake", email="ilse@test.nl", password="correct horse")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        login(client, "ilse@test.nl", "wrong")
    response = login(client, "ilse@test.nl", "correct horse")
    assert response.status_code == 401
    assert "op slot" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.locked_until is not None


def test_login_is_rate_limited_per_address(client):
    statuses = [login(client, f"x{i}@test.nl", "nope").status_code for i in range(25)]
    assert 429 in statuses
    assert statuses[0] == 401


def test_next_redirect_stays_on_this_site(client, make_user):
    make_user("intake", email="ilse@test.nl", password="correct horse")
    response = login(client, "ilse@test.nl", "correct horse", next="https://evil.example/")
    assert response.headers["Location"] == "/start"


def test_deactivating_a_user_ends_their_sessions(client, login_as):
    user = login_as("volunteer")
    assert client.get("/start").status_code == 200
    auth.deactivate(None, user)
    db.session.commit()
    assert client.get("/start").status_code == 302


def test_deactivated_user_cannot_log_in(client, make_user):
    user = make_user("volunteer", email="v@test.nl", password="correct horse")
    auth.deactivate(None, user)
    db.session.commit()
    response = login(client, "v@test.nl", "correct horse")
    assert response.status_code == 401
    assert "uitgeschakeld" in response.get_data(as_text=True)


def test_password_change_ends_other_sessions(client, login_as):
    user = login_as("intake")
    auth.set_password(None, user, "a brand new passphrase")
    db.session.commit()
    assert client.get("/start").status_code == 302


def test_passwords_are_hashed_with_a_slow_hash(app):
    user = auth.create_user(None, "h@test.nl", "H", "intake", "correct horse battery")
    assert "correct horse" not in user.password_hash
    with app.test_request_context():
        app.config["PASSWORD_HASH_METHOD"] = "scrypt"
        try:
            assert auth.hash_password("correct horse battery").startswith("scrypt:")
        finally:
            app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"


def test_short_password_is_refused_with_a_reason(app):
    import pytest

    from uitleen.errors import Invalid

    with pytest.raises(Invalid) as refused:
        auth.create_user(None, "s@test.nl", "S", "intake", "short")
    assert "password" in refused.value.errors
    assert db.session.query(User).count() == 0


def test_form_without_csrf_token_is_refused(csrf_client):
    response = csrf_client.post("/login", data={"email": "a@b.nl", "password": "x"})
    assert response.status_code == 400
    assert "formulier is verlopen" in response.get_data(as_text=True)


def test_form_with_csrf_token_is_accepted(csrf_client):
    page = csrf_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = csrf_client.post(
        "/login", data={"email": "a@b.nl", "password": "x", "csrf_token": token}
    )
    assert response.status_code == 401  # CSRF passed; the login itself is wrong


def test_language_switch_to_english(client):
    response = client.post("/lang/en", data={"next": "/login"})
    assert response.status_code == 302
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en"' in page
