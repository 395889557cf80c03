"""Two gunicorn app servers and a `uitleen worker` on one PostgreSQL and one Redis, behind
a round-robin proxy: nothing the user sees depends on which server answers.

Runs in the PostgreSQL pass (DATABASE_URL names PostgreSQL) with Redis at
UITLEEN_TEST_SERVERS_REDIS_URL (its own database, emptied before and after). Skipped
without them on a laptop; CI sets UITLEEN_REQUIRE_REDIS=1, so there a missing Redis fails.
Each server has its own instance folder, so nothing can pass between them on disk.
"""

from __future__ import annotations

import html
import io
import itertools
import os
import re
import time

import pypdf
import pytest
import redis
import requests
import sqlalchemy
from rq.job import Job as RqJob

from tests.conftest import fresh_database, on_postgres
from tests.devices.factories import make_device
from tests.labels.pdfcodes import decode_cells
from tests.queue import redis_reachable
from tests.servers import cluster
from uitleen import create_app
from uitleen.auth import service as auth
from uitleen.extensions import db
from uitleen.labels.formats import load_format

REDIS_URL = os.environ.get("UITLEEN_TEST_SERVERS_REDIS_URL", "redis://127.0.0.1:6379/13")
PASSWORD = "a long enough test password"  # noqa: S105 - a test account in a throwaway database
DEVICES, COPIES = 20, 100  # 2,000 labels
LABELS = DEVICES * COPIES
HELP_LIMIT = 6
COORDINATOR = "coordinator@uitleen.test"
L7160 = load_format("L7160")


if not on_postgres():
    pytestmark = pytest.mark.skip(
        reason="several app servers need PostgreSQL: set DATABASE_URL to a PostgreSQL database"
    )
elif not os.environ.get("UITLEEN_REQUIRE_REDIS") and not redis_reachable(REDIS_URL):
    pytestmark = pytest.mark.skip(
        reason=f"several app servers need Redis at {REDIS_URL}: start redis-server"
    )


def seed(database_url: str) -> tuple[str, list[int], str]:
    """A volunteer, a coordinator and 20 devices in the new database; returns the
    volunteer's email, the device ids and a label token."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "UITLEEN_REDIS_URL": "",
            "RATELIMIT_STORAGE_URI": "memory://",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    with app.app_context():
        user = auth.create_user(
            None, "vrijwilliger@uitleen.test", "Vrijwilliger", "volunteer", PASSWORD
        )
        auth.create_user(None, COORDINATOR, "Coördinator", "coordinator", PASSWORD)
        devices = [make_device() for _ in range(DEVICES)]
        db.session.commit()
        result = user.email, [d.id for d in devices], devices[0].public_token
        db.session.remove()
        db.engine.dispose()
    return result


@pytest.fixture
def servers(tmp_path):
    """Run the migrations once, seed, start two app servers, a worker and the proxy."""
    shared = redis.Redis.from_url(REDIS_URL)
    shared.flushdb()
    with fresh_database(tmp_path, "servers") as database_url:
        ports = [cluster.free_port(), cluster.free_port()]
        with cluster.RoundRobinProxy(ports) as proxy:
            env = {k: v for k, v in os.environ.items() if k != "RATELIMIT_STORAGE_URI"} | {
                "DATABASE_URL": database_url,
                "UITLEEN_REDIS_URL": REDIS_URL,
                "SECRET_KEY": "one-secret-for-every-server-of-this-test",
                "UITLEEN_BASE_URL": proxy.url,
                "UITLEEN_PROXY_COUNT": "1",
                "HELP_PAGE_RATE_LIMIT": f"{HELP_LIMIT}/minute",
                "UITLEEN_WORKER_HEARTBEAT": "1",
                "UITLEEN_BACKUP_DIR": str(tmp_path / "backups"),
            }
            migrate = cluster.subprocess.run(  # noqa: S603 - our own command
                [cluster.command("uitleen"), "db", "upgrade"],
                env=env | {"UITLEEN_INSTANCE_PATH": str(tmp_path / "migrate")},
                cwd=cluster.ROOT,
                capture_output=True,
                check=False,
            )
            assert migrate.returncode == 0, migrate.stderr.decode()
            email, device_ids, token = seed(database_url)
            apps = [
                cluster.start_app_server(env, port, tmp_path / f"server{n}")
                for n, port in enumerate(ports)
            ]
            workers = [cluster.start_worker(env, tmp_path / "worker")]
            try:
                for port in ports:
                    cluster.wait_until_serving(port)
                cluster.wait_for_worker(shared)
                yield {
                    "proxy": proxy,
                    "apps": apps,
                    "workers": workers,
                    "env": env,
                    "tmp": tmp_path,
                    "email": email,
                    "device_ids": device_ids,
                    "token": token,
                    "redis": shared,
                    "database_url": database_url,
                }
            finally:
                for process in [*apps, *workers]:
                    cluster.kill(process)
                shared.flushdb()
                shared.close()


def csrf_token(page: str) -> str:
    return html.unescape(re.search(r'name="csrf_token" value="([^"]+)"', page).group(1))


def log_in(browser: requests.Session, proxy, email: str) -> None:
    token = csrf_token(browser.get(f"{proxy.url}/login").text)
    answer = browser.post(
        f"{proxy.url}/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert answer.status_code in (302, 303), answer.text[:500]
    assert browser.get(f"{proxy.url}/labels/").status_code == 200  # the other server knows us


def start_run(browser: requests.Session, proxy, device_ids: list[int]) -> str:
    token = csrf_token(browser.get(f"{proxy.url}/labels/").text)
    answer = browser.post(
        f"{proxy.url}/labels/",
        data={
            "device_id": [str(i) for i in device_ids],
            "format": "L7160",
            "copies": str(COPIES),
            "start": "1",
            "csrf_token": token,
        },
        allow_redirects=False,
    )
    assert answer.status_code == 303, answer.text[:500]
    return proxy.url + answer.headers["Location"]


def follow(browser: requests.Session, location: str, until, timeout: float = 60) -> str:
    """Read the status page, as its Refresh header would, until `until(page)` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = browser.get(location)
        assert page.status_code == 200
        if until(page):
            return page.text
        time.sleep(0.2)
    raise AssertionError(f"the job did not get there in {timeout} s: {page.text[-800:]}")


def finished(page) -> bool:
    return "Refresh" not in page.headers


def download(browser: requests.Session, location: str) -> bytes:
    answer = browser.get(f"{location}/labels.pdf")
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/pdf"
    return answer.content


def servers_of(proxy, path_part: str) -> set[int]:
    return {index for index, _method, path in proxy.served if path_part in path}


def test_a_large_run_and_the_help_page_across_two_servers(servers):
    proxy = servers["proxy"]
    browser = requests.Session()
    log_in(browser, proxy, servers["email"])
    location = start_run(browser, proxy, servers["device_ids"])
    job_path = location.removeprefix(proxy.url)

    page = follow(browser, location, finished)
    assert "De labels zijn klaar" in page
    pdf = download(browser, location)
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == -(-LABELS // 21)
    [first_page] = decode_cells(L7160, pdf, pages=1)
    assert set(first_page) == set(range(1, 22))
    assert all(url.endswith("/H/" + servers["token"]) for url in first_page.values())

    # The worker's heartbeats kept the run its own: drawn once, never handed on.
    job_id = job_path.rsplit("/", 1)[1]
    assert RqJob.fetch(job_id, connection=servers["redis"]).meta["tries"] == 1
    # Status and download were answered by both servers, turn by turn.
    assert servers_of(proxy, job_path) == {0, 1}
    turns = [index for index, _m, _p in proxy.served]
    assert all(a != b for a, b in itertools.pairwise(turns))
    # Nothing of the job is on either server's disk (nor in the default instance folder).
    for folder in (servers["tmp"], cluster.ROOT / "instance"):
        assert list(folder.rglob(f"*{job_id}*")) == []

    # The help page's limit counts once for both servers: the 7th request is refused.
    anonymous = requests.Session()
    answers = [
        anonymous.get(f"{proxy.url}/h/{servers['token']}").status_code
        for _ in range(HELP_LIMIT + 1)
    ]
    assert answers == [200] * HELP_LIMIT + [429]
    assert servers_of(proxy, f"/h/{servers['token']}") == {0, 1}


def test_a_worker_killed_mid_run_loses_no_job(servers):
    proxy = servers["proxy"]
    browser = requests.Session()
    log_in(browser, proxy, servers["email"])
    location = start_run(browser, proxy, servers["device_ids"])
    job_id = location.rsplit("/", 1)[1]

    # Wait until the worker is drawing (the page shows how far), then kill it and one
    # app server; the proxy sends everything to the other one from then on.
    page = follow(browser, location, lambda page: f"van de {LABELS} labels" in page.text)
    assert "De labels zijn klaar" not in page
    [worker] = servers["workers"]
    cluster.kill(worker)
    cluster.kill(servers["apps"][0])

    replacement = cluster.start_worker(servers["env"], servers["tmp"] / "worker")
    servers["workers"].append(replacement)
    page = follow(browser, location, finished, timeout=90)
    assert "De labels zijn klaar" in page
    assert len(pypdf.PdfReader(io.BytesIO(download(browser, location))).pages) == -(-LABELS // 21)
    # The same job, run a second time by the new worker.
    assert RqJob.fetch(job_id, connection=servers["redis"]).meta["tries"] == 2


def test_a_help_form_served_by_one_server_is_accepted_by_the_other(servers):
    proxy, token = servers["proxy"], servers["token"]
    household = requests.Session()
    form = household.get(f"{proxy.url}/h/{token}/hulp")
    assert form.status_code == 200
    form_token = html.unescape(re.search(r'name="form_token" value="([^"]+)"', form.text)[1])
    sent = household.post(
        f"{proxy.url}/h/{token}/hulp",
        data={"category": "no_internet", "message": "", "phone": "", "form_token": form_token},
        headers={"Origin": proxy.url},
        allow_redirects=False,
    )
    assert sent.status_code == 303, sent.text[:500]
    assert "/bedankt" in sent.headers["Location"]
    [(shown_by, *_), (taken_by, *_)] = proxy.served[-2:]
    assert shown_by != taken_by


# --- imports and backups on the same queue ---------------------------------------------


def csv_rows(count: int) -> bytes:
    lines = ["kind,make,model,serial"]
    lines += [f"laptop,Lenovo,ThinkPad T480,PF{n:07d}" for n in range(count)]
    return ("\n".join(lines) + "\n").encode()


def start_import(browser: requests.Session, proxy, content: bytes) -> str:
    token = csrf_token(browser.get(f"{proxy.url}/devices/import").text)
    answer = browser.post(
        f"{proxy.url}/devices/import",
        data={"csrf_token": token},
        files={"file": ("apparaten.csv", content, "text/csv")},
        allow_redirects=False,
    )
    assert answer.status_code == 303, answer.text[:500]
    return proxy.url + answer.headers["Location"]


def devices_in(database_url: str) -> int:
    engine = sqlalchemy.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(sqlalchemy.text("SELECT count(*) FROM devices"))
    finally:
        engine.dispose()


def test_an_import_and_a_backup_followed_across_two_servers(servers):
    proxy = servers["proxy"]
    browser = requests.Session()
    log_in(browser, proxy, servers["email"])
    location = start_import(browser, proxy, csv_rows(3000))
    job_path = location.removeprefix(proxy.url)
    page = follow(browser, location, finished)
    assert "Klaar: 3000 apparaten ingelezen" in page
    assert devices_in(servers["database_url"]) == DEVICES + 3000
    assert servers_of(proxy, job_path) == {0, 1}
    # The upload went to the worker through Redis, and is gone with the work.
    assert servers["redis"].keys("uitleen:file:*") == []
    for n in (0, 1):
        assert list((servers["tmp"] / f"server{n}").rglob("*.csv")) == []

    coordinator = requests.Session()
    log_in(coordinator, proxy, COORDINATOR)
    token = csrf_token(coordinator.get(f"{proxy.url}/backups").text)
    answer = coordinator.post(
        f"{proxy.url}/backups", data={"csrf_token": token}, allow_redirects=False
    )
    assert answer.status_code == 303, answer.text[:500]
    page = follow(coordinator, proxy.url + answer.headers["Location"], finished)
    [made] = list((servers["tmp"] / "backups").iterdir())  # on the worker's volume
    assert f"Back-up {made.name} gemaakt en gecontroleerd" in page
    # Both servers list it: the list comes from the event log, not from a disk.
    for _turn in range(2):
        assert made.name in coordinator.get(f"{proxy.url}/backups").text
    assert servers_of(proxy, "/backups") == {0, 1}


def test_a_worker_killed_mid_import_saves_every_row_exactly_once(servers):
    proxy = servers["proxy"]
    browser = requests.Session()
    log_in(browser, proxy, servers["email"])
    rows = 30_000
    location = start_import(browser, proxy, csv_rows(rows))
    job_id = location.rsplit("/", 1)[1]
    # Kill the worker while it is inserting (the page counts the saved rows).
    follow(browser, location, lambda page: "regels opgeslagen" in page.text, timeout=120)
    [worker] = servers["workers"]
    cluster.kill(worker)
    assert devices_in(servers["database_url"]) == DEVICES  # one transaction: nothing yet

    replacement = cluster.start_worker(servers["env"], servers["tmp"] / "worker")
    servers["workers"].append(replacement)
    page = follow(browser, location, finished, timeout=180)
    assert f"Klaar: {rows} apparaten ingelezen" in page
    assert devices_in(servers["database_url"]) == DEVICES + rows
    assert RqJob.fetch(job_id, connection=servers["redis"]).meta["tries"] == 2
