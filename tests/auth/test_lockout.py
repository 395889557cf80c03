"""The login lockout holds under parallel attempts, and answers alike for every account."""

import re
import statistics
import threading
import time
from datetime import timedelta

import pytest

from tests.races import pooled_app, run_together
from uitleen.auth import service as auth
from uitleen.auth.models import User
from uitleen.db import utcnow
from uitleen.extensions import db

ATTEMPTS = 40
PASSWORD = "correct horse"


class HashChecks:
    """Counts the password checks made through uitleen.auth.service (they still run)."""

    def __init__(self, monkeypatch):
        self.against: list[str] = []
        self._lock = threading.Lock()
        real = auth.check_password_hash

        def counted(pwhash: str, password: str) -> bool:
            with self._lock:
                self.against.append(pwhash)
            return real(pwhash, password)

        monkeypatch.setattr(auth, "check_password_hash", counted)

    def real_checks(self, user: User) -> int:
        """Checks against this user's own hash: the ones that test a guess."""
        return self.against.count(user.password_hash)


def message_of(response) -> str:
    page = response.get_data(as_text=True)
    return re.search(r'<p class="error-summary"[^>]*>(.*?)</p>', page, re.S).group(1).strip()


@pytest.fixture
def race_app(app_factory):
    """An app whose pool lets every thread hold its own connection, without rate limits."""
    return pooled_app(app_factory, ATTEMPTS, RATELIMIT_ENABLED=False)


def test_forty_parallel_wrong_passwords_get_at_most_five_real_checks(
    app, race_app, make_user, monkeypatch
):
    user = make_user("intake", email="ilse@test.nl", password=PASSWORD)
    checks = HashChecks(monkeypatch)

    def attempt(i: int) -> int:
        client = race_app.test_client()
        response = client.post("/login", data={"email": "ilse@test.nl", "password": f"guess {i}"})
        return response.status_code

    statuses = run_together(ATTEMPTS, attempt)
    assert statuses == [401] * ATTEMPTS
    assert checks.real_checks(user) == app.config["LOGIN_MAX_FAILURES"]
    assert len(checks.against) == ATTEMPTS  # the others each paid one throwaway check
    db.session.refresh(user)
    assert user.locked_until is not None
    db.session.rollback()  # release SQLite's write lock before the other app's request
    # Still locked: the right password is not even checked.
    response = race_app.test_client().post(
        "/login", data={"email": "ilse@test.nl", "password": PASSWORD}
    )
    assert response.status_code == 401
    assert checks.real_checks(user) == app.config["LOGIN_MAX_FAILURES"]


def test_the_lock_runs_out_and_the_count_starts_again(app, client, make_user):
    user = make_user("intake", email="ilse@test.nl", password=PASSWORD)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/login", data={"email": "ilse@test.nl", "password": "wrong"})
    db.session.refresh(user)
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.post("/login", data={"email": "ilse@test.nl", "password": "wrong"})
    assert response.status_code == 401
    db.session.refresh(user)
    assert (user.failed_logins, user.locked_until) == (1, None)
    response = client.post("/login", data={"email": "ilse@test.nl", "password": PASSWORD})
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.failed_logins, user.locked_until) == (0, None)


def test_a_right_password_clears_the_count(app, client, make_user):
    user = make_user("intake", email="ilse@test.nl", password=PASSWORD)
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        client.post("/login", data={"email": "ilse@test.nl", "password": "wrong"})
    assert client.post("/login", data={"email": "ilse@test.nl", "password": PASSWORD}).status_code
    db.session.refresh(user)
    assert (user.failed_logins, user.locked_until) == (0, None)


def test_unknown_wrong_and_locked_get_the_same_answer(app, client, make_user):
    make_user("intake", email="ilse@test.nl", password=PASSWORD)
    make_user("intake", email="lotte@test.nl", password=PASSWORD)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/login", data={"email": "lotte@test.nl", "password": "wrong"})
    answers = [
        client.post("/login", data={"email": email, "password": password})
        for email, password in [
            ("nobody@test.nl", "wrong"),
            ("ilse@test.nl", "wrong"),
            ("lotte@test.nl", "wrong"),
            ("lotte@test.nl", PASSWORD),  # locked: the right password answers alike
        ]
    ]
    assert {response.status_code for response in answers} == {401}
    messages = {message_of(response) for response in answers}
    assert len(messages) == 1
    assert "op slot" in messages.pop()  # it says a lock may be why, without saying whether


def test_every_attempt_costs_exactly_one_hash_check(app, client, make_user, monkeypatch):
    make_user("intake", email="ilse@test.nl", password=PASSWORD)
    make_user("intake", email="lotte@test.nl", password=PASSWORD)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/login", data={"email": "lotte@test.nl", "password": "wrong"})
    made = []
    real_generate = auth.generate_password_hash
    monkeypatch.setattr(
        auth, "generate_password_hash", lambda *a, **k: made.append(1) or real_generate(*a, **k)
    )
    client.post("/login", data={"email": "nobody@test.nl", "password": "wrong"})  # warm up
    made.clear()
    checks = HashChecks(monkeypatch)
    for email in ["nobody@test.nl", "ilse@test.nl", "lotte@test.nl"]:
        before = len(checks.against)
        client.post("/login", data={"email": email, "password": "wrong"})
        assert len(checks.against) - before == 1, email
    assert made == []  # no hash is made per attempt


def test_unknown_wrong_and_locked_take_the_same_time(app_factory, make_user):
    # A slow hash, as in production, so the hash dominates each request's time.
    slow = app_factory(RATELIMIT_ENABLED=False, PASSWORD_HASH_METHOD="pbkdf2:sha256:80000")
    with slow.app_context():
        for email in ("ilse@test.nl", "lotte@test.nl"):
            auth.create_user(None, email, email, "intake", PASSWORD)
        db.session.commit()
    client = slow.test_client()
    for _ in range(slow.config["LOGIN_MAX_FAILURES"]):
        client.post("/login", data={"email": "lotte@test.nl", "password": "wrong"})
    cases = {"unknown": "nobody@test.nl", "wrong": "ilse@test.nl", "locked": "lotte@test.nl"}
    times: dict[str, list[float]] = {case: [] for case in cases}
    for _round in range(9):  # interleaved, so a busy moment on the machine hits all three
        for case, email in cases.items():
            started = time.perf_counter()
            response = client.post("/login", data={"email": email, "password": "wrong"})
            times[case].append(time.perf_counter() - started)
            assert response.status_code == 401
    medians = {case: statistics.median(spent) for case, spent in times.items()}
    wrong = medians["wrong"]
    for case in ("unknown", "locked"):
        assert abs(medians[case] - wrong) < 0.3 * wrong, medians
