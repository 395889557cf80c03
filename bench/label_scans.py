"""Decode rates of every label format under phone photos, and the trade-offs behind them.

Run as ``python bench/label_scans.py`` or ``bench/run label_scans``. The photos come from
tests/labels/photo.py (the robustness test's own degradation, fixed seed).

(a) each shipped format, codes as the app makes them, under a fair and a poor photo;
(b) the same label square holding the typical URL as version 2 at level L (what the app
    picks) against version 3 at level M (what it printed before), under the poor photo;
(c) the payload: which QR version the label URL needs by case and token length;
(d) calibration: a lone 30 mm version-3 code with its quiet zone (0.81 mm modules),
    which issue 15 saw decode about half the time under a poor photo.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import zxingcpp  # noqa: E402
from PIL import Image  # noqa: E402

from tests.labels import photo  # noqa: E402
from uitleen.labels import LabelContent, QrMatrix, available_formats, render_labels  # noqa: E402
from uitleen.qr import QUIET_ZONE, label_url, make_matrix  # noqa: E402

BASE_URL = "https://hulp.uitleen.nl"
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
HELP = "Hulp nodig? Scan mij"
PHONE = "020 123 4567"


def urls(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [label_url(BASE_URL, "".join(rng.choice(B32) for _ in range(20))) for _ in range(count)]


def forced(url: str, level: str, version: int) -> QrMatrix:
    """The URL at a given level and version, to compare with make_matrix's choice."""
    code = zxingcpp.create_barcode(
        url, zxingcpp.BarcodeFormat.QRCode, ec_level=level, version=version
    )
    image = code.to_image(scale=1, add_quiet_zones=False)
    size = image.shape[0]
    flat = bytes(image)
    return QrMatrix.from_rows([[flat[y * size + x] == 0 for x in range(size)] for y in range(size)])


def rate(fmt, links: list[str], matrices, shot) -> float:
    labels = [
        LabelContent(f"UIT-{n:05d}", url, matrix, HELP, PHONE)
        for n, (url, matrix) in enumerate(zip(links, matrices, strict=True), start=1)
    ]
    return photo.decode_rate(fmt, render_labels(fmt, labels), links, shot)


def lone_code_rate(count: int, side_mm: float, version: int, shot) -> float:
    """A code alone on a white square of side_mm (quiet zone included), as photographed."""
    rng = random.Random(f"lone-{side_mm}-{version}-{shot.name}")
    hits = 0
    for url in urls(count, seed=99):
        matrix = forced(url, "M", version)
        px = photo.RENDER_DPI / 25.4
        module = side_mm * px / (matrix.size + 2 * QUIET_ZONE)
        side = round(side_mm * px)
        image = Image.new("L", (side, side), 255)
        for row, column, length in matrix.dark_runs:
            x0 = round((column + QUIET_ZONE) * module)
            y0 = round((row + QUIET_ZONE) * module)
            x1 = round((column + length + QUIET_ZONE) * module)
            image.paste(0, (x0, y0, x1, round((row + 1 + QUIET_ZONE) * module)))
        margin = round(photo.SURROUND_MM * px)
        framed = Image.new("L", (side + 2 * margin, side + 2 * margin), photo.LID_GREY)
        framed.paste(image, (margin, margin))
        hits += photo.decodes(photo.photograph(framed, shot, rng), url)
    return hits / count


def payload_versions() -> list[dict]:
    """QR version of the label URL by case and token length (make_matrix's choice)."""
    rng = random.Random(7)
    rows = []
    for name, length, upper in [
        ("upper case, 20-character token (100 bits)", 20, True),
        ("upper case, 26-character token (128 bits)", 26, True),
        ("lower case, 20-character token (byte mode)", 20, False),
    ]:
        token = "".join(rng.choice(B32) for _ in range(length))
        url = label_url(BASE_URL, token)
        matrix = make_matrix(url if upper else url.lower())
        print(f"{name:<46} {len(url)} characters: version {matrix.version}")
        rows.append({"name": f"QR version, {name}", "value": matrix.version})
    return rows


def main(quick: bool = False) -> dict:
    figures = payload_versions()
    per_format = 20 if quick else 60
    print(f"{'format':<10}{'module mm':>10}{'fair':>7}{'poor':>7}{'poor v3-M':>11}")
    for fmt in available_formats():
        count = min(per_format, fmt.labels_per_page) if fmt.media == "sheet" else per_format // 2
        links = urls(count, seed=15)
        ours = [make_matrix(url) for url in links]
        fair = rate(fmt, links, ours, photo.FAIR)
        poor = rate(fmt, links, ours, photo.POOR)
        old = rate(fmt, links, [forced(url, "M", 3) for url in links], photo.POOR)
        module = fmt.module_mm(ours[0].size)
        print(f"{fmt.id:<10}{module:>10.2f}{fair:>7.0%}{poor:>7.0%}{old:>11.0%}")
        figures += [
            {"name": f"{fmt.id} fair photo decoded", "value": round(fair, 2), "goal": ">= 1"},
            {
                "name": f"{fmt.id} poor photo decoded (v2-L; baseline v3-M)",
                "value": round(poor, 2),
                "baseline": round(old, 2),
            },
        ]
    lone = lone_code_rate(20 if quick else 60, 30.0, 3, photo.POOR)
    print(f"lone 30 mm version-3 code, poor photo: {lone:.0%} (issue 15 saw about half)")
    figures.append(
        {"name": "lone 30 mm v3 code, poor photo (calibration)", "value": round(lone, 2)}
    )
    return {"figures": figures, "seed": 15}


if __name__ == "__main__":
    main()
