"""kill -9 a gunicorn worker mid-write: after the respawn nothing is half-saved.

The real app runs under gunicorn (gunicorn.conf.py, wsgi:app) on its own migrated
database. We kill its worker with SIGKILL (no cleanup, no rollback) while it is
importing thousands of devices, and again while loans are being issued, then check
that every transaction happened entirely or not at all, that the event log agrees
with the rows, that acknowledged writes survived, and (SQLite) that
`PRAGMA integrity_check` says ok. With DATABASE_URL on PostgreSQL it runs there, on a
fresh database.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.browser.live import free_port, fresh_database

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PASSWORD = "een lang wachtwoord voor de test"
IMPORT_ROWS = 10_000
LOANS = 80
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- processes ---------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    """Process ids whose parent is `pid` (read from /proc, no extra tools)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces; fields follow the last ')'.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class Gunicorn:
    """gunicorn with one worker on a free port; the master respawns a killed worker."""

    def __init__(self, database_url: str, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = server_env(database_url) | {
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": "1",
            "GUNICORN_THREADS": "4",
        }
        self.log = log.open("ab")
        self.master = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, not_worker: int | None = None, timeout: float = 60) -> int:
        """Wait until a (new) worker answers; returns its pid."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.master.poll() is None, "gunicorn stopped; see its log"
            workers = [pid for pid in children(self.master.pid) if pid != not_worker]
            if workers:
                try:
                    if requests.get(self.url + "/login", timeout=10).status_code == 200:
                        return workers[0]
                except requests.RequestException:
                    pass  # the new worker is still loading the app
            time.sleep(0.1)
        raise AssertionError("gunicorn did not answer in time")

    def stop(self) -> None:
        self.master.send_signal(signal.SIGTERM)
        try:
            self.master.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.master.kill()
            self.master.wait()
        self.log.close()


def server_env(database_url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "crash-test-secret",
        "UITLEEN_ENV": "development",
        "RATELIMIT_ENABLED": "0",
    }


# --- the database ---------------------------------------------------------------------------


@pytest.fixture
def database(tmp_path):
    """A fresh database migrated with `uitleen db upgrade`, as an operator would."""
    with fresh_database(tmp_path, "crash") as url:
        done = subprocess.run(
            [str(BIN / "uitleen"), "db", "upgrade"],
            cwd=ROOT,
            env=server_env(url),
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        yield url


def prepare(database_url: str, build) -> object:
    """Run `build()` in an app context on this database and commit; returns its result."""
    from tests.conftest import make_app
    from uitleen.extensions import db

    app = make_app(database_url)
    with app.app_context():
        result = build()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return result


def make_staff() -> dict:
    from uitleen.auth import service as auth

    volunteer = auth.create_user(None, "v@crash.test", "Vera Vrijwilliger", "volunteer", PASSWORD)
    coordinator = auth.create_user(None, "c@crash.test", "Cas Coördinator", "coordinator", PASSWORD)
    token = auth.create_token(None, coordinator, "crash test")
    return {"volunteer": volunteer.email, "token": token}


def scalar(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def rows(engine, sql: str, **params) -> list:
    with engine.connect() as conn:
        return list(conn.execute(text(sql), params))


def assert_database_intact(engine) -> None:
    if engine.dialect.name == "sqlite":
        assert rows(engine, "PRAGMA integrity_check") == [("ok",)]
        assert rows(engine, "PRAGMA foreign_key_check") == []


# --- (a) bulk import ----------------------------------------------------------------------


def csv_file(path: Path, count: int, prefix: str) -> Path:
    lines = ["kind,make,model,serial,ram_gb,storage_gb,condition_grade"]
    lines += [f"laptop,Dell,Latitude E7470,{prefix}{n:07d},8,256,B" for n in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def logged_in(base: str, email: str) -> requests.Session:
    session = requests.Session()
    token = csrf_from(session.get(base + "/login", timeout=10).text)
    response = session.post(
        base + "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]
    return session


def upload(session: requests.Session, base: str, path: Path) -> requests.Response:
    token = csrf_from(session.get(base + "/devices/import", timeout=10).text)
    with path.open("rb") as handle:
        return session.post(
            base + "/devices/import",
            data={"csrf_token": token},
            files={"file": (path.name, handle, "text/csv")},
            allow_redirects=False,
            timeout=300,
        )


def device_counts(engine) -> tuple[int, int, int]:
    """(devices, their 'registered' events, 'imported' events)."""
    return (
        scalar(engine, "SELECT count(*) FROM devices"),
        scalar(engine, "SELECT count(*) FROM events WHERE verb = 'device.registered'"),
        scalar(engine, "SELECT count(*) FROM events WHERE verb = 'devices.imported'"),
    )


def import_killed_at(session, server: Gunicorn, worker: int, path: Path, cpu: float) -> dict:
    """Upload `path` and SIGKILL the worker once it has spent `cpu` seconds on it.

    Returns {"error": ...} when the kill cut the request, {"response": ...} when the
    import finished first (a busy machine can let the test sleep past the kill point).
    """
    outcome: dict = {}

    def post() -> None:
        try:
            outcome["response"] = upload(session, server.url, path)
        except requests.ConnectionError as error:
            outcome["error"] = error

    sender = threading.Thread(target=post)
    start = cpu_seconds(worker)
    sender.start()
    while "response" not in outcome and cpu_seconds(worker) - start < cpu:
        time.sleep(0.01)
    if "response" not in outcome:
        os.kill(worker, signal.SIGKILL)
    sender.join(timeout=120)
    return outcome


def test_killing_the_worker_mid_import_saves_all_rows_or_none(database, tmp_path):
    staff = prepare(database, make_staff)
    warmup = csv_file(tmp_path / "warmup.csv", 10, "WARM")
    first = csv_file(tmp_path / "first.csv", IMPORT_ROWS, "FIRST")
    server = Gunicorn(database, tmp_path / "gunicorn.log")
    engine = create_engine(database)
    try:
        worker = server.wait_ready()
        session = logged_in(server.url, staff["volunteer"])
        # A small import warms the worker up; then a whole one is measured, and the kill
        # comes at 2/3 of that work: past the checking pass, while rows go in. Should the
        # import finish first, it counts as saved and the next file is cut earlier.
        assert upload(session, server.url, warmup).status_code == 302
        before = cpu_seconds(worker)
        assert upload(session, server.url, first).status_code == 302
        whole = cpu_seconds(worker) - before
        imported, rows_in = 2, IMPORT_ROWS + 10
        assert device_counts(engine) == (rows_in, rows_in, imported)

        for attempt, share in enumerate((2 / 3, 1 / 2, 1 / 3, 1 / 6)):
            cut = csv_file(tmp_path / f"cut{attempt}.csv", IMPORT_ROWS, f"CUT{attempt}-")
            outcome = import_killed_at(session, server, worker, cut, share * whole)
            if "error" in outcome:
                break
            assert outcome["response"].status_code == 302
            imported, rows_in = imported + 1, rows_in + IMPORT_ROWS
        assert "error" in outcome, f"every import finished before its kill: {outcome}"

        server.wait_ready(not_worker=worker)
        saved = (rows_in, rows_in, imported)
        assert device_counts(engine) == saved, "half an import saved"
        assert_database_intact(engine)

        # The new worker takes the same file in full: no lock or half a batch left behind.
        again = upload(logged_in(server.url, staff["volunteer"]), server.url, cut)
        assert again.status_code == 302, again.text[:2000]
        everything = rows_in + IMPORT_ROWS
        assert device_counts(engine) == (everything, everything, imported + 1)
        assert scalar(engine, "SELECT count(DISTINCT asset_tag) FROM devices") == everything
    finally:
        server.stop()
        engine.dispose()
    assert_database_intact(create_engine(database))


# --- (b) issuing loans --------------------------------------------------------------------


def make_lendable(count: int):
    def build() -> dict:
        from tests.households.factories import make_household
        from tests.loans.factories import make_device

        staff = make_staff()
        devices = [make_device(state="ready", commit=False).asset_tag for _ in range(count)]
        households = [make_household(commit=False).code for _ in range(count)]
        return staff | {"pairs": list(zip(devices, households, strict=True))}

    return build


def test_killing_the_worker_while_issuing_loans_leaves_no_loan_without_its_device(
    database, tmp_path
):
    made = prepare(database, make_lendable(LOANS))
    server = Gunicorn(database, tmp_path / "gunicorn.log")
    engine = create_engine(database)
    headers = {"Authorization": f"Bearer {made['token']}"}
    pending = list(made["pairs"])
    acknowledged: list[int] = []
    refused: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    try:
        worker = server.wait_ready()

        def issue_until_stopped() -> None:
            while not stop.is_set():
                with lock:
                    if not pending:
                        return
                    device, household = pending.pop()
                try:
                    response = requests.post(
                        server.url + "/api/v1/loans",
                        json={"device": device, "household": household, "kind": "loan"},
                        headers=headers,
                        timeout=30,
                    )
                except requests.RequestException:
                    return  # cut off by the kill: its outcome is what we check below
                with lock:
                    if response.status_code == 201:
                        acknowledged.append(response.json()["id"])
                    else:
                        refused.append(f"{response.status_code} {response.text[:300]}")

        desks = [threading.Thread(target=issue_until_stopped) for _ in range(6)]
        for desk in desks:
            desk.start()
        while len(acknowledged) < LOANS // 3 and any(d.is_alive() for d in desks):
            time.sleep(0.005)
        os.kill(worker, signal.SIGKILL)  # with loans in flight on several threads
        stop.set()
        for desk in desks:
            desk.join(timeout=60)
        assert refused == []
        assert 0 < len(acknowledged) < LOANS, "the kill came before or after all the loans"

        server.wait_ready(not_worker=worker)
        loans = {row.id: row for row in rows(engine, "SELECT id, device_id, closed_at FROM loans")}
        # Every loan that was acknowledged survived the kill.
        assert set(acknowledged) <= set(loans)
        # Rule 2 and the device state agree, both ways.
        on_loan = {r.id for r in rows(engine, "SELECT id FROM devices WHERE state = 'on_loan'")}
        open_loans = [loan.device_id for loan in loans.values() if loan.closed_at is None]
        assert sorted(open_loans) == sorted(on_loan)
        ready = scalar(engine, "SELECT count(*) FROM devices WHERE state = 'ready'")
        assert ready + len(on_loan) == LOANS
        # The event log tells the same story: one 'issued' and one state change per loan.
        issued = {
            int(r.subject_id)
            for r in rows(engine, "SELECT subject_id FROM events WHERE verb = 'loan.issued'")
        }
        assert issued == set(loans)
        changed = {
            int(r.subject_id)
            for r in rows(
                engine,
                "SELECT subject_id FROM events WHERE verb = 'device.state_changed' "
                "AND subject_type = 'devices'",
            )
        }
        assert changed == on_loan
        assert_database_intact(engine)

        # The devices that were not lent before the kill can be lent now.
        left = [pair for pair in made["pairs"] if pair not in _lent_pairs(engine)]
        for device, household in left[:3]:
            response = requests.post(
                server.url + "/api/v1/loans",
                json={"device": device, "household": household, "kind": "loan"},
                headers=headers,
                timeout=30,
            )
            assert response.status_code == 201, response.text
    finally:
        stop.set()
        server.stop()
        engine.dispose()
    assert_database_intact(create_engine(database))


def _lent_pairs(engine) -> set[tuple[str, str]]:
    return {
        (r.asset_tag, r.code)
        for r in rows(
            engine,
            "SELECT d.asset_tag, h.code FROM loans l JOIN devices d ON d.id = l.device_id "
            "JOIN households h ON h.id = l.household_id",
        )
    }
