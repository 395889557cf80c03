"""The per-address rate limits (uitleen.ratelimit): on the login form, and their store."""

import logging
import os
import secrets

import pytest
from limits import parse
from limits.strategies import FixedWindowRateLimiter

from tests.queue import needs_redis_at
from uitleen import create_app
from uitleen.config import ConfigError, from_environment
from uitleen.ratelimit import MachineFileStorage, WorkerMemoryStorage


def login_statuses(client, times: int, **request) -> list[int]:
    return [
        client.post(
            "/login", data={"email": f"x{i}@test.nl", "password": "nope"}, **request
        ).status_code
        for i in range(times)
    ]


def test_the_limit_comes_from_the_setting_and_counts_each_address(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3/minute")
    assert login_statuses(client, 3) == [401, 401, 401]
    blocked = client.post("/login", data={"email": "x@test.nl", "password": "nope"})
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    assert "Wacht even" in blocked.get_data(as_text=True)
    other = login_statuses(client, 1, environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other == [401]


def test_only_the_named_methods_are_counted(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1/minute")
    assert [client.get("/login").status_code for _ in range(5)] == [200] * 5
    assert login_statuses(client, 2) == [401, 429]


def test_the_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("HELP_PAGE_RATE_LIMIT", "300/minute")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["HELP_PAGE_RATE_LIMIT"] == "300/minute"
    assert app.config["LOGIN_RATE_LIMIT"] == "20/minute"


def test_a_malformed_limit_stops_the_app_and_names_the_setting(monkeypatch):
    monkeypatch.setenv("HELP_PAGE_RATE_LIMIT", "sixty a minute")
    with pytest.raises(ConfigError, match="HELP_PAGE_RATE_LIMIT='sixty a minute'"):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_limits_can_be_switched_off(app_factory):
    client = app_factory(RATELIMIT_ENABLED=False, LOGIN_RATE_LIMIT="1/minute").test_client()
    assert login_statuses(client, 3) == [401, 401, 401]


# A store that cannot work: its file would live under a path that is not a directory.
BROKEN_STORE = "file:///dev/null/counts.sqlite3"


def test_when_the_store_fails_login_still_counts_in_this_process(app_factory, caplog):
    client = app_factory(RATELIMIT_STORAGE_URI=BROKEN_STORE, LOGIN_RATE_LIMIT="2/minute")
    with caplog.at_level(logging.ERROR):
        assert login_statuses(client.test_client(), 3) == [401, 401, 429]
    assert "rate-limit store failed" in caplog.text


def test_when_the_store_fails_the_help_page_lets_requests_through(app_factory, caplog):
    client = app_factory(
        RATELIMIT_STORAGE_URI=BROKEN_STORE, HELP_PAGE_RATE_LIMIT="1/minute"
    ).test_client()
    with caplog.at_level(logging.ERROR):
        assert [client.get("/h/NOSUCHTOKEN").status_code for _ in range(3)] == [404] * 3
    assert "rate-limit store failed" in caplog.text


def test_the_default_store_is_one_file_per_machine(tmp_path, monkeypatch):
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    assert from_environment(str(tmp_path))["RATELIMIT_STORAGE_URI"] == "file://"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "RATELIMIT_STORAGE_URI": "file://",
        }
    )
    storage = app.extensions["uitleen.ratelimit"].storage
    assert isinstance(storage, MachineFileStorage)
    assert storage.path == os.path.join(app.instance_path, "ratelimits.sqlite3")


def test_two_apps_share_one_count_in_the_machine_file(app_factory, tmp_path):
    # Two apps stand for two gunicorn workers on one machine.
    settings = {
        "RATELIMIT_STORAGE_URI": f"file://{tmp_path / 'counts.sqlite3'}",
        "LOGIN_RATE_LIMIT": "3/minute",
    }
    first, second = (app_factory(**settings).test_client() for _ in range(2))
    statuses = login_statuses(first, 2) + login_statuses(second, 2)
    assert statuses == [401, 401, 401, 429]


HITS_IN_A_PROCESS = """
import sys
from limits import parse
from limits.strategies import FixedWindowRateLimiter
from uitleen.ratelimit import MachineFileStorage

limiter = FixedWindowRateLimiter(MachineFileStorage(sys.argv[1]))
sys.stdin.readline()  # start together
print(sum(limiter.hit(parse("100/minute"), "page", "10.0.0.1") for _ in range(80)))
"""


def test_worker_processes_hitting_at_once_are_allowed_the_limit_together(tmp_path):
    import subprocess
    import sys

    path = str(tmp_path / "counts.sqlite3")
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", HITS_IN_A_PROCESS, path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    allowed = [int(worker.communicate(timeout=60)[0]) for worker in workers]
    assert sum(allowed) == 100  # of 240 hits; each process alone would have allowed 80


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


def stores(clock: Clock, tmp_path) -> list:
    return [WorkerMemoryStorage(clock), MachineFileStorage(str(tmp_path / "c.sqlite3"), clock)]


@pytest.mark.parametrize("kind", [0, 1], ids=["memory", "machine file"])
def test_the_store_counts_a_fixed_window_and_starts_again_after_it(kind, tmp_path):
    clock = Clock()
    limiter = FixedWindowRateLimiter(stores(clock, tmp_path)[kind])
    per_minute = parse("2/minute")
    assert [limiter.hit(per_minute, "page", "10.0.0.1") for _ in range(3)] == [True, True, False]
    assert limiter.hit(per_minute, "page", "10.0.0.2")  # another address has its own count
    assert limiter.hit(per_minute, "post", "10.0.0.1")  # and so has another scope
    clock.now += 59
    assert not limiter.hit(per_minute, "page", "10.0.0.1")
    assert limiter.get_window_stats(per_minute, "page", "10.0.0.1").reset_time == 1_000_060.0
    clock.now += 1
    assert limiter.hit(per_minute, "page", "10.0.0.1")
    assert limiter.get_window_stats(per_minute, "page", "10.0.0.1").remaining == 1


@pytest.mark.parametrize("kind", [0, 1], ids=["memory", "machine file"])
def test_the_store_forgets_addresses_gone_quiet(kind, tmp_path):
    clock = Clock()
    store = stores(clock, tmp_path)[kind]
    for address in range(100):
        store.incr(f"page/10.0.{address}", 60)
    clock.now += 61  # past the window and the next sweep
    store.incr("page/10.1.0.1", 60)
    assert store.reset() == 1
    assert store.get("page/10.1.0.1") == 0


REDIS_URL = os.environ.get("UITLEEN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@needs_redis_at(REDIS_URL)
def test_workers_share_one_count_in_redis(app_factory, monkeypatch):
    # Two apps stand for two gunicorn workers; a fresh address keeps runs apart.
    address = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(256)}"
    settings = {"RATELIMIT_STORAGE_URI": REDIS_URL, "LOGIN_RATE_LIMIT": "3/minute"}
    first, second = (app_factory(**settings).test_client() for _ in range(2))
    asked = {"environ_base": {"REMOTE_ADDR": address}}
    statuses = login_statuses(first, 2, **asked) + login_statuses(second, 2, **asked)
    assert statuses == [401, 401, 401, 429]
