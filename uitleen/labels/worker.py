"""`python -m uitleen.labels.worker JOB_FOLDER`: draw one large label run, then exit.

Started by uitleen.labels.jobs. Needs no database and no app: everything it draws is in
the job folder's input.json. The PDF is written under a temporary name and renamed, so
labels.pdf exists only when it is complete.
"""

from __future__ import annotations

import base64
import json
import os
import resource
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

from uitleen.labels.formats import load_format
from uitleen.labels.render import LabelContent, write_labels
from uitleen.qr import QrMatrix

RESULT = "labels.pdf"
MAX_SECONDS = 15 * 60  # CPU limit; 20,000 labels need about a minute


def _labels(job: dict) -> Iterator[LabelContent]:
    for tag, url, matrix in job["labels"]:
        qr = QrMatrix.from_bytes(base64.b64decode(matrix)) if matrix else None
        languages = job.get("languages_text", "")
        yield LabelContent(tag, url, qr, job["help_text"], job["phone_text"], languages)


def run(folder: Path) -> int:
    """Draw the job's labels into folder/labels.pdf; returns how many."""
    job = json.loads((folder / "input.json").read_text())
    fmt = load_format(Path(job["format_path"]))
    partial = folder / (RESULT + ".part")
    with partial.open("wb") as stream:
        count = write_labels(stream, fmt, _labels(job), job["start"], notice=job.get("notice", ""))
    partial.rename(folder / RESULT)
    (folder / "input.json").unlink()
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
