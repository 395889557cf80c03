"""Benchmark: a 10,000-label request under gunicorn, and how fast /login stays meanwhile.

Run as ``python bench/label_jobs.py``. main() returns the figures as a dict.

gunicorn runs with the project's gunicorn.conf.py (4 workers x 2 threads) on a temporary
SQLite database holding 10,000 ready devices. One client POSTs /api/v1/labels for all of
them while another GETs /login every 50 ms. Twice:

(a) as shipped: the run is drawn by a separate, niced worker process;
(b) the simple way, for comparison: drawn inside the request thread
    (LABELS_INLINE_MAX raised above the run size).

The baseline is /login with nothing else going on, measured in the same run. Drawing
alone, the baseline of the runs, is measured in this process on 100 real version-3
matrices, each label reading its own copy from the stored bytes as the worker does (a
shared QrMatrix would reuse its cached runs); making 10,000 matrices (4 ms each) is not
what is measured here.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import figure, percentile  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
BASE_URL = "https://hulp.uitleen.nl"
PORT = 8765
PROBE_INTERVAL = 0.05
WSGI = """\
import os
from uitleen import create_app

app = create_app({
    "LABELS_INLINE_MAX": int(os.environ["BENCH_INLINE_MAX"]),
    "LABELS_JOBS_DIR": os.environ["BENCH_JOBS_DIR"],
    "RATELIMIT_ENABLED": False,
})
"""


def build_database(url: str, count: int) -> str:
    """Tables, a volunteer with an API token, and `count` ready devices; returns the token."""
    from sqlalchemy import insert

    from uitleen import create_app
    from uitleen.auth import service as auth
    from uitleen.devices.models import Device
    from uitleen.extensions import db
    from uitleen.qr import label_url, make_matrix

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "UITLEEN_BASE_URL": BASE_URL}
    )
    with app.app_context():
        db.create_all()
        user = auth.create_user(None, "bench@uitleen.test", "Bench", "volunteer", "long password 1")
        token = auth.create_token(None, user, "bench")
        tokens = [
            base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=") for _ in range(count)
        ]
        # Each device's own matrix, as intake stores it (a few ms each, made once here).
        urls = [label_url(BASE_URL, t) for t in tokens]
        rows = [
            {
                "asset_tag": f"UIT-{n:05d}",
                "public_token": t,
                "qr_url": url,
                "qr_matrix": make_matrix(url).to_bytes(),
                "state": "ready",
            }
            for n, (t, url) in enumerate(zip(tokens, urls, strict=True), start=1)
        ]
        db.session.execute(insert(Device), rows)
        db.session.commit()
        db.engine.dispose()
    return token


def _get(port: int, path: str, timeout: float = 30) -> tuple[int, float]:
    start = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, (time.perf_counter() - start) * 1000
    finally:
        connection.close()


@contextmanager
def server(url: str, inline_max: int, workdir: Path, port: int) -> Iterator[subprocess.Popen]:
    (workdir / "bench_labels_wsgi.py").write_text(WSGI)
    env = os.environ | {
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "UITLEEN_BASE_URL": BASE_URL,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "BENCH_INLINE_MAX": str(inline_max),
        "BENCH_JOBS_DIR": str(workdir / "jobs"),
    }
    command = [str(GUNICORN), "-c", str(ROOT / "gunicorn.conf.py")]
    command += ["--pythonpath", str(workdir), "bench_labels_wsgi:app"]
    with open(workdir / "gunicorn.log", "ab") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 120  # a loaded machine starts 4 workers slowly
        while True:
            try:
                if _get(port, "/login")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                log_tail = (workdir / "gunicorn.log").read_text()[-2000:]
                raise RuntimeError(f"gunicorn did not start:\n{log_tail}")
            time.sleep(0.2)
        for _ in range(20):  # warm every worker
            _get(port, "/login")
        yield process
    finally:
        process.terminate()
        process.wait(30)


def worker_rss_mb(master: subprocess.Popen) -> float:
    """The largest resident memory among gunicorn's workers, in MB."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    largest = 0
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                largest = max(largest, int(line.split()[1]))
    return largest / 1024


def probe_login(port: int, stop: threading.Event) -> list[float]:
    samples = []
    while not stop.is_set():
        status, ms = _get(port, "/login")
        assert status == 200, status
        samples.append(ms)
        time.sleep(PROBE_INTERVAL)
    return samples


def post_labels(port: int, token: str) -> tuple[int, int, float]:
    """POST the 10,000-label run; returns (status, PDF bytes, seconds)."""
    start = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        body = json.dumps({"format": "L7160", "state": "ready"})
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        connection.request("POST", "/api/v1/labels", body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, len(data), time.perf_counter() - start
    finally:
        connection.close()


def during_run(port: int, token: str) -> dict:
    """Latency of /login while the label run is in progress."""
    stop = threading.Event()
    results: dict = {}

    def probe() -> None:
        results["samples"] = probe_login(port, stop)

    prober = threading.Thread(target=probe)
    prober.start()
    status, size, seconds = post_labels(port, token)
    stop.set()
    prober.join()
    assert status == 200, status
    return {"seconds": seconds, "bytes": size, "samples": results["samples"]}


def idle_samples(port: int, count: int = 60) -> list[float]:
    samples = []
    for _ in range(count):
        samples.append(_get(port, "/login")[1])
        time.sleep(PROBE_INTERVAL)
    return samples


def stats(samples: list[float]) -> dict:
    return {
        "median": round(statistics.median(samples), 1),
        "p95": round(percentile(samples, 0.95), 1),
        "max": round(max(samples), 1),
        "n": len(samples),
    }


def render_in_process(count: int) -> float:
    """Seconds to draw `count` labels here, no web server: the pure drawing cost."""
    import io

    from uitleen.labels import LabelContent, QrMatrix, label_url, load_format, make_matrix
    from uitleen.labels.render import write_labels

    urls = [label_url(BASE_URL, f"TOKEN{n:021d}") for n in range(100)]
    stored = [make_matrix(u).to_bytes() for u in urls]
    labels = (
        LabelContent(
            f"UIT-{n:05d}",
            urls[n % 100],
            QrMatrix.from_bytes(stored[n % 100]),
            "Hulp nodig? Scan mij",
            "1",
        )
        for n in range(count)
    )
    start = time.perf_counter()
    write_labels(io.BytesIO(), load_format("L7160"), labels)
    return time.perf_counter() - start


def main(quick: bool = False) -> dict:
    count = 1_000 if quick else 10_000
    with tempfile.TemporaryDirectory(prefix="uitleen-label-jobs-") as directory:
        workdir = Path(directory)
        url = f"sqlite:///{workdir}/bench.sqlite3"
        token = build_database(url, count)
        drawing = render_in_process(count)

        with server(url, inline_max=300, workdir=workdir, port=PORT) as master:
            idle = stats(idle_samples(PORT))
            worker = during_run(PORT, token)
            worker_rss = worker_rss_mb(master)
        with server(url, inline_max=count + 1, workdir=workdir, port=PORT + 1) as master:
            inline = during_run(PORT + 1, token)
            inline_rss = worker_rss_mb(master)
        leftovers = list((workdir / "jobs").iterdir()) if (workdir / "jobs").exists() else []

    during_worker, during_inline = stats(worker["samples"]), stats(inline["samples"])
    table = [
        ("labels", count),
        ("drawing in process, s", round(drawing, 2)),
        ("API run via worker process, s", round(worker["seconds"], 2)),
        ("API run inside the request, s", round(inline["seconds"], 2)),
        ("PDF bytes", worker["bytes"]),
        ("/login idle median / p95 / max, ms", idle),
        ("/login during worker run", during_worker),
        ("/login during in-request run", during_inline),
        ("largest gunicorn worker after worker run, MB", round(worker_rss, 1)),
        ("largest gunicorn worker after in-request run, MB", round(inline_rss, 1)),
        ("job folders left", len(leftovers)),
    ]
    for name, value in table:
        print(f"{name:50} {value}")
    return {
        "labels": count,
        "figures": [
            figure("labels drawn in process", round(drawing, 2), "s"),
            figure(
                "API labels via worker process",
                round(worker["seconds"], 2),
                "s",
                baseline=round(drawing, 2),
                ratio_goal="<= 1.5",
            ),
            figure("API labels inside the request", round(inline["seconds"], 2), "s"),
            figure(
                "/login p95 during a worker run",
                during_worker["p95"],
                "ms",
                baseline=idle["p95"],
                goal="<= 250",
            ),
            figure(
                "/login p95 during an in-request run",
                during_inline["p95"],
                "ms",
                baseline=idle["p95"],
            ),
            figure("/login max during a worker run", during_worker["max"], "ms"),
            figure("/login max during an in-request run", during_inline["max"], "ms"),
            figure("gunicorn worker RSS after worker run", round(worker_rss, 1), "MB"),
            figure("gunicorn worker RSS after in-request run", round(inline_rss, 1), "MB"),
            figure("job folders left behind", len(leftovers), "", goal="== 0"),
        ],
    }


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
