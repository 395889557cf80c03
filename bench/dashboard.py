"""Benchmark: the coordinator dashboard with 100,000 devices and 1,000,000 events.

Run as ``python bench/dashboard.py`` (SQLite in a temporary file, or DATABASE_URL).
Measures (a) the figures alone (reports.service.dashboard), (b) the whole page, GET
/dashboard with both SVG charts rendered, against (c) the same aggregate queries as raw
SQL on the same connection: the floor any implementation pays. Goal: page median < 200 ms.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import READY_TO_LEND_SQL, figure, percentile, seed_evidence, temporary_database  # noqa: E402

DEVICES = 100_000
EVENTS = 1_000_000
LOANS = 60_000
HOUSEHOLDS = 30_000
BATCHES = 12
VOUCHERS_PER_BATCH = 2_000
HELP_REQUESTS = 10_000
REPEATS = 30
CHUNK = 50_000

STATE_WEIGHTS = {
    "intake": 3, "wiping": 2, "wiped": 2, "software": 2, "qc": 2, "ready": 8, "on_loan": 40,
    "returned": 3, "repair": 2, "parts": 3, "recycled": 20, "lost": 2, "gifted": 11,
}  # fmt: skip

# Recommended indexes (not in the models yet): each month's count becomes a short
# index range scan. The bench measures the page without and then with them.
INDEXES = [
    "CREATE INDEX ix_devices_created_at ON devices (created_at)",
    "CREATE INDEX ix_loans_issued_at ON loans (issued_at)",
    "CREATE INDEX ix_loans_returned_at ON loans (returned_at)",
]


def month_counts_sql(table: str, column: str) -> str:
    """Twelve range counts in one statement, the same shape the service sends."""
    parts = [
        f"(SELECT count(*) FROM {table} WHERE {column} >= :b{i} AND {column} < :b{i + 1})"  # noqa: S608
        for i in range(12)
    ]
    return "SELECT " + ", ".join(parts)


RAW_SQL = [
    "SELECT state, count(*) FROM devices GROUP BY state",
    month_counts_sql("devices", "created_at"),
    month_counts_sql("loans", "issued_at"),
    month_counts_sql("loans", "returned_at"),
    "SELECT count(*), count(*) FILTER (WHERE due_date < :today) FROM loans WHERE closed_at IS NULL",
    "SELECT b.id, count(v.id) FILTER (WHERE v.status = 'available'), count(v.id) "
    "FROM voucher_batches b LEFT JOIN vouchers v ON v.batch_id = b.id "
    "WHERE b.expires_on >= :today GROUP BY b.id",
    "SELECT status, count(*) FROM help_requests WHERE status IN ('new', 'in_progress') "
    "GROUP BY status",
    # "Ready" on the dashboard is what can really be lent (lifecycle.ready_to_lend): state
    # ready, the newest wipe evidence passed, a passed check, both since the last return.
    "SELECT count(*) FROM devices WHERE " + READY_TO_LEND_SQL,  # noqa: S608 (constant text)
]


def timings_ms(run, repeats: int, warmup: int = 3) -> dict:
    """Median and p95 wall time, and median CPU time of this process, in milliseconds.

    SQLite and the page run in this process, so CPU time is the work itself; it stays
    meaningful on a machine busy with other jobs, where wall time does not.
    """
    for _ in range(warmup):
        run()
    wall, cpu = [], []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        run()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return {
        "median": statistics.median(wall),
        "p95": percentile(wall, 0.95),
        "cpu_median": statistics.median(cpu),
    }


def chunks(rows, size=CHUNK):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def fill(scale: float) -> dict:
    """Insert the data set with Core executemany; returns the sizes used."""
    from sqlalchemy import insert

    from uitleen.audit.models import Event
    from uitleen.devices.models import Device
    from uitleen.extensions import db
    from uitleen.helpdesk.models import HelpRequest
    from uitleen.households.models import Household
    from uitleen.loans.models import Loan
    from uitleen.vouchers.models import Voucher, VoucherBatch

    rng = random.Random(42)
    now = datetime.now(UTC)
    n_devices, n_events = int(DEVICES * scale), int(EVENTS * scale)
    n_loans, n_households = int(LOANS * scale), int(HOUSEHOLDS * scale)
    states, weights = zip(*STATE_WEIGHTS.items(), strict=True)

    def ago(max_days: int) -> datetime:
        return now - timedelta(days=rng.random() * max_days)

    def devices():
        for n in range(1, n_devices + 1):
            created = ago(730)
            yield {
                "id": n, "asset_tag": f"UIT-{n:06d}", "public_token": f"T{n:031d}",
                "state": rng.choices(states, weights)[0], "created_at": created,
                "state_changed_at": created, "cycle_started_at": created,
            }  # fmt: skip

    for batch in chunks(devices()):
        db.session.execute(insert(Device), batch)
        seed_evidence(batch)
    db.session.execute(
        insert(Household),
        [
            {"id": n, "code": f"HH-{n:06d}", "language": rng.choice(["nl", "ar", "tr", "uk"]),
             "referral_partner": rng.choice(["School", "Taalles", "Schuldhulp"]),
             "created_at": ago(730)}
            for n in range(1, n_households + 1)
        ],
    )  # fmt: skip

    def loans():
        for n in range(1, n_loans + 1):
            issued = ago(700)
            closed = issued + timedelta(days=rng.randint(30, 400))
            is_open = closed > now or n % 3 == 0
            yield {
                "id": n, "device_id": n, "household_id": rng.randint(1, n_households),
                "issued_at": issued, "due_date": (issued + timedelta(days=365)).date(),
                "returned_at": None if is_open else closed,
                "closed_at": None if is_open else closed,
                "outcome": None if is_open else "returned",
            }  # fmt: skip

    for batch in chunks(loans()):
        db.session.execute(insert(Loan), batch)
    for b in range(1, BATCHES + 1):
        db.session.execute(
            insert(VoucherBatch),
            [{"id": b, "provider": f"Provider {b % 3}", "product": "6 maanden",
              "expires_on": date.today() + timedelta(days=30 * b)}],
        )  # fmt: skip
        db.session.execute(
            insert(Voucher),
            [
                {"batch_id": b, "code": f"V{b:02d}-{n:06d}",
                 "status": "available" if n > b * 150 else "assigned"}
                for n in range(int(VOUCHERS_PER_BATCH * scale))
            ],
        )  # fmt: skip
    db.session.execute(
        insert(HelpRequest),
        [
            {"device_id": rng.randint(1, n_devices), "category": "no_internet",
             "status": rng.choice(["new", "in_progress", "done", "done", "done"]),
             "created_at": ago(365)}
            for _n in range(int(HELP_REQUESTS * scale))
        ],
    )  # fmt: skip
    verbs = ["device.created", "device.state_changed", "wipe.recorded", "loan.issued"]

    def events():
        for _n in range(n_events):
            yield {
                "at": ago(730), "actor_name": "bench", "verb": rng.choice(verbs),
                "subject_type": "devices", "subject_id": str(rng.randint(1, n_devices)),
                "data": {"source": "ready", "target": "on_loan"},
            }  # fmt: skip

    for batch in chunks(events()):
        db.session.execute(insert(Event), batch)
    db.session.commit()
    return {"devices": n_devices, "events": n_events, "loans": n_loans}


def main(quick: bool = False) -> dict:
    from sqlalchemy import text

    from uitleen import create_app
    from uitleen.auth import service as auth
    from uitleen.extensions import db
    from uitleen.reports import service

    scale = 0.05 if quick else 1.0
    repeats = 5 if quick else REPEATS
    with temporary_database("dashboard") as url:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "bench",
             "WTF_CSRF_ENABLED": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
        )  # fmt: skip
        with app.app_context():
            db.drop_all()
            db.create_all()
            started = time.perf_counter()
            sizes = fill(scale)
            fill_s = time.perf_counter() - started
            user = auth.create_user(None, "c@bench.nl", "C", "coordinator", "bench-password")
            db.session.commit()
            session_id = user.get_id()
            db.session.execute(text("ANALYZE"))
            db.session.commit()
            dialect = db.engine.dialect.name
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = session_id

        def figures_only():
            with app.test_request_context("/dashboard"):  # a GET: no write lock taken
                return service.dashboard()

        def page():
            response = client.get("/dashboard")
            assert response.status_code == 200, response.status_code
            return response

        today = date.today()
        starts = service.month_starts(today)
        following = date(today.year + today.month // 12, today.month % 12 + 1, 1)
        params: dict = {"today": today}
        for i, day in enumerate([*starts, following]):
            params[f"b{i}"] = datetime.combine(day, datetime.min.time(), UTC)
        queries = [text(q) for q in RAW_SQL]

        def baseline():
            with app.test_request_context("/dashboard"), db.engine.connect() as conn:
                for query in queries:
                    conn.execute(query, params).all()

        def measure() -> tuple[dict, dict, dict]:
            return (
                timings_ms(baseline, repeats),
                timings_ms(figures_only, repeats),
                timings_ms(page, repeats),
            )

        # The schema has these indexes; drop them once to show what they are worth.
        with app.app_context(), db.engine.begin() as conn:
            for ddl in INDEXES:
                conn.execute(text("DROP INDEX " + ddl.split()[2]))
        _raw, _ours, before = measure()
        with app.app_context(), db.engine.begin() as conn:
            for ddl in INDEXES:
                conn.execute(text(ddl))
            conn.execute(text("ANALYZE"))
        raw, ours, full = measure()
        html = page().get_data(as_text=True)
        with app.app_context():
            if dialect == "postgresql":
                db.drop_all()
            db.engine.dispose()
    result = {
        "database": dialect,
        **sizes,
        "fill_s": round(fill_s, 1),
        "svg_charts": html.count("<svg"),
        "raw_sql_median_ms": round(raw["median"], 1),
        "raw_sql_p95_ms": round(raw["p95"], 1),
        "figures_median_ms": round(ours["median"], 1),
        "figures_p95_ms": round(ours["p95"], 1),
        "page_median_ms": round(full["median"], 1),
        "page_p95_ms": round(full["p95"], 1),
        "page_cpu_median_ms": round(full["cpu_median"], 1),
        "raw_sql_cpu_median_ms": round(raw["cpu_median"], 1),
        "figures_cpu_median_ms": round(ours["cpu_median"], 1),
        "page_without_indexes_cpu_median_ms": round(before["cpu_median"], 1),
        "load_average": round(os.getloadavg()[0], 1),
        "page_without_indexes_median_ms": round(before["median"], 1),
        "page_without_indexes_p95_ms": round(before["p95"], 1),
        "figures": [
            figure(
                "dashboard page median",
                round(full["median"], 1),
                "ms",
                baseline=round(raw["median"], 1),
                goal="< 200",
            ),
            figure(
                "dashboard page p95", round(full["p95"], 1), "ms", baseline=round(raw["p95"], 1)
            ),
            figure(
                "dashboard figures median",
                round(ours["median"], 1),
                "ms",
                baseline=round(raw["median"], 1),
                ratio_goal="<= 1.5",
            ),
        ],  # fmt: skip
    }
    return result


def print_table(result: dict) -> None:
    print(
        f"dashboard on {result['database']}: {result['devices']:,} devices, "
        f"{result['events']:,} events, {result['loans']:,} loans "
        f"(filled in {result['fill_s']} s; load average {result['load_average']})"
    )
    print(f"{'':34}{'median ms':>11}{'p95 ms':>9}{'CPU ms':>9}")
    for label, key in (
        ("page, without recommended indexes", "page_without_indexes"),
        ("raw SQL (same aggregates) *", "raw_sql"),
        ("figures (service.dashboard) *", "figures"),
        ("page GET /dashboard *", "page"),
    ):
        print(
            f"{label:34}{result[key + '_median_ms']:>11}{result[key + '_p95_ms']:>9}"
            f"{result[key + '_cpu_median_ms']:>9}"
        )
    print("* the schema's indexes for monthly counts: " + "; ".join(INDEXES))
    goal = "met" if result["page_median_ms"] < 200 else "MISSED"
    print(f"goal: page median < 200 ms ({goal}); CPU median {result['page_cpu_median_ms']} ms")


if __name__ == "__main__":
    print_table(main(quick="--quick" in sys.argv))
