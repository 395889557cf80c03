"""What every way of running large label runs shares: the job's state, its errors, limits."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from uitleen import tasks
from uitleen.errors import DomainError, NotFound
from uitleen.labels.worker import KEEP_SECONDS, MAX_SECONDS

__all__ = ["KEEP_SECONDS", "MAX_SECONDS"]

DEFAULT_INLINE_MAX = 300  # about half a second of drawing: fine inside a request
RUNNING, DONE, FAILED = tasks.RUNNING, tasks.DONE, tasks.FAILED
JOB_ID = re.compile(r"^[0-9a-f]{16}$")


class Busy(DomainError):
    """Too many large runs at once; try again shortly."""

    status = 503
    code = "busy"


class NoWorker(DomainError):
    """A shared queue without any worker: the job would wait for ever."""

    status = 503
    code = "no_worker"


class Failed(DomainError):
    """The worker ended without a PDF (the job's error says why)."""

    status = 500
    code = "labels_failed"


@dataclass(frozen=True)
class Job:
    id: str
    owner_id: int | None
    state: str
    count: int
    format_name: str
    created: float
    error: str = ""
    done: int = 0  # labels drawn so far, as far as the worker has said

    @classmethod
    def from_meta(cls, job_id: str, meta: dict, state: str, error: str, done: int) -> Job:
        """A job from what its runner stored at the start (owner, count, format, created)."""
        return cls(
            job_id,
            meta["owner_id"],
            state,
            meta["count"],
            meta["format_name"],
            meta["created"],
            error,
            done,
        )


def busy(limit: int) -> Busy:
    return Busy(
        _(
            "Er worden nu al %(n)s grote labelopdrachten gemaakt. "
            "Probeer het over een minuut opnieuw.",
            n=limit,
        )
    )


def no_worker() -> NoWorker:
    return NoWorker(
        _(
            "Grote labelopdrachten kunnen nu niet gemaakt worden: het achtergrondproces "
            "draait niet. Vraag de beheerder om 'uitleen worker' te starten, of print "
            "minder labels tegelijk."
        )
    )


def not_found() -> NotFound:
    return NotFound(
        _("Deze labelopdracht bestaat niet (meer). Maak de labels opnieuw."),
        code="job_not_found",
    )


def inline_max() -> int:
    """Runs up to this many labels are drawn in the request; larger ones by a worker."""
    return current_app.config.get("LABELS_INLINE_MAX", DEFAULT_INLINE_MAX)
