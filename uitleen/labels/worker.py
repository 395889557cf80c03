"""Draw one large label run, in a job folder or as a job from the shared Redis queue.

`python -m uitleen.labels.worker JOB_FOLDER` is started by uitleen.labels.job_files. It
needs no database and no app: everything it draws is in the job folder's input.json. The
PDF is written under a temporary name and renamed, so labels.pdf exists only when it is
complete. `draw_queued` is the same work run by `uitleen worker` (uitleen.labels.job_queue):
the PDF goes to Redis, with an expiry, where every app server can hand it out.
"""

from __future__ import annotations

import base64
import io
import json
import os
import resource
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

from rq import get_current_job

from uitleen.labels.formats import load_format
from uitleen.labels.render import LabelContent, write_labels
from uitleen.qr import QrMatrix

RESULT = "labels.pdf"
PROGRESS = "progress"
MAX_SECONDS = 15 * 60  # CPU limit; 20,000 labels need about a minute
KEEP_SECONDS = 2 * 3600  # a finished PDF can be downloaded again for two hours
PDF_KEY = "uitleen:labels:pdf:{}"  # the finished PDF of a queued job, in Redis
PROGRESS_EVERY = 100  # labels between two progress reports


def _labels(job: dict, progress: Callable[[int], None]) -> Iterator[LabelContent]:
    for number, (tag, url, matrix) in enumerate(job["labels"], 1):
        qr = QrMatrix.from_bytes(base64.b64decode(matrix)) if matrix else None
        languages = job.get("languages_text", "")
        yield LabelContent(tag, url, qr, job["help_text"], job["phone_text"], languages)
        if number % PROGRESS_EVERY == 0:
            progress(number)


def _draw(stream, job: dict, progress: Callable[[int], None]) -> int:
    """Write the job's labels as PDF to `stream`; the same for both runners."""
    fmt = load_format(Path(job["format_path"]))
    notice = job.get("notice", "")
    return write_labels(stream, fmt, _labels(job, progress), job["start"], notice=notice)


def run(folder: Path) -> int:
    """Draw the job's labels into folder/labels.pdf; returns how many."""
    job = json.loads((folder / "input.json").read_text())
    partial = folder / (RESULT + ".part")

    def progress(done: int) -> None:
        (folder / PROGRESS).write_text(str(done))

    with partial.open("wb") as stream:
        count = _draw(stream, job, progress)
    partial.rename(folder / RESULT)
    (folder / "input.json").unlink()
    return count


def draw_queued(job_input: dict) -> int:
    """The RQ job: draw the labels and keep the PDF in Redis for KEEP_SECONDS."""
    job = get_current_job()

    def progress(done: int) -> None:
        job.meta["done"] = done
        job.save_meta()

    stream = io.BytesIO()
    count = _draw(stream, job_input, progress)
    job.connection.set(PDF_KEY.format(job.id), stream.getvalue(), ex=KEEP_SECONDS)
    return count


def main(argv: list[str]) -> int:
    folder = Path(argv[1])
    os.nice(10)  # web requests on the same machine come first
    # The kernel ends a run that goes on far too long, so nothing hangs around.
    resource.setrlimit(resource.RLIMIT_CPU, (MAX_SECONDS, MAX_SECONDS))
    try:
        run(folder)
    except Exception:
        (folder / "error.txt").write_text(traceback.format_exc())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
