"""Large label runs as jobs on the shared Redis queue (uitleen.tasks), for several servers.

Any app server starts a job, any `uitleen worker` draws it, any app server reads its
state and hands out its PDF: the job (owner, count, format and progress in its meta), its
failure reason and the PDF all live in Redis and expire after KEEP_SECONDS. Nothing is
written to a server's disk.

A worker killed mid-run stops sending heartbeats. Whichever server reads the job next
puts it back on the queue once (another worker picks it up); when that run dies too, the
job fails with a reason the status page shows.
"""

from __future__ import annotations

import contextlib
import io
import time
from typing import BinaryIO

from flask import current_app
from rq.exceptions import NoSuchJobError
from rq.job import Job as RqJob
from rq.registry import StartedJobRegistry

from uitleen import tasks
from uitleen.labels.job_types import DONE, FAILED, JOB_ID, Job, busy, no_worker, not_found
from uitleen.labels.worker import KEEP_SECONDS, MAX_SECONDS, PDF_KEY

DEFAULT_MAX_WAITING = 20  # queued or being drawn, over all servers
RESULT_GONE = "the PDF has expired"
KIND = "labels.run"  # beside imports and backups on the same queue (uitleen.tasks)


def _fetch(job_id: str) -> RqJob:
    if not JOB_ID.match(job_id or ""):
        raise not_found()
    try:
        job = RqJob.fetch(job_id, connection=tasks.connection())
    except NoSuchJobError:
        raise not_found() from None
    if job.meta.get("kind") != KIND:  # another kind of work: not a label run
        raise not_found()
    return job


def _state(job: RqJob) -> tuple[str, str]:
    state, error = tasks.state_of(job)
    if state == DONE and not job.connection.exists(PDF_KEY.format(job.id)):
        return FAILED, RESULT_GONE
    return state, error


def _job(job: RqJob) -> Job:
    state, error = _state(job)
    meta = job.meta
    done = meta["count"] if state == DONE else int(meta.get("done", 0))
    return Job.from_meta(job.id, meta, state, error, done)


def get(job_id: str) -> Job:
    return _job(_fetch(job_id))


def running() -> list[Job]:
    """Jobs waiting for or being drawn by a worker, on any server."""
    queue = tasks.queue()
    ids = [*queue.get_job_ids(), *StartedJobRegistry(queue=queue).get_job_ids()]
    jobs = (RqJob.fetch_many(ids, connection=queue.connection)) if ids else []
    return [_job(job) for job in jobs if job is not None and job.meta.get("kind") == KIND]


def start(job_id: str, owner_id: int | None, format_name: str, job_input: dict) -> Job:
    if not JOB_ID.match(job_id):
        raise ValueError("job ids are 16 hex digits")
    limit = current_app.config.get("LABELS_MAX_WAITING", DEFAULT_MAX_WAITING)
    queue = tasks.queue()
    if not tasks.workers_listening():
        raise no_worker()
    # As with the embedded runner, not atomic: the limit is about load, not a rule.
    if len(running()) >= limit:
        raise busy(limit)
    meta = {
        "kind": KIND,
        "owner_id": owner_id,
        "count": len(job_input["labels"]),
        "format_name": format_name,
        "created": time.time(),
        "tries": 1,
    }
    queue.enqueue(
        "uitleen.labels.worker.draw_queued",
        job_input,
        job_id=job_id,
        meta=meta,
        job_timeout=MAX_SECONDS,
        ttl=KEEP_SECONDS,  # waiting longer than that: nobody runs workers; let it go
        result_ttl=KEEP_SECONDS,
        failure_ttl=KEEP_SECONDS,
    )
    return get(job_id)


def pdf_file(job: Job) -> BinaryIO:
    document = tasks.connection().get(PDF_KEY.format(job.id))
    if document is None:
        raise not_found()
    return io.BytesIO(document)


def remove(job_id: str) -> None:
    if not JOB_ID.match(job_id):
        return
    redis = tasks.connection()
    redis.delete(PDF_KEY.format(job_id))
    with contextlib.suppress(NoSuchJobError):
        RqJob.fetch(job_id, connection=redis).delete()


def cleanup(now: float | None = None) -> int:
    """Nothing to do: Redis lets jobs and PDFs expire by themselves."""
    return 0
