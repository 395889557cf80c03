import io
import math
import re
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import ImageDraw

from tests.labels.pdfcodes import page_cells
from uitleen.devices.service import new_label_token
from uitleen.labels import render
from uitleen.labels.formats import LabelFormat, available_formats, load_format
from uitleen.labels.render import LabelContent, render_labels, write_labels
from uitleen.pdf import FontNotFoundError
from uitleen.qr import label_url, make_matrix

BASE_URL = "https://hulp.uitleen.nl"
HELP = "Hulp nodig? Scan mij"
PHONE = "Bel 020 123 4567"
FORMATS = available_formats()


def make_labels(count: int, first: int = 1, with_matrix: bool = True) -> list[LabelContent]:
    labels = []
    for number in range(first, first + count):
        url = label_url(BASE_URL, new_label_token())
        matrix = make_matrix(url) if with_matrix else None
        labels.append(LabelContent(f"UIT-{number:05d}", url, matrix, HELP, PHONE))
    return labels


def page_images(pdf: bytes, dpi: int):
    document = pdfium.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72, grayscale=True).to_pil() for page in document]
    finally:
        document.close()


def expected_pages(fmt: LabelFormat, labels, start: int) -> list[dict[int, str]]:
    pages: list[dict[int, str]] = []
    for index, label in enumerate(labels, start=start - 1):
        page, cell = divmod(index, fmt.labels_per_page)
        if page == len(pages):
            pages.append({})
        pages[page][cell + 1] = label.url
    return pages


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda fmt: fmt.id)
def test_every_qr_code_decodes_to_its_url_in_its_cell(fmt: LabelFormat):
    count = fmt.labels_per_page + 2 if fmt.media == "sheet" else 2
    labels = make_labels(count)
    # The renderer makes a matrix itself when the caller has none stored.
    labels[1] = LabelContent(labels[1].tag, labels[1].url, None, HELP, PHONE)
    pdf = render_labels(fmt, labels)

    images = page_images(pdf, dpi=200)
    assert [page_cells(fmt, image, 200) for image in images] == expected_pages(fmt, labels, 1)


# Module sizes measured before labels let the blank edge count as quiet zone (issue 15).
MODULE_MM_BEFORE = {
    "L7160": 0.92,
    "L7163": 0.92,
    "DK-22205": 0.92,
    "99012": 0.88,
    "L7651": 0.51,
    "5160": 0.60,
    "DK-11209": 0.62,
}


def expected_module_mm(fmt: LabelFormat, modules: int) -> float:
    """The largest module the label allows, worked out here without the renderer's help.

    The code's square (at least 90 % of the label's height) is at the label's left edge,
    quiet zone included (4 modules on each side, the blank label edge counting towards
    it); the dark modules stay inside the printable box (the padding).
    """
    side, pad_x, pad_y = fmt.layout.qr_size_mm, fmt.padding_x_mm, fmt.padding_y_mm
    assert side >= 0.9 * fmt.label_height_mm
    candidates = [
        side / (modules + 8),  # quiet zone fully on the label
        fmt.label_height_mm / (modules + 8),
        (fmt.label_height_mm - 2 * pad_y) / modules,  # printable height
    ]
    if pad_x > 4 * side / (modules + 8):  # a wide blank edge: it is the left quiet zone
        candidates.append((side - pad_x) / (modules + 4))
    return min(candidates)


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda fmt: fmt.id)
def test_the_code_fills_the_largest_square_the_label_can_spare(fmt: LabelFormat):
    [label] = make_labels(1)
    assert label.matrix.size == 25  # a typical label URL: version 2
    dpi = 600
    [image] = page_images(render_labels(fmt, [label]), dpi)
    [code] = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert code.text == label.url
    width_mm = (code.position.top_right.x - code.position.top_left.x) / dpi * 25.4
    module_mm = width_mm / label.matrix.size
    assert module_mm == pytest.approx(expected_module_mm(fmt, 25), rel=0.02)
    assert fmt.module_mm(25) == pytest.approx(expected_module_mm(fmt, 25), rel=1e-6)
    # Larger than the version-3 codes with their quiet zone inside the padding had.
    assert module_mm >= 1.15 * MODULE_MM_BEFORE[fmt.id]


def test_start_position_skips_used_cells():
    fmt = load_format("L7160")
    labels = make_labels(5)
    pdf = render_labels(fmt, labels, start_position=20)

    images = page_images(pdf, dpi=150)
    found = [page_cells(fmt, image, 150) for image in images]
    assert found == [
        {20: labels[0].url, 21: labels[1].url},
        {1: labels[2].url, 2: labels[3].url, 3: labels[4].url},
    ]
    # Cells 1 to 19 of the half-used sheet stay blank.
    for position in range(1, 22):
        left, top, width, height = (value / 25.4 * 150 for value in fmt.cell(position))
        cell = images[0].crop((round(left), round(top), round(left + width), round(top + height)))
        assert (cell.getextrema()[0] == 255) == (position < 20), position


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda fmt: fmt.id)
def test_nothing_is_printed_outside_the_labels_padding(fmt: LabelFormat):
    texts = [HELP, "Потрібна допомога? Скануй мене", "Brauchen Sie Hilfe? Scannen Sie mich"]
    labels = [
        LabelContent(
            f"UIT-{index:05d}", label.url, label.matrix, texts[index % 3], "Bel 0800 123 45 67"
        )
        for index, label in enumerate(make_labels(fmt.labels_per_page))
    ]
    dpi = 150
    [image] = page_images(render_labels(fmt, labels), dpi)
    assert image.getextrema()[0] < 128  # something was drawn

    # Whiten each label's printable box (one pixel of anti-aliasing to spare):
    # whatever dark is left was drawn outside it.
    draw = ImageDraw.Draw(image)
    for position in range(1, fmt.labels_per_page + 1):
        left, top, width, height = fmt.cell(position)
        box = (
            left + fmt.padding_x_mm,
            top + fmt.padding_y_mm,
            left + width - fmt.padding_x_mm,
            top + height - fmt.padding_y_mm,
        )
        pixels = [value / 25.4 * dpi for value in box]
        draw.rectangle(
            (
                math.floor(pixels[0]) - 1,
                math.floor(pixels[1]) - 1,
                math.ceil(pixels[2]) + 1,
                math.ceil(pixels[3]) + 1,
            ),
            fill=255,
        )
    assert image.getextrema()[0] > 200


def test_many_labels_fill_many_pages_in_order():
    fmt = load_format("L7160")
    labels = make_labels(50)
    pdf = render_labels(fmt, labels, start_position=3)

    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == math.ceil((2 + 50) / 21)
    texts = [page.extract_text() for page in pages]
    for number, label in enumerate(labels):
        page = (number + 2) // 21
        assert label.tag in texts[page], (label.tag, page)
    assert texts[0].index("UIT-00001") < texts[0].index("UIT-00019")
    assert HELP.split()[0] in texts[0] and PHONE in texts[0]


def test_labels_may_come_from_a_generator_and_go_to_a_stream(tmp_path: Path):
    fmt = load_format("DK-11209")
    labels = make_labels(3)
    path = tmp_path / "labels.pdf"
    with path.open("wb") as stream:
        assert write_labels(stream, fmt, (label for label in labels)) == 3
    assert path.read_bytes() == render_labels(fmt, labels)
    assert len(pypdf.PdfReader(path).pages) == 3


def test_output_is_deterministic():
    fmt = load_format("L7651")
    labels = make_labels(4)
    assert render_labels(fmt, labels) == render_labels(fmt, labels)


@pytest.mark.parametrize("start", [0, 22])
def test_start_position_must_be_a_cell(start):
    with pytest.raises(ValueError, match="between 1 and 21"):
        render_labels(load_format("L7160"), make_labels(1), start_position=start)


def test_no_labels_is_an_error():
    with pytest.raises(ValueError, match="no labels"):
        render_labels(load_format("L7160"), [])


def test_help_line_in_another_script_uses_the_embedded_font():
    fmt = load_format("L7163")
    [label] = make_labels(1)
    ukrainian = "Потрібна допомога? Скануй мене"
    pdf = render_labels(fmt, [LabelContent(label.tag, label.url, label.matrix, ukrainian, PHONE)])

    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    assert " ".join(page.extract_text().split()).find(ukrainian.split("?")[0]) >= 0
    assert any("DejaVuSans" in str(font["/BaseFont"]) for font in page_fonts(page))


def test_a_custom_font_file_is_embedded():
    mono = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")
    if not mono.is_file():
        pytest.skip("DejaVu Sans Mono is not installed")
    pdf = render_labels(load_format("L7160"), make_labels(1), font_path=mono)
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    assert any("DejaVuSansMono" in str(font["/BaseFont"]) for font in page_fonts(page))


def test_a_missing_font_file_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="font file not found"):
        render_labels(load_format("L7160"), make_labels(1), font_path=tmp_path / "none.ttf")


def test_without_dejavu_the_text_falls_back_to_helvetica(monkeypatch):
    def no_font(filename):
        raise FontNotFoundError(filename)

    monkeypatch.setattr(render, "find_font", no_font)
    render._text_font.cache_clear()
    try:
        pdf = render_labels(load_format("L7160"), make_labels(1))
    finally:
        render._text_font.cache_clear()
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    names = {str(font["/BaseFont"]) for font in page_fonts(page)}
    assert "/Helvetica" in names
    assert not any("DejaVu" in name for name in names)
    assert PHONE in page.extract_text()


def page_fonts(page):
    return page["/Resources"]["/Font"].get_object().values()


def font_sizes(pdf: bytes) -> list[float]:
    """Every font size set on the pages' own content (not inside pictogram forms)."""
    sizes = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        content = page.get_contents().get_data().decode("latin-1")
        sizes += [float(size) for size in re.findall(r"/\S+ ([\d.]+) Tf", content)]
    return sizes


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda fmt: fmt.id)
def test_no_text_is_drawn_below_6_pt(fmt: LabelFormat):
    helps = [
        HELP,
        "Потрібна допомога? Скануй мене своїм телефоном",
        "Brauchen Sie Hilfe? Scannen Sie mich mit dem Telefon",
    ]
    labels = [
        LabelContent(f"UIT-{index:05d}", label.url, label.matrix, helps[index % 3], "020 123 4567")
        for index, label in enumerate(make_labels(3))
    ]
    sizes = font_sizes(render_labels(fmt, labels))
    assert sizes and min(sizes) >= 6.0, sorted(sizes)[:3]
    for label in labels:  # and nothing is cut off for it
        assert not render.text_overflows(fmt, label), label.help_text


@pytest.mark.parametrize(
    ("fmt_id", "fits"),
    [("L7651", "020 123 4567"), ("L7160", "+31 (0)20 123 4567"), ("5160", "+31 (0)20 123 4567")],
)
def test_longest_phone_line_that_fits(fmt_id, fits):
    fmt = load_format(fmt_id)
    longest = render.longest_fitting(fmt, "phone", fits + " toestel 1234 of 06 9876 5432")
    assert fits.startswith(longest) or longest.startswith(fits)
    assert render.fits(fmt, "phone", longest)
    assert not render.fits(fmt, "phone", longest + "9")
