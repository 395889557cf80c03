"""Large label runs, drawn away from the web workers: one interface, two ways to run them.

Drawing 10,000 labels is ~20 s of pure-Python CPU work. In a request thread it would
hold the GIL of that gunicorn worker and keep ~45 MB of pages in the long-lived worker,
so runs above inline_max() become jobs:

- without Redis (one machine, the default): a separate process on this machine writes a
  job folder in the instance folder (uitleen.labels.job_files);
- with UITLEEN_REDIS_URL: a job on the shared RQ queue, drawn by `uitleen worker`, its
  state and PDF in Redis, so any app server can answer for it (uitleen.labels.job_queue).

Views and the API call only the functions here.
"""

from __future__ import annotations

import time
from types import ModuleType
from typing import BinaryIO

from uitleen import tasks
from uitleen.labels import job_files, job_queue
from uitleen.labels.job_files import jobs_dir
from uitleen.labels.job_types import (
    DONE,
    FAILED,
    KEEP_SECONDS,
    MAX_SECONDS,
    RUNNING,
    Busy,
    Failed,
    Job,
    inline_max,
)

__all__ = [
    "DONE",
    "FAILED",
    "KEEP_SECONDS",
    "MAX_SECONDS",
    "RUNNING",
    "Busy",
    "Failed",
    "Job",
    "inline_max",
    "jobs_dir",
]


def _runner() -> ModuleType:
    return job_queue if tasks.enabled() else job_files


def start(job_id: str, owner_id: int | None, format_name: str, job_input: dict) -> Job:
    """Hand the run to a worker and return at once; Busy when too many are waiting.

    job_input is what uitleen.labels.worker reads: format_path, start, help_text,
    phone_text and labels as [tag, url, base64 matrix or None].
    """
    return _runner().start(job_id, owner_id, format_name, job_input)


def get(job_id: str) -> Job:
    """A job by id; 404 when it does not exist (any more)."""
    return _runner().get(job_id)


def wait(job_id: str, poll_seconds: float = 0.2) -> Job:
    """Block until the job is done or failed; sleeping leaves the GIL to other threads."""
    while (job := get(job_id)).state == RUNNING:
        time.sleep(poll_seconds)
    return job


def running() -> list[Job]:
    return _runner().running()


def pdf_file(job: Job) -> BinaryIO:
    """A finished job's PDF, open for reading; it stays readable after remove()."""
    return _runner().pdf_file(job)


def remove(job_id: str) -> None:
    """Forget a job and its PDF (after the API has handed the PDF over)."""
    _runner().remove(job_id)


def cleanup(now: float | None = None) -> int:
    """Remove jobs older than KEEP_SECONDS; returns how many went."""
    return _runner().cleanup(now)
