"""Benchmark: 1,000 workbench-script snapshots through the API, on SQLite and PostgreSQL.

Run as ``python bench/snapshots.py`` or ``bench/run snapshots``. Each snapshot is the public
Dell sample (tests/devices/samples/snapshots) with its own uuid, system serial and disk
serials, so each one registers a new device, as a morning of intake would. Every POST
carries workbench-script's headers. The baseline, in the same run and database, is the
typed intake: POST /api/v1/devices with the same make, model, serial and specs.
PostgreSQL runs when DATABASE_URL names it, in a database of its own that is dropped after.
Goals: per-snapshot p95 <= 200 ms, and at most 3x the typed intake's p95 (the two are sent
in turn, so both meet the same load on a shared machine). The total is the sum of the
snapshot requests' times.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, figure, percentile  # noqa: E402

SAMPLE = ROOT / "tests" / "devices" / "samples" / "snapshots" / "dell-latitude-e7240.snapshot.json"
COUNT = 1_000


def snapshots(count: int) -> list[bytes]:
    """`count` different laptops of the sample's kind, as workbench-script would send them."""
    template = json.loads(SAMPLE.read_text())
    disks = json.loads(template["data"]["smartctl"])
    bodies = []
    for n in range(count):
        snapshot = json.loads(json.dumps(template))
        snapshot["uuid"] = str(uuid.uuid4())
        serial = f"BN{n:05d}X"
        snapshot["data"]["dmidecode"] = template["data"]["dmidecode"].replace("5CQ6VY1", serial)
        for index, disk in enumerate(disks):
            disk["serial_number"] = f"DSK{n:06d}{index}"
        snapshot["data"]["smartctl"] = json.dumps(disks)
        bodies.append(json.dumps(snapshot).encode("utf-8"))
    return bodies


def typed(count: int) -> list[dict]:
    return [
        {"kind": "laptop", "make": "Dell", "model": "Latitude E7240", "serial": f"TY{n:05d}X",
         "cpu": "Intel Core i7-4600U CPU @ 2.10GHz", "ram_gb": 16, "storage_gb": 756,
         "storage_type": "ssd"}
        for n in range(count)
    ]  # fmt: skip


def databases():
    """(name, url): a SQLite file, and a new PostgreSQL database when DATABASE_URL names one."""
    with tempfile.TemporaryDirectory(prefix="uitleen-snapshots-") as directory:
        yield "sqlite", f"sqlite:///{directory}/bench.sqlite3"
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"uitleen_bench_snapshots_{os.getpid()}"
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield "postgresql", make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def run(url: str, count: int) -> dict:
    from uitleen import create_app
    from uitleen.auth import service as auth
    from uitleen.extensions import db

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "bench",
         "UITLEEN_BASE_URL": "https://uitleen.example.nl", "RATELIMIT_ENABLED": False}
    )  # fmt: skip
    with app.app_context():
        db.create_all()
        user = auth.create_user(None, "bench@uitleen.test", "Bench", "volunteer", "x" * 16)
        token = auth.create_token(None, user, "workbench")
        db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    auth_only = {"Authorization": headers["Authorization"]}

    def timed(send) -> float:
        start = time.perf_counter()
        answer = send()
        assert answer.status_code == 201, answer.get_data(as_text=True)[:300]
        return (time.perf_counter() - start) * 1000

    def snapshot(body):
        return lambda: client.post("/api/v1/devices/snapshots", data=body, headers=headers)

    def by_hand(data):
        return lambda: client.post("/api/v1/devices", json=data, headers=auth_only)

    for body, data in zip(snapshots(5), typed(5), strict=True):  # warm-up
        timed(snapshot(body))
        timed(by_hand(data | {"serial": "W" + data["serial"]}))
    # One snapshot, then one typed intake, in turn: both meet the same load on the machine.
    snap, hand = [], []
    for body, data in zip(snapshots(count), typed(count), strict=True):
        snap.append(timed(snapshot(body)))
        hand.append(timed(by_hand(data)))
    total = sum(snap) / 1000
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    return {
        "p95": percentile(snap, 0.95),
        "median": statistics.median(snap),
        "total": total,
        "typed_p95": percentile(hand, 0.95),
    }


def main(quick: bool = False) -> dict:
    count = 200 if quick else COUNT
    figures, plain = [], {"snapshots": count}
    for name, url in databases():
        result = run(url, count)
        print(
            f"{name:>10}: {count} snapshots took {result['total']:.1f} s, median "
            f"{result['median']:.1f} ms, p95 {result['p95']:.1f} ms "
            f"(typed intake p95 {result['typed_p95']:.1f} ms)"
        )
        figures += [
            figure(f"snapshot p95, {name}", round(result["p95"], 1), "ms",
                   baseline=round(result["typed_p95"], 1), goal="<= 200", ratio_goal="<= 3"),
            figure(f"{count} snapshots total, {name}", round(result["total"], 1), "s"),
        ]  # fmt: skip
    return {"figures": figures, **plain}


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
