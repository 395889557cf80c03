"""API tokens: bearer auth, hashed storage, revocation, and the CLI."""

from uitleen.auth import service as auth
from uitleen.auth.models import ApiToken
from uitleen.extensions import db


def test_bearer_token_identifies_the_user(client, make_user):
    user = make_user("volunteer")
    token = auth.create_token(None, user, "script")
    db.session.commit()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json["email"] == user.email
    assert response.json["role"] == "volunteer"


def test_tokens_are_stored_hashed(make_user):
    token = auth.create_token(None, make_user("intake"))
    db.session.commit()
    stored = db.session.query(ApiToken).one()
    assert token not in stored.token_hash
    assert stored.prefix == token[:10]


def test_missing_token_is_401_in_the_error_shape(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json["status"] == 401
    assert response.json["code"] == "unauthenticated"
    assert response.json["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_is_401(client, make_user):
    token = auth.create_token(None, make_user("intake"))
    db.session.commit()
    auth.revoke_token(None, token[:10])
    db.session.commit()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json["code"] == "unauthenticated"


def test_deactivated_users_token_stops_working(client, make_user):
    user = make_user("intake")
    token = auth.create_token(None, user)
    db.session.commit()
    auth.deactivate(None, user)
    db.session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_session_cookie_does_not_authenticate_the_api(client, login_as):
    login_as("coordinator")
    assert client.get("/start").status_code == 200
    assert client.get("/api/v1/me").status_code == 401


def test_cli_user_create_token_create_and_revoke(app):
    runner = app.test_cli_runner()
    created = runner.invoke(
        args=["user", "create", "cli@test.nl", "--role", "intake", "--password-stdin"],
        input="a long enough password\n",
    )
    assert created.exit_code == 0, created.output
    made = runner.invoke(args=["token", "create", "cli@test.nl"])
    assert made.exit_code == 0
    token = made.stdout.strip()
    assert token.startswith("uit_") and "\n" not in token  # only the token on stdout
    client = app.test_client()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    revoked = runner.invoke(args=["token", "revoke", token[:10]])
    assert revoked.exit_code == 0
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_cli_user_create_asks_twice_and_refuses_mismatch(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["user", "create", "ask@test.nl", "--role", "volunteer"],
        input="\n".join(
            ["first long password", "second long password"] + ["first long password"] * 2
        )
        + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output.lower()
    assert auth.user_by_email("ask@test.nl") is not None


def test_cli_user_deactivate(app, make_user):
    user = make_user("volunteer", email="gone@test.nl")
    result = app.test_cli_runner().invoke(args=["user", "deactivate", "gone@test.nl"])
    assert result.exit_code == 0
    db.session.refresh(user)
    assert user.active is False


def test_cli_refuses_bad_role(app):
    result = app.test_cli_runner().invoke(
        args=["user", "create", "x@test.nl", "--role", "admin", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code != 0
    assert auth.user_by_email("x@test.nl") is None


def test_a_password_reset_revokes_the_users_api_tokens(client, make_user):
    coordinator = make_user("coordinator")
    user = make_user("intake")
    token = auth.create_token(None, user, "label printer")
    other = auth.create_token(None, coordinator, "import")
    db.session.commit()
    auth.set_password(coordinator, user, "a brand new passphrase")
    db.session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {other}"}).status_code == 200
    stored = db.session.query(ApiToken).filter_by(user_id=user.id).one()
    assert stored.revoked_at is not None
