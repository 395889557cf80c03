"""Background work on RQ (a maintained Redis queue), for when several app servers share it.

With UITLEEN_REDIS_URL set, work that takes seconds (large label runs, device imports,
backups on demand) is put on a Redis queue and done by `uitleen worker` processes on any
machine; the job's state, progress and result live in Redis with an expiry, so every app
server can answer for any job. Without it, each kind keeps its embedded way behind the
same interface: label runs a separate process on this machine (uitleen.labels.jobs), the
rest right inside the request that asks for it (`start` below returns the finished work).

RQ rather than a home-made queue: it is maintained, needs only the Redis that the shared
rate limits already use, and keeps a job's state, its worker's heartbeat and its failure
reason where every server can read them.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, Response, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from redis import Redis
from rq import Queue, Worker, get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from werkzeug.utils import import_string

from uitleen.errors import DomainError, NotFound
from uitleen.extensions import db
from uitleen.i18n import current_language

QUEUE_NAME = "uitleen"
EXTENSION = "uitleen.tasks"
DEFAULT_HEARTBEAT_SECONDS = 10  # a busy worker says it is alive this often
STALE_HEARTBEATS = 3  # missed this many times in a row: the worker is gone
RUNNING, DONE, FAILED = "running", "done", "failed"
REFRESH_SECONDS = 2  # how often a page that follows background work reloads itself
KEEP_SECONDS = 2 * 3600  # a finished job's result, and a handed-over file, stay this long
MAX_SECONDS = 30 * 60  # a job running longer is stopped by its worker
ATTEMPTS = 2  # a job whose worker died is tried once more
WORKER_GONE = "the worker stopped sending heartbeats (killed or its machine went down)"
FILE_KEY = "uitleen:file:{}"  # an uploaded file handed over to a worker
_FAILED_STATES = {JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED}
_worker_pid: int | None = None  # set in `uitleen worker`, whose jobs run in forked children


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


def fail(job: Job, reason: str) -> None:
    """Mark a job failed with a reason every server shows (its worker cannot any more)."""
    job.meta["error"] = reason
    job.save_meta()
    StartedJobRegistry(QUEUE_NAME, connection=job.connection).remove_executions(job)
    job.set_status(JobStatus.FAILED)


def _error(job: Job) -> str:
    if job.meta.get("error"):
        return job.meta["error"]
    result = job.latest_result()
    return (result.exc_string or "")[-500:] if result else "the job failed"


def state_of(job: Job) -> tuple[str, str]:
    """RUNNING, DONE or FAILED with the reason; a stalled job is put back or failed here."""
    status = job.get_status()
    if status == JobStatus.STARTED and stalled(job):
        if requeue_stalled(job, ATTEMPTS):
            return RUNNING, ""
        fail(job, WORKER_GONE)
        status = JobStatus.FAILED
    if status == JobStatus.FINISHED:
        return DONE, ""
    if status in _FAILED_STATES:
        return FAILED, _error(job)
    return RUNNING, ""


# --- work of any kind, behind one interface -----------------------------------------------


@dataclass(frozen=True)
class Work:
    """One piece of background work as every server sees it."""

    id: str
    kind: str  # who may read it: the view that started it asks for its own kind
    owner_id: int | None
    state: str
    total: int  # how many items (rows, tables) it has, as far as known at the start
    done: int = 0  # items done so far, as far as the work has said
    result: dict = field(default_factory=dict)  # what the work returned (JSON-able)
    error: str = ""  # why it failed, for the log; pages say it in plain words


def start(kind: str, function: str, *args, owner_id: int | None, total: int = 0) -> Work:
    """Do `function(*args)` (a dotted path) in the background; returns the work.

    With a shared queue the work waits for `uitleen worker` and the caller sends the user
    to a page that follows it. Without one, it is done right here, in this request, and
    comes back DONE; an exception it raises reaches the caller as it would have anyway.
    The function commits its own work and returns a JSON-able dict; it runs in the
    requester's language, so the messages in its result read as the page would.
    """
    locale = current_language()
    if not enabled():
        result = _perform(function, args, locale)
        return Work(_new_id(), kind, owner_id, DONE, total, total, result)
    if not workers_listening():
        raise NoWorker()
    job = queue().enqueue(
        perform,
        function,
        list(args),
        locale,
        job_id=_new_id(),
        meta={"kind": kind, "owner_id": owner_id, "total": total, "tries": 1},
        job_timeout=MAX_SECONDS,
        ttl=KEEP_SECONDS,  # waiting longer than that: nobody runs workers; let it go
        result_ttl=KEEP_SECONDS,
        failure_ttl=KEEP_SECONDS,
    )
    return _work(job)


def get(job_id: str, kind: str, owner_id: int | None = None) -> Work:
    """Work of this kind by id, from any server; 404 when unknown, expired or another kind,
    and, when owner_id is given, when somebody else started it."""
    if not enabled() or not _JOB_ID.match(job_id or ""):
        raise not_found()
    try:
        job = Job.fetch(job_id, connection=connection())
    except NoSuchJobError:
        raise not_found() from None
    if job.meta.get("kind") != kind:
        raise not_found()
    if owner_id is not None and job.meta["owner_id"] != owner_id:
        raise not_found()
    return _work(job)


def status_page(body: str, state: str) -> Response:
    """A page that follows background work: while it runs, it refreshes itself.

    The Refresh header, not a <meta> tag or JavaScript: the same in every browser, and
    base.html stays as it is.
    """
    response = current_app.make_response(body)
    if state == RUNNING:
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    return response


def not_found() -> NotFound:
    return NotFound(
        _("Dit werk bestaat niet (meer). Wat klaar is, blijft twee uur te zien."),
        code="job_not_found",
    )


def progress(done: int) -> None:
    """Called by the work as it goes: how many of its items are done (shown on its page)."""
    job = get_current_job()
    if job is not None:
        job.meta["done"] = done
        job.save_meta()


def perform(function: str, args: list, locale: str) -> dict:
    """What `uitleen worker` runs: the function, in the app, in the requester's language."""
    if _worker_pid not in (None, os.getpid()):
        # `uitleen worker` forked this process for the job: the connections in its
        # parent's pool are the parent's, not ours to use (SQLAlchemy's advice for forks).
        db.engine.dispose(close=False)
    return _perform(function, args, locale)


def _perform(function: str, args, locale: str) -> dict:
    with force_locale(locale):
        return import_string(function)(*args)


_JOB_ID = re.compile(r"^[0-9a-f]{32}$")


def _new_id() -> str:
    return secrets.token_hex(16)


def _work(job: Job) -> Work:
    state, error = state_of(job)
    meta = job.meta
    result = job.return_value() if state == DONE else None
    return Work(
        job.id,
        meta["kind"],
        meta["owner_id"],
        state,
        meta["total"],
        meta["total"] if state == DONE else int(meta.get("done", 0)),
        result or {},
        error,
    )


class NoWorker(DomainError):
    """A shared queue without any worker: the work would wait for ever."""

    status = 503
    code = "no_worker"

    def __init__(self):
        super().__init__(
            _(
                "Dit kan nu niet: het achtergrondproces draait niet. Vraag de beheerder "
                "om 'uitleen worker' te starten."
            )
        )


# --- files for the work ----------------------------------------------------------------


def hand_over(path: Path) -> str:
    """A reference to an uploaded file that the work can open, wherever it runs.

    With a shared queue the worker may be on another machine: the file goes into Redis
    (with an expiry) and the caller may delete its own copy at once. Without one, the
    work runs in this process and the reference is the path itself.
    """
    if not enabled():
        return str(path)
    key = FILE_KEY.format(_new_id())
    connection().set(key, path.read_bytes(), ex=KEEP_SECONDS)
    return key


@contextlib.contextmanager
def received(reference: str, folder: Path, suffix: str = "") -> Iterator[Path]:
    """The handed-over file as a path in `folder` while the work reads it.

    The copy is named after this process (<pid>-….suffix), as the app's spool files are,
    so that an app start removes what a killed worker left. The Redis copy is removed
    only when the work ends without a crash: a run that a dead worker left is tried again
    with the same file.
    """
    if not reference.startswith(FILE_KEY.format("")):
        yield Path(reference)
        return
    content = connection().get(reference)
    if content is None:
        raise FileExpired()
    prefix = f"{os.getpid()}-"
    with tempfile.NamedTemporaryFile(dir=folder, prefix=prefix, suffix=suffix) as copy:
        copy.write(content)
        copy.flush()
        yield Path(copy.name)
    connection().delete(reference)


class FileExpired(Exception):
    """The handed-over file expired before a worker got to it."""


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (for scripts and tests).")
def worker(burst: bool) -> None:
    """Do the background work (label runs, imports, backups) from the shared Redis queue."""
    app = current_app._get_current_object()
    if not enabled(app):
        raise click.ClickException(
            "UITLEEN_REDIS_URL is not set. Without Redis the app servers do background work "
            "themselves; a worker is only needed with Redis."
        )
    global _worker_pid
    _worker_pid = os.getpid()
    Worker(
        [QUEUE_NAME],
        connection=connection(app),
        job_monitoring_interval=heartbeat_seconds(app),
    ).work(burst=burst, with_scheduler=False)


commands = [worker]
