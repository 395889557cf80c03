"""The shared Redis queue (uitleen.tasks) in tests: its own Redis database, a worker.

Tests that use it are skipped without a Redis server, unless UITLEEN_REQUIRE_REDIS is
set, as in CI, where a missing Redis fails them.
"""

import os
from contextlib import contextmanager

import pytest
import redis
from rq import SimpleWorker, Worker

from uitleen import tasks

QUEUE_REDIS_URL = os.environ.get("UITLEEN_TEST_QUEUE_REDIS_URL", "redis://127.0.0.1:6379/14")


def redis_reachable(url: str = QUEUE_REDIS_URL) -> bool:
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def needs_redis_at(url: str):
    """Skip without a Redis server at url, except where UITLEEN_REQUIRE_REDIS says it is there."""
    return pytest.mark.skipif(
        not os.environ.get("UITLEEN_REQUIRE_REDIS") and not redis_reachable(url),
        reason=f"Redis not reachable at {url}: start redis-server to run these tests",
    )


needs_redis = needs_redis_at(QUEUE_REDIS_URL)


@contextmanager
def shared_queue(app, monkeypatch):
    """The app with UITLEEN_REDIS_URL set, the queue emptied before and after, and a
    worker registered for it as `uitleen worker` is (work_off does that worker's work)."""
    connection = redis.Redis.from_url(QUEUE_REDIS_URL)
    connection.flushdb()
    monkeypatch.setitem(app.config, "UITLEEN_REDIS_URL", QUEUE_REDIS_URL)
    monkeypatch.setitem(app.config, "UITLEEN_WORKER_HEARTBEAT", 1)
    monkeypatch.setitem(app.extensions, tasks.EXTENSION, connection)
    Worker([tasks.QUEUE_NAME], connection=connection, name="standby").register_birth()
    try:
        yield connection
    finally:
        connection.flushdb()
        connection.close()


def work_off(connection) -> None:
    """What `uitleen worker --burst` does, in this process and this test's app."""
    SimpleWorker([tasks.QUEUE_NAME], connection=connection).work(burst=True)
