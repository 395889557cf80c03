"""Benchmark: the public help page under gunicorn, against a bare one-row Flask route.

Run as ``python bench/helppage.py``. main() returns the figures as a dict.

Both routes are served by the same gunicorn (gunicorn.conf.py, 2 workers) from the same
app, on a temporary SQLite database made with `uitleen db upgrade` (or DATABASE_URL):
(a) GET /h/<token>: the label lookup, settings, texts and the rendered page;
(b) GET /bench/row/<id>: reads one device by primary key and returns its tag — what the
    stack itself costs per request, the ceiling for (a);
(c) the view of (a) on another URL without the rate limit: the limit's share.
The routes take turns, each for a fixed time, twice. Load comes from wrk when it is
installed (`apt-get install wrk`: it costs the two cores little), else from threads in
this process. Every request opens its own connection, as behind nginx (which speaks
HTTP/1.0 to its upstream) and from a phone that scans a label: kept-alive connections
would stay on whichever worker took them, so one route could run on one core and the
next on two. The rate limits stay on, set high enough for the load. Also the bytes of
the page per language, raw and gzipped.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, figure, percentile, temporary_database  # noqa: E402

CONNECTIONS = 8
SECONDS = 8.0
QUICK_SECONDS = 2.0
ROUNDS = 2  # each route twice, taking turns, so drift hits both alike
WORKERS = 2
TOKEN = "BENCHTOKEN234567ABCDEFGHIJ"  # noqa: S105 - a label token, not a password
BUDGET = 14 * 1024

WSGI = textwrap.dedent(
    """
    from uitleen import create_app
    from uitleen.auth.access import public
    from uitleen.devices.models import Device
    from uitleen.extensions import db

    # The rate limits stay on (their cost is part of the page), high enough for the load.
    app = create_app({
        "HELP_PAGE_RATE_LIMIT": "100000000/minute",
        "HELP_POST_RATE_LIMIT": "100000000/minute",
    })


    @app.route("/bench/row/<int:device_id>")
    @public
    def bare_row(device_id):
        return db.session.get(Device, device_id).asset_tag


    # The same help page without its rate limit: what the limit costs.
    from uitleen.helpdesk.views import public_help

    app.add_url_rule("/bench/unlimited/<token>", "unlimited", public(public_help.__wrapped__))
    """
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database(env: dict) -> int:
    """Migrate the empty database and add a location and a device with a label; its id."""
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "uitleen"), "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    script = textwrap.dedent(
        f"""
        from uitleen import create_app
        from uitleen.devices.models import Device
        from uitleen.extensions import db
        from uitleen.settings.models import Location
        app = create_app()
        with app.app_context():
            place = Location(name="Werkplaats Oost", address="Dapperstraat 12\\n1093 BT Amsterdam",
                             walk_in_hours="dinsdag 10.00 tot 12.00 uur")
            db.session.add(place)
            db.session.flush()
            device = Device(asset_tag="UIT-00001", public_token="{TOKEN}", state="on_loan",
                            location_id=place.id)
            db.session.add(device)
            db.session.commit()
            print(device.id)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return int(done.stdout.split()[-1])


def start_gunicorn(env: dict, port: int, log) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-c",
            "gunicorn.conf.py",
            "bench_helppage_wsgi:app",
        ],
        cwd=ROOT,
        env=env | {"GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(WORKERS)},
        stdout=log,
        stderr=log,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            status, _body = fetch(port, "/bench/row/1")
            if status:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start; see its log")


def fetch(port: int, path: str, headers: dict | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


HEADERS = {"Accept-Language": "nl", "Connection": "close"}

# wrk reports its own figures as one JSON line (latencies in microseconds).
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "us": %d, "p50_us": %d, "p95_us": %d, "errors": %d, "non200": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def load(port: int, path: str, seconds: float, connections: int) -> dict:
    """`connections` clients for `seconds`: requests, seconds, p50/p95 (s) and errors."""
    if shutil.which("wrk"):
        return load_with_wrk(port, path, seconds, connections)
    return load_with_threads(port, path, seconds, connections)


def load_with_wrk(port: int, path: str, seconds: float, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_REPORT)
        script.flush()
        headers = [arg for name, value in HEADERS.items() for arg in ("-H", f"{name}: {value}")]
        done = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "-s", script.name, *headers]
            + [f"http://127.0.0.1:{port}{path}"],
            capture_output=True,
            text=True,
            check=True,
        )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    failures = []
    if report["non200"]:
        failures.append("answers other than 200")
    if report["errors"]:
        failures.append("socket errors")
    return {
        "requests": report["requests"],
        "seconds": report["us"] / 1e6,
        "p50": report["p50_us"] / 1e6,
        "p95": report["p95_us"] / 1e6,
        "errors": report["non200"] + report["errors"],
        "failures": failures,
    }


def load_with_threads(port: int, path: str, seconds: float, connections: int) -> dict:
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    statuses: list[int] = []  # any answer other than 200, to say what went wrong
    start_line = threading.Barrier(connections + 1)
    stop_at = [0.0]

    def worker(i: int) -> None:
        start_line.wait()
        mine = latencies[i]
        while (now := time.perf_counter()) < stop_at[0]:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                conn.request("GET", path, headers=HEADERS)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[i] += 1
                    statuses.append(response.status)
            except (OSError, http.client.HTTPException) as failure:
                errors[i] += 1
                statuses.append(type(failure).__name__)
                continue
            finally:
                conn.close()
            mine.append(time.perf_counter() - now)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start_line.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    samples = [s for per_thread in latencies for s in per_thread]
    return {
        "requests": len(samples),
        "seconds": elapsed,
        "p50": percentile(samples, 0.50),
        "p95": percentile(samples, 0.95),
        "errors": sum(errors),
        "failures": statuses,
    }


def measure(port: int, paths: dict[str, str], seconds: float) -> dict[str, dict]:
    """Each path for `seconds`, ROUNDS times taking turns; requests/s, and the worst
    round's p50 and p95 (the rounds' percentiles cannot be merged without samples)."""
    runs: dict[str, list[dict]] = {name: [] for name in paths}
    for path in paths.values():  # warm up: imports, template compile, connections
        load(port, path, 1.0, CONNECTIONS)
    for _ in range(ROUNDS):
        for name, path in paths.items():
            runs[name].append(load(port, path, seconds, CONNECTIONS))
    results = {}
    for name, done in runs.items():
        results[name] = {
            "rps": sum(r["requests"] for r in done) / sum(r["seconds"] for r in done),
            "p95_ms": max(r["p95"] for r in done) * 1000,
            "p50_ms": max(r["p50"] for r in done) * 1000,
            "errors": sum(r["errors"] for r in done),
            "failures": sorted({str(f) for r in done for f in r["failures"]}),
        }
    return results


def page_bytes(port: int) -> dict[str, tuple[int, int]]:
    """Raw and gzipped (level 6) size of the help page per language."""
    from uitleen.i18n import SUPPORTED

    sizes = {}
    for lang in SUPPORTED:
        status, body = fetch(port, f"/h/{TOKEN}?lang={lang}")
        assert status == 200, (lang, status)
        sizes[lang] = (len(body), len(gzip.compress(body, compresslevel=6)))
    return sizes


def main(quick: bool = False) -> dict:
    seconds = QUICK_SECONDS if quick else SECONDS
    with temporary_database("helppage") as url, tempfile.TemporaryDirectory() as work:
        Path(work, "bench_helppage_wsgi.py").write_text(WSGI)
        env = os.environ | {
            "DATABASE_URL": url,
            "SECRET_KEY": secrets.token_hex(32),
            "UITLEEN_ENV": "production",
            "PYTHONPATH": os.pathsep.join([work, str(ROOT)]),
        }
        device_id = prepare_database(env)
        port = free_port()
        with open(Path(work, "gunicorn.log"), "wb") as log:
            server = start_gunicorn(env, port, log)
            try:
                sizes = page_bytes(port)
                paths = {
                    "help": f"/h/{TOKEN}",
                    "bare": f"/bench/row/{device_id}",
                    "unlimited": f"/bench/unlimited/{TOKEN}",
                }
                results = measure(port, paths, seconds)
            finally:
                server.terminate()
                server.wait(timeout=30)
    help_page, bare = results["help"], results["bare"]
    ratio = help_page["rps"] / bare["rps"]
    client = "wrk" if shutil.which("wrk") else "Python threads"
    print(
        f"gunicorn, {WORKERS} workers; {CONNECTIONS} clients from {client}, a connection per"
        f" request; {ROUNDS}×{seconds:g} s per route"
    )
    if not shutil.which("wrk"):
        print("no wrk: the Python client may set the pace here, not the server, and a ratio")
        print("near 1 then says little; `apt-get install wrk` for figures that do")
    print(f"{'route':<22}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'errors':>8}")
    rows = (
        ("help", "help page /h/<token>"),
        ("unlimited", "  without rate limit"),
        ("bare", "bare one-row route"),
    )
    for name, label in rows:
        r = results[name]
        print(
            f"{label:<22}{r['rps']:>10.0f}{r['p50_ms']:>10.2f}{r['p95_ms']:>10.2f}{r['errors']:>8}"
        )
    for name in results:
        if results[name]["failures"]:
            print(f"{name}: answers other than 200: {', '.join(results[name]['failures'])}")
    unlimited_ratio = results["unlimited"]["rps"] / bare["rps"]
    print(f"ratio help/bare: {ratio:.2f} (goal >= 0.8)")
    print(f"ratio without the rate limit: {unlimited_ratio:.2f}")
    print(f"{'language':<10}{'bytes':>8}{'gzipped':>10}")
    for lang, (raw, packed) in sizes.items():
        print(f"{lang:<10}{raw:>8}{packed:>10}")
    figures = [
        figure(
            "help page requests/s vs bare Flask",
            round(help_page["rps"], 1),
            "req/s",
            baseline=round(bare["rps"], 1),
            ratio_goal=">= 0.8",
        ),
        figure(
            "help page without rate limit vs bare Flask",
            round(results["unlimited"]["rps"], 1),
            "req/s",
            baseline=round(bare["rps"], 1),
        ),
        figure(
            "help page p95",
            round(help_page["p95_ms"], 2),
            "ms",
            baseline=round(bare["p95_ms"], 2),
        ),
        *(
            figure(f"help page gzipped bytes ({lang})", packed, "B", goal=f"<= {BUDGET}")
            for lang, (_raw, packed) in sizes.items()
        ),
    ]
    return {
        "help_rps": help_page["rps"],
        "help_p95_ms": help_page["p95_ms"],
        "bare_rps": bare["rps"],
        "bare_p95_ms": bare["p95_ms"],
        "ratio": ratio,
        "ratio_goal": 0.8,
        "unlimited_rps": results["unlimited"]["rps"],
        "ratio_without_rate_limit": unlimited_ratio,
        "errors": help_page["errors"] + bare["errors"],
        "bytes": {lang: {"raw": raw, "gzip": packed} for lang, (raw, packed) in sizes.items()},
        "figures": figures,
    }


if __name__ == "__main__":
    main()
