"""The embedded way (no Redis): large label runs drawn by a separate process on this machine.

Drawing 10,000 labels is ~20 s of pure-Python CPU work. In a request thread it would
hold the GIL of that gunicorn worker (its other thread crawls) and keep ~45 MB of pages
in the long-lived worker. So the request writes the label contents to a job folder in
the instance folder and starts `python -m uitleen.labels.worker` on it (niced, with a CPU
time limit); the worker writes labels.pdf and exits, which returns all its memory.

A job folder holds input.json (removed when done), pid, meta.json (owner, count,
format; written last, so a folder without it is not a job yet), and then labels.pdf or
error.txt. Folders older than KEEP_SECONDS are removed whenever a job starts or a
status is read, so no file outlives a few hours.

The status page must reach the machine that runs the job, so this suits one machine.
With several app servers, set UITLEEN_REDIS_URL: uitleen.labels.job_queue then runs
the jobs on a shared queue (uitleen.labels.jobs chooses).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import BinaryIO

from flask import current_app

from uitleen.labels.job_types import DONE, FAILED, JOB_ID, RUNNING, Job, busy, not_found
from uitleen.labels.worker import KEEP_SECONDS, MAX_SECONDS, PROGRESS, RESULT

DEFAULT_MAX_RUNNING = 2  # per instance folder; the machine also has web requests to serve
PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def jobs_dir() -> Path:
    """Where job folders live: LABELS_JOBS_DIR, or label-jobs in the instance folder."""
    configured = current_app.config.get("LABELS_JOBS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "label-jobs"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user took the number: ours is gone
        return False
    return True


def _worker_alive(pid_file: Path) -> bool:
    """Whether the job's worker still runs; on another host, until its CPU limit is up."""
    try:
        host, pid = pid_file.read_text().split()
    except (FileNotFoundError, ValueError):
        return False
    if host != socket.gethostname():  # a shared LABELS_JOBS_DIR: no way to ask that host
        return time.time() - pid_file.stat().st_mtime < MAX_SECONDS + 60
    return _pid_alive(int(pid))


def _read(folder: Path) -> Job | None:
    try:
        meta = json.loads((folder / "meta.json").read_text())
    except (FileNotFoundError, ValueError):
        return None
    state, error = RUNNING, ""
    if (folder / RESULT).exists():
        state = DONE
    elif (folder / "error.txt").exists():
        state, error = FAILED, (folder / "error.txt").read_text()[-500:]  # the exception
    elif not _worker_alive(folder / "pid"):
        state, error = FAILED, "the worker stopped without a result"
    try:
        done = int((folder / PROGRESS).read_text())
    except (FileNotFoundError, ValueError):
        done = 0
    return Job.from_meta(folder.name, meta, state, error, meta["count"] if state == DONE else done)


def cleanup(now: float | None = None) -> int:
    """Remove job folders older than KEEP_SECONDS; returns how many went."""
    now = time.time() if now is None else now
    removed = 0
    if not jobs_dir().is_dir():
        return 0
    for folder in jobs_dir().iterdir():
        if folder.is_dir() and now - folder.stat().st_mtime > KEEP_SECONDS:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def running() -> list[Job]:
    if not jobs_dir().is_dir():
        return []
    jobs = (_read(folder) for folder in jobs_dir().iterdir() if folder.is_dir())
    return [job for job in jobs if job is not None and job.state == RUNNING]


def start(job_id: str, owner_id: int | None, format_name: str, job_input: dict) -> Job:
    """Write the job folder and start its worker; returns at once.

    job_input is what uitleen.labels.worker reads: format_path, start, help_text,
    phone_text and labels as [tag, url, base64 matrix or None].
    """
    if not JOB_ID.match(job_id):
        raise ValueError("job ids are 16 hex digits")
    cleanup()
    limit = current_app.config.get("LABELS_MAX_RUNNING", DEFAULT_MAX_RUNNING)
    # Not atomic across gunicorn workers: two requests at the same moment may both start.
    # The limit is about CPU, and one job more for a moment does no harm.
    if len(running()) >= limit:
        raise busy(limit)
    folder = jobs_dir() / job_id
    folder.mkdir(parents=True)
    (folder / "input.json").write_text(json.dumps(job_input))
    with open(folder / "worker.log", "wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own module, no user text on the line
            [sys.executable, "-m", "uitleen.labels.worker", str(folder)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            cwd=PACKAGE_ROOT,  # so `-m uitleen…` finds the same code as this process
            close_fds=True,
            start_new_session=True,  # a signal to the web worker's group does not reach it
        )
    (folder / "pid").write_text(f"{socket.gethostname()} {process.pid}")
    # Written last: a folder without meta.json is not a job yet (nor when start failed).
    meta = {
        "owner_id": owner_id,
        "count": len(job_input["labels"]),
        "format_name": format_name,
        "created": time.time(),
    }
    (folder / "meta.json").write_text(json.dumps(meta))
    # Someone must collect the exit status, or the process stays a zombie.
    threading.Thread(target=process.wait, daemon=True, name=f"label-job-{job_id}").start()
    return get(job_id)


def get(job_id: str) -> Job:
    """A job by id; 404 when it does not exist (any more)."""
    job = _read(jobs_dir() / job_id) if JOB_ID.match(job_id or "") else None
    if job is None:
        raise not_found()
    return job


def pdf_file(job: Job) -> BinaryIO:
    """The finished PDF, open for reading (it stays readable after remove)."""
    try:
        return (jobs_dir() / job.id / RESULT).open("rb")
    except FileNotFoundError:
        raise not_found() from None


def remove(job_id: str) -> None:
    """Remove a job folder (after the API has handed over its PDF)."""
    if JOB_ID.match(job_id):
        shutil.rmtree(jobs_dir() / job_id, ignore_errors=True)
