"""Background work on RQ (a maintained Redis queue), for when several app servers share it.

With UITLEEN_REDIS_URL set, work that takes seconds (large label runs) is put on a Redis
queue and done by `uitleen worker` processes on any machine; the job's state and result
live in Redis with an expiry, so every app server can answer for any job. Without it,
each package keeps its own embedded way (label runs: a separate process on this machine).

RQ rather than a home-made queue: it is maintained, needs only the Redis that the shared
rate limits already use, and keeps a job's state, its worker's heartbeat and its failure
reason where every server can read them.
"""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import Flask, current_app
from redis import Redis
from rq import Queue, Worker
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry

QUEUE_NAME = "uitleen"
EXTENSION = "uitleen.tasks"
DEFAULT_HEARTBEAT_SECONDS = 10  # a busy worker says it is alive this often
STALE_HEARTBEATS = 3  # missed this many times in a row: the worker is gone


def enabled(app: Flask | None = None) -> bool:
    """Whether a shared queue is configured (UITLEEN_REDIS_URL)."""
    return bool((app or current_app).config.get("UITLEEN_REDIS_URL"))


def connection(app: Flask | None = None) -> Redis:
    """One Redis client per app (it keeps its own pool of connections)."""
    app = app or current_app
    client = app.extensions.get(EXTENSION)
    if client is None:
        client = app.extensions[EXTENSION] = Redis.from_url(app.config["UITLEEN_REDIS_URL"])
    return client


def queue() -> Queue:
    return Queue(QUEUE_NAME, connection=connection())


def workers_listening() -> int:
    """How many `uitleen worker` processes are registered for the queue (on any machine)."""
    return Worker.count(connection=connection(), queue=queue())


def heartbeat_seconds(app: Flask | None = None) -> int:
    app = app or current_app
    return int(app.config.get("UITLEEN_WORKER_HEARTBEAT", DEFAULT_HEARTBEAT_SECONDS))


def stalled(job: Job, now: datetime | None = None) -> bool:
    """A started job whose worker stopped sending heartbeats (killed, machine gone)."""
    if job.get_status(refresh=False) != JobStatus.STARTED:
        return False
    beat = job.last_heartbeat or job.started_at
    if beat is None:
        return False
    now = now or datetime.now(UTC)
    if beat.tzinfo is None:
        beat = beat.replace(tzinfo=UTC)
    return (now - beat).total_seconds() > STALE_HEARTBEATS * heartbeat_seconds()


def requeue_stalled(job: Job, attempts: int) -> bool:
    """Put a stalled job back on the queue once per attempt; False when attempts are used up.

    Several app servers may notice the same stalled job at once: a Redis SET NX decides
    which one requeues it, so it runs once more, not twice.
    """
    tries = int(job.meta.get("tries", 1))  # runs started so far
    if tries >= attempts:
        return False
    redis = connection()
    if not redis.set(f"uitleen:requeue:{job.id}:{tries}", 1, nx=True, ex=3600):
        return True  # another server did it a moment ago
    StartedJobRegistry(QUEUE_NAME, connection=redis).remove_executions(job)
    job.meta["tries"] = tries + 1
    job.save_meta()
    queue().enqueue_job(job)
    return True


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (for scripts and tests).")
def worker(burst: bool) -> None:
    """Do the background work (large label runs) from the shared Redis queue."""
    app = current_app._get_current_object()
    if not enabled(app):
        raise click.ClickException(
            "UITLEEN_REDIS_URL is not set. Without Redis the app servers do background work "
            "themselves; a worker is only needed with Redis."
        )
    Worker(
        [QUEUE_NAME],
        connection=connection(app),
        job_monitoring_interval=heartbeat_seconds(app),
    ).work(burst=burst, with_scheduler=False)


commands = [worker]
