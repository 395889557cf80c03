"""Benchmark: bulk intake of 10,000 and 100,000 CSV rows: seconds and peak memory.

Run as ``python bench/devices_import.py`` (SQLite in a temporary file, or DATABASE_URL).
Each size runs in its own process so its peak RSS is its own; the baseline is the same
process's peak RSS right before the import (the app and libraries loaded), so the
difference is what the import itself holds. It also times making one QR matrix, which is
why the import leaves them to the first label print. Goal: 10,000 rows <= 5 s.
"""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import figure, peak_rss_mb, temporary_database  # noqa: E402

SIZES = (10_000, 100_000)
MODELS = [
    ("laptop", "Lenovo", "ThinkPad T480", "Intel Core i5-8350U", 8, 256, "ssd", 14),
    ("laptop", "HP", "EliteBook 840 G5", "Intel Core i5-8250U", 16, 512, "nvme", 14),
    ("laptop", "Dell", "Latitude 5490", "Intel Core i5-8350U", 8, 256, "ssd", 14),
    ("desktop", "Fujitsu", "Esprimo D538", "Intel Core i5-8400", 8, 500, "hdd", ""),
    ("tablet", "Samsung", "Galaxy Tab A7", "Unisoc T618", 3, 32, "emmc", 10.4),
]


def write_csv(path: Path, rows: int) -> None:
    from uitleen.devices.bulk import COLUMNS

    rng = random.Random(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for n in range(rows):
            kind, make, model, cpu, ram, storage, type_, screen = rng.choice(MODELS)
            writer.writerow(
                ["", kind, make, model, f"{make[:2].upper()}{n:09d}", cpu, ram, storage, type_,
                 rng.randrange(50, 100), screen, "", rng.choice("ABC"), "",
                 f"Bedrijf {n % 200}", "ja", "ja" if n % 2 else "nee", "Werkplaats", ""]
            )  # fmt: skip


def one(rows: int) -> dict:
    """Import `rows` rows into a fresh database in this process."""
    from uitleen import create_app
    from uitleen.devices import bulk, service
    from uitleen.extensions import db
    from uitleen.settings import service as settings

    with tempfile.TemporaryDirectory() as directory, temporary_database("import") as url:
        path = Path(directory) / "devices.csv"
        write_csv(path, rows)
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "bench",
             "UITLEEN_BASE_URL": "https://hulp.uitleen.nl"}
        )  # fmt: skip
        with app.app_context():
            db.drop_all()
            db.create_all()
            settings.create_location(None, "Werkplaats")
            db.session.commit()
            started = time.perf_counter()
            for _ in range(20):
                service.qr_matrix_for(service.new_public_token())
            qr_ms = (time.perf_counter() - started) / 20 * 1000
            before = peak_rss_mb()
            started, cpu_started = time.perf_counter(), time.process_time()
            count = bulk.import_rows(None, bulk.opener(path))
            db.session.commit()
            seconds = time.perf_counter() - started
            cpu_seconds = time.process_time() - cpu_started
            assert count == rows
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
    return {"rows": rows, "seconds": seconds, "cpu_seconds": cpu_seconds, "rss_before": before,
            "rss_peak": peak_rss_mb(), "qr_ms": qr_ms}  # fmt: skip


def main(quick: bool = False) -> dict:
    sizes = (1_000, 5_000) if quick else SIZES
    results = []
    for rows in sizes:
        output = subprocess.run(
            [sys.executable, __file__, "--one", str(rows)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results.append(json.loads(output.strip().splitlines()[-1]))
    print(
        f"{'rows':>8} {'seconds':>8} {'CPU s':>6} {'rows/s':>8} {'RSS before':>11} {'peak RSS':>9}"
    )
    for r in results:
        print(
            f"{r['rows']:>8,} {r['seconds']:>8.2f} {r['cpu_seconds']:>6.2f} "
            f"{r['rows'] / r['seconds']:>8,.0f} {r['rss_before']:>9.0f}MB {r['rss_peak']:>7.0f}MB"
        )
    qr_ms = results[0]["qr_ms"]
    print(
        f"one QR matrix: {qr_ms:.1f} ms, so {sizes[-1]:,} would add "
        f"{qr_ms * sizes[-1] / 1000:,.0f} s; made at the first label print instead"
    )
    small, large = results[0], results[-1]
    return {
        "figures": [
            figure(f"import {small['rows']:,} rows", round(small["seconds"], 2), "s",
                   goal="<= 5" if small["rows"] == 10_000 else None),
            figure(f"import {small['rows']:,} rows, CPU time", round(small["cpu_seconds"], 2), "s"),
            figure(f"import {large['rows']:,} rows", round(large["seconds"], 2), "s"),
            figure(f"import {large['rows']:,} rows peak RSS", round(large["rss_peak"], 1), "MB",
                   baseline=round(small["rss_peak"], 1), ratio_goal="<= 1.5"),
            figure("QR matrix per device", round(qr_ms, 1), "ms"),
        ]
    }  # fmt: skip


if __name__ == "__main__":
    if "--one" in sys.argv:
        print(json.dumps(one(int(sys.argv[sys.argv.index("--one") + 1]))))
    else:
        main(quick="--quick" in sys.argv)
