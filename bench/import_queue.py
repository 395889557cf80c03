"""Benchmark: a 10,000-row device import as a web request, in the request or on the queue.

Run as ``python bench/import_queue.py`` (SQLite in a temporary file, or DATABASE_URL) with
Redis at BENCH_REDIS_URL (default redis://127.0.0.1:6379/12, emptied before and after).

The baseline is the one-machine default: the import is done inside the POST, which holds
that web worker for seconds. With a shared queue the POST only hands the file to Redis
and answers at once; a real `uitleen worker` process does the import. Figures: how long
the POST holds a web worker, and how long until the devices are saved, each against the
in-request import.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, figure, temporary_database  # noqa: E402
from devices_import import write_csv  # noqa: E402

ROWS = 10_000
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")


def make_app(url: str, redis_url: str):
    from uitleen import create_app

    return create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "bench",
         "WTF_CSRF_ENABLED": False, "UITLEEN_REDIS_URL": redis_url,
         "RATELIMIT_STORAGE_URI": "memory://", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    )  # fmt: skip


def post(client, path: Path):
    with path.open("rb") as handle:
        started = time.perf_counter()
        response = client.post(
            "/devices/import",
            data={"file": (handle, "apparaten.csv")},
            content_type="multipart/form-data",
        )
    return response, time.perf_counter() - started


def devices(app) -> int:
    from sqlalchemy import func, select

    from uitleen.devices.models import Device
    from uitleen.extensions import db

    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Device))
        db.session.remove()
    return count


def fresh(app):
    """Empty tables, a location and a logged-in volunteer; returns a test client."""
    from uitleen.auth import service as auth
    from uitleen.extensions import db
    from uitleen.settings import service as settings

    with app.app_context():
        db.drop_all()
        db.create_all()
        settings.create_location(None, "Werkplaats")
        user = auth.create_user(None, "v@bench.nl", "V", "volunteer", "bench-password")
        db.session.commit()
        user_id = user.get_id()
        db.session.remove()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
    return client


def in_request(url: str, csv: Path) -> float:
    app = make_app(url, "")
    client = fresh(app)
    response, seconds = post(client, csv)
    assert response.status_code == 302, response.status_code
    assert devices(app) == ROWS
    return seconds


def queued(url: str, csv: Path) -> tuple[float, float]:
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    app = make_app(url, REDIS_URL)
    client = fresh(app)
    env = os.environ | {"DATABASE_URL": url, "UITLEEN_REDIS_URL": REDIS_URL}
    worker = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-c", "from uitleen.cli import main; main()", "worker"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        from rq import Worker

        from uitleen import tasks

        while not Worker.all(connection=connection):
            time.sleep(0.1)
        response, post_seconds = post(client, csv)
        assert response.status_code == 303, response.status_code
        job_id = response.headers["Location"].rsplit("/", 1)[1]
        with app.test_request_context():
            while (work := tasks.get(job_id, "devices.import")).state == tasks.RUNNING:
                time.sleep(0.05)
        assert work.result == {"imported": ROWS}, work
        done_seconds = work_seconds(connection, job_id) + post_seconds
        assert devices(app) == ROWS
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        connection.flushdb()
    return post_seconds, done_seconds


def work_seconds(connection, job_id: str) -> float:
    """From enqueueing to the end of the work, as RQ recorded it."""
    from rq.job import Job

    job = Job.fetch(job_id, connection=connection)
    return (job.ended_at - job.enqueued_at).total_seconds()


def main(quick: bool = False) -> dict:
    with tempfile.TemporaryDirectory() as directory, temporary_database("queue") as url:
        csv = Path(directory) / "devices.csv"
        write_csv(csv, ROWS)
        baseline = in_request(url, csv)
        post_seconds, done_seconds = queued(url, csv)
    print(
        f"{ROWS:,} rows: in the request {baseline:.2f} s; on the queue the POST took "
        f"{post_seconds * 1000:.0f} ms, and the devices were saved after {done_seconds:.2f} s"
    )
    return {
        "figures": [
            figure(f"import {ROWS:,} rows: POST holds a web worker", round(post_seconds, 3), "s",
                   baseline=round(baseline, 2), goal="< 1"),
            figure(f"import {ROWS:,} rows: saved through the worker", round(done_seconds, 2), "s",
                   baseline=round(baseline, 2), ratio_goal="<= 1.5"),
        ]
    }  # fmt: skip


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
