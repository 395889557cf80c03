"""Read the QR codes back out of a label PDF, page by page and cell by cell."""

import re

import pypdfium2 as pdfium
import zxingcpp

from uitleen.labels.formats import LabelFormat

DPI = 150
URL = re.compile(r"^HTTPS?://", re.IGNORECASE)


def decode_cells(fmt: LabelFormat, pdf: bytes, pages: int | None = None) -> list[dict[int, str]]:
    """{cell position: decoded text} for every page of the PDF (or its first `pages`)."""
    document = pdfium.PdfDocument(pdf)
    try:
        count = len(document) if pages is None else min(pages, len(document))
        images = [
            document[index].render(scale=DPI / 72, grayscale=True).to_pil()
            for index in range(count)
        ]
    finally:
        document.close()
    return [page_cells(fmt, image, DPI) for image in images]


def page_cells(fmt: LabelFormat, image, dpi: int) -> dict[int, str]:
    """{cell position: decoded URL} for one page image rendered at `dpi`."""
    found = {}
    for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
        # Now and then zxing also reads a phantom code (a few digits) out of the corner of
        # a real one at the edge of the page (in about 1 run in 100 of the L7651 test).
        # Labels hold URLs.
        if not URL.match(code.text):
            continue
        corners = (code.position.top_left, code.position.bottom_right)
        x_mm = sum(point.x for point in corners) / 2 / dpi * 25.4
        y_mm = sum(point.y for point in corners) / 2 / dpi * 25.4
        [position] = [
            position
            for position in range(1, fmt.labels_per_page + 1)
            if fmt.cell(position)[0] <= x_mm <= fmt.cell(position)[0] + fmt.label_width_mm
            and fmt.cell(position)[1] <= y_mm <= fmt.cell(position)[1] + fmt.label_height_mm
        ]
        assert position not in found
        found[position] = code.text
    return found


def decode_all(fmt: LabelFormat, pdf: bytes) -> list[str]:
    """Every decoded text in print order (page by page, cell by cell)."""
    return [text for page in decode_cells(fmt, pdf) for _cell, text in sorted(page.items())]
