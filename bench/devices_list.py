"""Benchmark: the device list (page and API) at 100,000 devices, against the raw SQL.

Run as ``python bench/devices_list.py`` (SQLite in a temporary file, or DATABASE_URL).
For each list (first page, a page deep in the keyset, a state queue, a text search) it
times (a) GET /api/v1/devices, (b) GET /devices/ (HTML), and (c) the same SELECT with the
donor and location joins run directly on the connection. It also counts the SQL
statements per request, to show there is no N+1. Goal: p95 <= 25 ms and <= 2x raw SQL.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import READY_TO_LEND_SQL, figure, seed_evidence, temporary_database, timings_ms  # noqa: E402


def cpu_ms(run, repeats: int) -> float:
    """Median CPU time of this process per call: what the code costs, minus waiting for a
    busy machine's CPU (wall-clock figures on a shared box include that wait)."""
    samples = []
    for _ in range(repeats):
        start = time.process_time()
        run()
        samples.append((time.process_time() - start) * 1000)
    samples.sort()
    return samples[len(samples) // 2]


DEVICES = 100_000
DONORS = 500
REPEATS = 60
CHUNK = 20_000
PAGE = 50

MODELS = [
    ("Lenovo", "ThinkPad T480"), ("Lenovo", "ThinkPad L390"), ("HP", "EliteBook 840 G5"),
    ("HP", "ProBook 450 G6"), ("Dell", "Latitude 5490"), ("Dell", "Latitude 7400"),
    ("Apple", "MacBook Air 2017"), ("Acer", "Aspire 5"), ("Fujitsu", "Esprimo D538"),
    ("Samsung", "Galaxy Tab A7"),
]  # fmt: skip
STATES = {
    "intake": 3, "wiping": 2, "wiped": 2, "software": 2, "qc": 2, "ready": 8, "on_loan": 40,
    "returned": 3, "repair": 2, "parts": 3, "recycled": 20, "lost": 2, "gifted": 11,
}  # fmt: skip

RAW = """
SELECT devices.*, donors.*, locations.*
FROM devices
LEFT OUTER JOIN donors ON donors.id = devices.donor_id
LEFT OUTER JOIN locations ON locations.id = devices.location_id
WHERE {where}
ORDER BY devices.id {order}
LIMIT 51
"""


def fill() -> None:
    from sqlalchemy import insert

    from uitleen.devices.models import Device, Donor
    from uitleen.extensions import db
    from uitleen.settings.models import Location

    rng = random.Random(42)
    now = datetime.now(UTC)
    db.session.execute(insert(Location), [{"id": n, "name": f"Locatie {n}"} for n in range(1, 4)])
    db.session.execute(
        insert(Donor),
        [
            {"id": n, "name": f"Gever {n}", "is_organisation": n % 5 == 0, "created_at": now}
            for n in range(1, DONORS + 1)
        ],
    )
    states, weights = zip(*STATES.items(), strict=True)
    for start in range(1, DEVICES + 1, CHUNK):
        rows = []
        for n in range(start, min(start + CHUNK, DEVICES + 1)):
            make, model = rng.choice(MODELS)
            created = now - timedelta(days=rng.random() * 700)
            rows.append(
                {
                    "id": n, "asset_tag": f"UIT-{n:05d}", "public_token": f"T{n:025d}",
                    "kind": "laptop", "make": make, "model": model,
                    "serial": f"{make[:2].upper()}{rng.randrange(16**8):08X}",
                    "cpu": "Intel Core i5", "ram_gb": 8, "storage_gb": 256, "storage_type": "ssd",
                    "os_licence": "", "condition_grade": "B", "condition_notes": "", "notes": "",
                    "donor_id": rng.randint(1, DONORS), "location_id": rng.randint(1, 3),
                    "state": rng.choices(states, weights)[0], "state_changed_at": created,
                    "cycle_started_at": created, "created_at": created,
                }
            )  # fmt: skip
        db.session.execute(insert(Device), rows)
        seed_evidence(rows)
    db.session.commit()


CASES = [
    # name, query string, raw WHERE, raw ORDER
    ("first page", "", "1=1", "DESC"),
    ("deep page", "after=50000", "devices.id < 50000", "DESC"),
    ("ready queue", "state=ready&order=asc", READY_TO_LEND_SQL, "ASC"),
    (
        "search 'latitude'",
        "q=latitude",
        "(devices.asset_tag = 'LATITUDE' OR devices.serial LIKE 'LATITUDE%' "
        "OR lower(devices.make) LIKE 'latitude%' OR lower(devices.model) LIKE '%latitude%')",
        "DESC",
    ),
]


def main(quick: bool = False) -> dict:
    from sqlalchemy import event, text

    from uitleen import create_app
    from uitleen.auth import service as auth
    from uitleen.extensions import db

    global DEVICES
    if quick:
        DEVICES = 5_000
    repeats = 10 if quick else REPEATS
    figures, table = [], []
    with temporary_database("devices_list") as url:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "bench",
             "WTF_CSRF_ENABLED": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
             "RATELIMIT_ENABLED": False}
        )  # fmt: skip
        with app.app_context():
            db.drop_all()
            db.create_all()
            started = time.perf_counter()
            fill()
            fill_s = time.perf_counter() - started
            user = auth.create_user(None, "v@bench.nl", "V", "volunteer", "bench-password")
            token = auth.create_token(None, user, "bench")
            db.session.commit()
            if db.engine.dialect.name == "sqlite":
                db.session.execute(text("ANALYZE"))
                db.session.commit()
            session_id = user.get_id()
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = session_id
                session["_fresh"] = True
            headers = {"Authorization": f"Bearer {token}"}

            statements = [0]

            @event.listens_for(db.engine, "before_cursor_execute")
            def count(*_args):
                statements[0] += 1

            for name, qs, where, order in CASES:
                limit = f"limit={PAGE}" + (f"&{qs}" if qs else "")

                def api(limit=limit):
                    response = client.get(f"/api/v1/devices?{limit}", headers=headers)
                    assert response.status_code == 200, response.status_code
                    db.session.remove()

                def page(qs=qs):
                    response = client.get(f"/devices/?{qs}")
                    assert response.status_code == 200, response.status_code
                    db.session.remove()

                sql = text(RAW.format(where=where, order=order))

                def raw(sql=sql):
                    with db.engine.connect() as connection:
                        connection.execute(sql).all()

                statements[0] = 0
                api()
                api_statements = statements[0]
                statements[0] = 0
                page()
                page_statements = statements[0]
                t_raw = timings_ms(raw, repeats)
                t_api = timings_ms(api, repeats)
                t_page = timings_ms(page, repeats)
                cpu = (cpu_ms(api, repeats), cpu_ms(page, repeats), cpu_ms(raw, repeats))
                table.append((name, t_api, t_page, t_raw, api_statements, page_statements, cpu))
                figures.append(
                    figure(f"device list API p95, {name}", round(t_api["p95"], 2), "ms",
                           baseline=round(t_raw["p95"], 2), goal="<= 25", ratio_goal="<= 2")
                )  # fmt: skip
                figures.append(
                    figure(f"device list page p95, {name}", round(t_page["p95"], 2), "ms",
                           baseline=round(t_raw["p95"], 2), goal="<= 25", ratio_goal="<= 2")
                )  # fmt: skip

            def floor():
                response = client.get("/api/v1/me", headers=headers)
                assert response.status_code == 200
                db.session.remove()

            t_floor = timings_ms(floor, repeats)
            cpu_floor = cpu_ms(floor, repeats)
            event.remove(db.engine, "before_cursor_execute", count)
            dialect = db.engine.dialect.name
            db.session.remove()
            db.engine.dispose()

    print(f"{DEVICES:,} devices on {dialect} (filled in {fill_s:.1f} s), {repeats} runs each")
    print(f"{'list':<20} {'API med/p95':>14} {'page med/p95':>14} {'raw SQL med/p95':>16} "
          f"{'SQL/API':>8} {'SQL/page':>9}   CPU ms API/page/raw")  # fmt: skip
    for name, t_api, t_page, t_raw, n_api, n_page, cpu in table:
        print(
            f"{name:<20} {t_api['median']:6.1f}/{t_api['p95']:6.1f} "
            f"{t_page['median']:6.1f}/{t_page['p95']:6.1f} "
            f"{t_raw['median']:7.2f}/{t_raw['p95']:7.2f} {n_api:>8} {n_page:>9}"
            f"   {cpu[0]:.1f}/{cpu[1]:.1f}/{cpu[2]:.2f}"
        )
    print(
        f"{'floor: GET /api/v1/me':<20} {t_floor['median']:6.1f}/{t_floor['p95']:6.1f}"
        f"{'':>59}{cpu_floor:.1f}  (token check + Flask, no device query)"
    )
    figures.append(figure("API floor p95 (GET /api/v1/me)", round(t_floor["p95"], 2), "ms"))
    return {"figures": figures, "devices": DEVICES, "database": dialect}


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
