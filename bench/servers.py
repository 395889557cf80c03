"""Benchmark: help page and device list through a proxy, with one and with two app servers.

Run as ``python bench/servers.py``. main() returns the figures as a dict.

Each app server is gunicorn (gunicorn.conf.py) with one worker process, on one fresh
PostgreSQL database (DATABASE_URL, else the local postgres@127.0.0.1:5432) and one Redis
for the shared rate-limit counts (UITLEEN_BENCH_REDIS_URL, database 12, emptied after).
In front: HAProxy round robin when it is installed (`apt-get install haproxy`), else the
test suite's Python proxy, which then sets the pace itself. Load: wrk when installed,
else Python threads, a new connection per request (as a phone scanning a label).

The baseline of the two-server figures is the one-server figure from the same run. On a
machine with N cores, two servers can only beat one when one server leaves cores idle:
proxy, database, load generator and both servers share the same cores here, so on two
cores expect a ratio near 1, not 2; the figure to take from a small machine is that a
second server costs nothing and keeps requests going when one stops.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import ROOT, figure, percentile  # noqa: E402

from tests.servers import cluster  # noqa: E402

SECONDS, QUICK_SECONDS = 8.0, 2.0
CONNECTIONS = 8
DEVICES = 200
TOKEN = "BENCHSERVERS234567ABCDEFGH"  # noqa: S105 - a label token, not a password
PASSWORD = "bench password, long enough"  # noqa: S105 - a throwaway database
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REDIS_URL = os.environ.get("UITLEEN_BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")

WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %d, "us": %d, "p50_us": %d, "errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50),
    e.connect + e.read + e.write + e.timeout + e.status))
end
"""

HAPROXY = """
global
    maxconn 512
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    option forwardfor
    option http-server-close
frontend web
    bind 127.0.0.1:{port}
    default_backend apps
backend apps
    balance roundrobin
{servers}
"""


@contextmanager
def fresh_postgres():
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(os.environ.get("DATABASE_URL") or DEFAULT_PG)
    if not base.drivername.startswith("postgresql"):
        raise RuntimeError("several app servers need PostgreSQL: set DATABASE_URL to one")
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"uitleen_bench_servers_{secrets.token_hex(4)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare(env: dict) -> None:
    """Migrate, then a location, DEVICES devices (one with TOKEN) and a volunteer."""
    subprocess.run(  # noqa: S603 - our own command
        [cluster.command("uitleen"), "db", "upgrade"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    script = textwrap.dedent(
        f"""
        from uitleen import create_app
        from uitleen.auth import service as auth
        from uitleen.devices.models import Device
        from uitleen.extensions import db
        from uitleen.settings.models import Location
        app = create_app()
        with app.app_context():
            place = Location(name="Werkplaats Oost", address="Dapperstraat 12",
                             walk_in_hours="dinsdag 10.00 tot 12.00 uur")
            db.session.add(place)
            db.session.flush()
            for n in range(1, {DEVICES} + 1):
                token = "{TOKEN}" if n == 1 else f"BS{{n:024d}}"
                db.session.add(Device(asset_tag=f"UIT-{{n:05d}}", public_token=token,
                                      state="ready", location_id=place.id,
                                      make="Lenovo", model="ThinkPad T480"))
            auth.create_user(None, "bench@uitleen.test", "Bench", "volunteer", {PASSWORD!r})
            db.session.commit()
        """
    )
    subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], env=env, cwd=ROOT, check=True, capture_output=True
    )


def session_cookie(url: str) -> str:
    import requests

    browser = requests.Session()
    page = browser.get(f"{url}/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = browser.post(
        f"{url}/login",
        data={"email": "bench@uitleen.test", "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert answer.status_code in (302, 303), answer.status_code
    return "; ".join(f"{c.name}={c.value}" for c in browser.cookies)


def load(url: str, headers: dict, seconds: float) -> dict:
    """CONNECTIONS clients for `seconds`: requests per second, p50 (ms), errors."""
    if shutil.which("wrk"):
        with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
            script.write(WRK_REPORT)
            script.flush()
            header_args = [a for k, v in headers.items() for a in ("-H", f"{k}: {v}")]
            done = subprocess.run(  # noqa: S603 - wrk with our arguments
                [
                    "wrk",
                    "-t1",
                    f"-c{CONNECTIONS}",
                    f"-d{seconds:g}s",
                    "-s",
                    script.name,
                    *header_args,
                    url,
                ],
                capture_output=True,
                text=True,
                check=True,
            )
        report = json.loads(done.stdout.strip().splitlines()[-1])
        return {
            "rps": report["requests"] / (report["us"] / 1e6),
            "p50_ms": report["p50_us"] / 1e3,
            "errors": report["errors"],
        }
    return load_with_threads(url, headers, seconds)


def load_with_threads(url: str, headers: dict, seconds: float) -> dict:
    host, port_path = url.removeprefix("http://").split(":", 1)
    port, path = port_path.split("/", 1)
    samples: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client() -> None:
        while (began := time.perf_counter()) < stop_at:
            conn = http.client.HTTPConnection(host, int(port), timeout=10)
            try:
                conn.request("GET", "/" + path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
            finally:
                conn.close()
            with lock:
                if ok:
                    samples.append(time.perf_counter() - began)
                else:
                    errors[0] += 1

    threads = [threading.Thread(target=client) for _ in range(CONNECTIONS)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return {
        "rps": len(samples) / elapsed,
        "p50_ms": percentile(samples, 0.5) * 1e3,
        "errors": errors[0],
    }


@contextmanager
def proxy_for(ports: list[int], work: Path):
    """HAProxy round robin over the ports when installed, else the Python proxy."""
    if not shutil.which("haproxy"):
        with cluster.RoundRobinProxy(ports) as proxy:
            yield proxy.url, "Python proxy (tests/servers/cluster.py)"
        return
    port = cluster.free_port()
    servers = "\n".join(f"    server app{n} 127.0.0.1:{p}" for n, p in enumerate(ports))
    config = work / f"haproxy-{len(ports)}.cfg"
    config.write_text(HAPROXY.format(port=port, servers=servers))
    process = subprocess.Popen(  # noqa: S603 - haproxy with our config
        ["haproxy", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(50):
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            try:
                probe.connect()
                break
            except OSError:
                time.sleep(0.1)
            finally:
                probe.close()
        yield f"http://127.0.0.1:{port}", "HAProxy"
    finally:
        process.terminate()
        process.wait(timeout=10)


def measure(env: dict, work: Path, count: int, seconds: float) -> tuple[dict, str]:
    ports = [cluster.free_port() for _ in range(count)]
    apps = [
        cluster.start_app_server(env, port, work / f"{count}-server{n}")
        for n, port in enumerate(ports)
    ]
    try:
        for port in ports:
            cluster.wait_until_serving(port)
        with proxy_for(ports, work) as (url, proxy_name):
            cookie = session_cookie(url)
            plain = {"Accept-Language": "nl", "Connection": "close"}
            results = {
                "help": load(f"{url}/h/{TOKEN}", plain, seconds),
                "devices": load(f"{url}/devices/", plain | {"Cookie": cookie}, seconds),
            }
    finally:
        for app in apps:
            cluster.kill(app, 15)
    return results, proxy_name


def main(quick: bool = False) -> dict:
    import redis

    seconds = QUICK_SECONDS if quick else SECONDS
    shared = redis.Redis.from_url(REDIS_URL)
    try:
        shared.ping()
        store = REDIS_URL
    except redis.RedisError:
        store = "file://"  # one machine: the servers still share one count on this disk
    with fresh_postgres() as url, tempfile.TemporaryDirectory() as work:
        env = os.environ | {
            "DATABASE_URL": url,
            "SECRET_KEY": secrets.token_hex(32),
            "UITLEEN_ENV": "production",
            "SESSION_COOKIE_SECURE": "false",  # http between the bench and the proxy
            "UITLEEN_REDIS_URL": store if store.startswith("redis") else "",
            "RATELIMIT_STORAGE_URI": store,
            "UITLEEN_PROXY_COUNT": "1",
            "HELP_PAGE_RATE_LIMIT": "100000000/minute",
            "LOGIN_RATE_LIMIT": "100000000/minute",
        }
        prepare(env)
        one, proxy_name = measure(env, Path(work), 1, seconds)
        two, _ = measure(env, Path(work), 2, seconds)
    if store.startswith("redis"):
        shared.flushdb()
    shared.close()

    client = "wrk" if shutil.which("wrk") else "Python threads"
    print(
        f"{proxy_name} in front; gunicorn with 1 worker process per app server; {CONNECTIONS}"
        f" clients from {client}; {seconds:g} s per figure; {os.cpu_count()} cores in all"
    )
    print(f"{'route':<26}{'1 server':>12}{'2 servers':>12}{'ratio':>8}{'errors':>8}")
    for name, label in (("help", "help page /h/<token>"), ("devices", "device list /devices/")):
        ratio = two[name]["rps"] / one[name]["rps"]
        errors = one[name]["errors"] + two[name]["errors"]
        print(
            f"{label:<26}{one[name]['rps']:>10.0f}/s{two[name]['rps']:>10.0f}/s"
            f"{ratio:>8.2f}{errors:>8}"
        )
    print(
        "Everything (proxy, PostgreSQL, Redis, load and servers) shares these cores; a ratio"
        " near 1 on 2 cores means the cores, not the servers, are the limit."
    )
    return {
        "figures": [
            figure("help page, 1 app server", round(one["help"]["rps"]), "req/s"),
            figure(
                "help page, 2 app servers",
                round(two["help"]["rps"]),
                "req/s",
                baseline=round(one["help"]["rps"]),
                ratio_goal=">= 0.8",
            ),
            figure("device list, 1 app server", round(one["devices"]["rps"]), "req/s"),
            figure(
                "device list, 2 app servers",
                round(two["devices"]["rps"]),
                "req/s",
                baseline=round(one["devices"]["rps"]),
                ratio_goal=">= 0.8",
            ),
            figure(
                "errors through the proxy",
                sum(r[k]["errors"] for r in (one, two) for k in ("help", "devices")),
                goal="== 0",
            ),
        ]
    }


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
