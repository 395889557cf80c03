"""Benchmark: 1,000 QR labels on Avery L7160 sheets, ours against the naive way.

Run as ``python bench/labels.py`` or ``bench/run labels``. main() returns the figures.

(a) our renderer with matrices read from bytes, as they come from the database (a reprint);
(b) our renderer making every matrix itself: a first print of devices never printed;
(c) naive: qrcode makes a PIL image per label and canvas.drawImage places it.

And the QR encoders per matrix, measured before choosing one: qrcode (what the app used),
segno and zxing-cpp's writer (what make_matrix uses now).
"""

from __future__ import annotations

import base64
import io
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import qrcode  # noqa: E402
import segno  # noqa: E402
import zxingcpp  # noqa: E402
from common import figure  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.lib.utils import ImageReader  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from uitleen.labels import (  # noqa: E402
    LabelContent,
    LabelFormat,
    QrMatrix,
    label_url,
    load_format,
    make_matrix,
    render_labels,
)

COUNT = 1000
FORMAT = "L7160"
BASE_URL = "https://hulp.uitleen.nl"
HELP = "Hulp nodig? Scan mij"
PHONE = "Bel 020 123 4567"
REPEATS = 3  # best of three for the fast variant; the slow ones run once


def tokens(count: int, seed: int = 2024) -> list[str]:
    """Label tokens like the app's (20 base32 characters), reproducible between runs."""
    rng = random.Random(seed)
    return [
        base64.b32encode(rng.getrandbits(100).to_bytes(13, "big")).decode()[:20]
        for _ in range(count)
    ]


def encoder_ms(urls: list[str]) -> dict[str, float]:
    """Milliseconds per matrix for each encoder, smallest version, alphanumeric URLs."""

    def with_qrcode(url: str) -> object:
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=0)
        code.add_data(url)
        code.make(fit=True)
        return code.get_matrix()

    def with_segno(url: str) -> object:
        return segno.make_qr(url, error="l").matrix

    def with_zxing(url: str) -> object:
        code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="L")
        return bytes(code.to_image(scale=1, add_quiet_zones=False))

    timings = {}
    for name, encode in [
        ("qrcode", with_qrcode),
        ("segno", with_segno),
        ("zxing-cpp", with_zxing),
        ("make_matrix (zxing-cpp, level chosen, packed)", make_matrix),
    ]:
        start = time.perf_counter()
        for url in urls:
            encode(url)
        timings[name] = (time.perf_counter() - start) / len(urls) * 1000
    return timings


def naive_pdf(fmt: LabelFormat, labels: list[LabelContent]) -> bytes:
    """The straightforward way: a raster QR image per label, placed with drawImage."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(fmt.page_width_mm * mm, fmt.page_height_mm * mm))
    size = fmt.layout.qr_size_mm * mm
    for index, label in enumerate(labels):
        position = index % fmt.labels_per_page + 1
        if index and position == 1:
            canvas.showPage()
        left, top, _, height = fmt.cell(position)
        x = (left + fmt.padding_x_mm) * mm
        y = (fmt.page_height_mm - top - height) * mm + (height * mm - size) / 2
        image = qrcode.make(label.url, error_correction=qrcode.constants.ERROR_CORRECT_M)
        canvas.drawImage(ImageReader(image.get_image()), x, y, size, size)
        canvas.setFont("Helvetica-Bold", fmt.layout.tag_font_pt)
        canvas.drawString(x + size + 1 * mm, y + size * 0.6, label.tag)
        canvas.setFont("Helvetica", fmt.layout.help_font_pt)
        canvas.drawString(x + size + 1 * mm, y + size * 0.4, label.help_text)
        canvas.drawString(x + size + 1 * mm, y + size * 0.25, label.phone_text)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def timed(function: Callable[[], bytes], repeats: int = 1) -> tuple[float, bytes]:
    """Best wall time in seconds over the repeats, and the last result."""
    best, result = float("inf"), b""
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def accelerated() -> bool:
    """Whether reportlab's optional C accelerator (rl_accel) is installed."""
    try:
        import _rl_accel  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> dict:
    fmt = load_format(FORMAT)
    urls = [label_url(BASE_URL, token) for token in tokens(COUNT)]
    stored = [make_matrix(url).to_bytes() for url in urls]  # done once, at token creation
    render_labels(fmt, [LabelContent("UIT-00000", urls[0], None, HELP, PHONE)])  # warm fonts

    def ours_precomputed() -> bytes:
        labels = [
            LabelContent(f"UIT-{n:05d}", url, QrMatrix.from_bytes(blob), HELP, PHONE)
            for n, (url, blob) in enumerate(zip(urls, stored, strict=True), start=1)
        ]
        return render_labels(fmt, labels)

    def ours_making_matrices() -> bytes:
        labels = [
            LabelContent(f"UIT-{n:05d}", url, None, HELP, PHONE)
            for n, url in enumerate(urls, start=1)
        ]
        return render_labels(fmt, labels)

    def naive() -> bytes:
        labels = [
            LabelContent(f"UIT-{n:05d}", url, None, HELP, PHONE)
            for n, url in enumerate(urls, start=1)
        ]
        return naive_pdf(fmt, labels)

    seconds_a, pdf_a = timed(ours_precomputed, REPEATS)
    seconds_b, pdf_b = timed(ours_making_matrices, REPEATS)
    seconds_c, pdf_c = timed(naive)
    encoders = encoder_ms(urls[:300])
    figures = {
        "labels": COUNT,
        "format": FORMAT,
        "pages": -(-COUNT // fmt.labels_per_page),
        "rl_accel": accelerated(),
        "ours_precomputed_s": round(seconds_a, 3),
        "ours_precomputed_bytes": len(pdf_a),
        "ours_making_matrices_s": round(seconds_b, 3),
        "ours_making_matrices_bytes": len(pdf_b),
        "naive_s": round(seconds_c, 3),
        "naive_bytes": len(pdf_c),
        "speedup_precomputed_vs_naive": round(seconds_c / seconds_a, 1),
        "speedup_making_matrices_vs_naive": round(seconds_c / seconds_b, 1),
        "matrix_bytes_each": len(stored[0]),
    }
    print_table(figures)
    for name, ms in encoders.items():
        print(f"matrix with {name:<46}{ms:>7.3f} ms")
    return {
        "labels": COUNT,
        "format": FORMAT,
        "rl_accel": figures["rl_accel"],
        "figures": [
            figure(
                "first print: 1,000 labels, matrices made (naive baseline)",
                figures["ours_making_matrices_s"],
                "s",
                baseline=figures["naive_s"],
                goal="<= 1.5",
                ratio_goal="<= 0.25",
            ),
            figure(
                "reprint: 1,000 labels, matrices stored (naive baseline)",
                figures["ours_precomputed_s"],
                "s",
                baseline=figures["naive_s"],
            ),
            *[
                figure(
                    f"one matrix with {name} (qrcode baseline)",
                    round(ms, 3),
                    "ms",
                    baseline=round(encoders["qrcode"], 3),
                )
                for name, ms in encoders.items()
                if name != "qrcode"
            ],
            figure("stored matrix size", figures["matrix_bytes_each"], "bytes"),
        ],
    }


def print_table(figures: dict) -> None:
    print(
        f"{figures['labels']} labels on {figures['format']} ({figures['pages']} pages), "
        f"rl_accel {'on' if figures['rl_accel'] else 'off'}"
    )
    print(f"{'variant':<34}{'seconds':>9}{'PDF KB':>9}{'naive / this':>14}")
    rows = [
        ("(a) ours, matrices precomputed", "ours_precomputed"),
        ("(b) ours, making matrices", "ours_making_matrices"),
        ("(c) naive qrcode → PIL → drawImage", "naive"),
    ]
    for title, key in rows:
        seconds = figures[f"{key}_s"]
        ratio = figures["naive_s"] / seconds
        print(f"{title:<34}{seconds:>9.3f}{figures[f'{key}_bytes'] / 1024:>9.0f}{ratio:>13.1f}x")


if __name__ == "__main__":
    main()
