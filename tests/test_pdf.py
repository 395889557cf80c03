"""Shared PDF helpers: fonts, right-to-left shaping, wrapping, one-page rendering."""

import unicodedata

import pypdfium2
import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.ttfonts import TTFontFile

from tests.conftest import TRANSLATIONS
from uitleen import pdf

# The household documents whose translated texts the fonts must be able to draw.
DOCUMENTS = (
    TRANSLATIONS.parent / "loans" / "agreement.py",
    TRANSLATIONS.parent / "vouchers" / "letter.py",
)
ARABIC = "اتصلوا بنا على الرقم 06 1234 5678 وقولوا رقم الجهاز UIT-00042."


def logical(drawn: str) -> str:
    """Undo shaping and reordering of a purely Arabic drawn line, for comparison."""
    return unicodedata.normalize("NFKC", drawn[::-1])


@pytest.mark.parametrize(
    ("lang", "rtl"),
    [("ar", True), ("ar_SY", True), ("AR-sy", True), ("nl", False), ("uk", False), ("tr", False)],
)
def test_is_rtl(lang, rtl):
    assert pdf.is_rtl(lang) is rtl


def test_keep_numbers_together_glues_only_digit_groups():
    glued = pdf.keep_numbers_together("Bel 06 1234 5678 of +31 6 1234 5678 nu")
    assert glued == "Bel 06\xa01234\xa05678 of +31\xa06\xa01234\xa05678 nu"


def test_visual_shapes_and_reverses_arabic():
    drawn = pdf.visual("مرحبا بكم", rtl=True)
    assert drawn != "مرحبا بكم"
    # Shaped letters are presentation forms; read back right to left they are the text.
    assert all("\ufe70" <= char <= "\ufefc" for char in drawn.replace(" ", ""))
    assert logical(drawn) == "مرحبا بكم"


def test_visual_keeps_phone_numbers_and_tags_readable_in_arabic():
    drawn = pdf.visual(pdf.keep_numbers_together(ARABIC), rtl=True)
    assert "06\xa01234\xa05678" in drawn
    assert "UIT-00042" in drawn
    # Without isolation the bidi algorithm would reverse the digit groups.
    assert "5678 1234 06" not in drawn.replace("\xa0", " ")


def test_visual_keeps_number_groups_in_order_even_with_plain_spaces():
    drawn = pdf.visual("رقم الهاتف +31 6 1234 5678", rtl=True)
    assert drawn.startswith("+31 6 1234 5678 ")


def test_visual_removes_direction_controls():
    drawn = pdf.visual("التاريخ: 05\u200f/03\u200f/2025 و UIT-00042", rtl=True)
    assert not any(char in drawn for char in "\u200e\u200f\u2066\u2067\u2068\u2069")


def test_visual_leaves_latin_text_alone_in_both_directions():
    text = "Lenovo ThinkPad T480 (14 inch, 8 GB)"
    assert pdf.visual(text, rtl=False) == text
    assert pdf.visual(text, rtl=True) == text


def test_visual_orders_an_arabic_name_inside_dutch_text():
    drawn = pdf.visual("Naam: فاطمة", rtl=False)
    assert drawn.startswith("Naam: ")
    assert logical(drawn.removeprefix("Naam: ")) == "فاطمة"


def test_wrap_fits_the_width_and_keeps_every_word():
    pdf.register_fonts()
    text = "Wij bewaren zo weinig mogelijk gegevens over u. " * 6
    lines = pdf.wrap(text, pdf.SANS, 11, 200)
    assert len(lines) > 3
    assert all(pdf.text_width(line, pdf.SANS, 11) <= 200 for line in lines)
    assert " ".join(lines).split() == text.split()


def test_wrap_measures_arabic_after_shaping():
    pdf.register_fonts()
    lines = pdf.wrap(ARABIC * 3, pdf.SANS, 11, 150)
    assert len(lines) > 3
    assert all(pdf.text_width(line, pdf.SANS, 11) <= 150 for line in lines)


def test_wrap_never_splits_a_phone_number():
    pdf.register_fonts()
    lines = pdf.wrap("Bel ons op 020 123 4567 " * 8, pdf.SANS, 11, 120)
    assert all("020\xa0123\xa04567" in line or "020" not in line for line in lines)


def test_wrap_cuts_a_word_wider_than_the_line():
    pdf.register_fonts()
    word = "https://www.voorbeeld.nl/" + "heel-lang-pad/" * 10
    lines = pdf.wrap(word, pdf.SANS, 11, 100)
    assert len(lines) > 1
    assert "".join(lines) == word
    assert all(pdf.text_width(line, pdf.SANS, 11) <= 100 for line in lines)


def test_wrap_starts_a_new_line_at_newlines():
    pdf.register_fonts()
    assert pdf.wrap("een\ntwee", pdf.SANS, 11, 500) == ["een", "twee"]


def test_font_path_names_the_package_when_fonts_are_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "FONT_DIRS", ())
    monkeypatch.setenv("UITLEEN_FONT_DIR", str(tmp_path))
    with pytest.raises(pdf.FontNotFoundError, match="fonts-dejavu-core"):
        pdf.font_path("DejaVuSans.ttf")


def test_font_dir_override_comes_first(tmp_path, monkeypatch):
    (tmp_path / "DejaVuSans.ttf").write_bytes(b"")
    monkeypatch.setenv("UITLEEN_FONT_DIR", str(tmp_path))
    assert pdf.font_path("DejaVuSans.ttf") == tmp_path / "DejaVuSans.ttf"


@pytest.fixture(scope="module")
def cmaps() -> dict[str, dict[int, int]]:
    """Character to glyph maps of the regular and bold text fonts."""
    return {
        name: TTFontFile(str(pdf.font_path(pdf.FONT_FILES[name]))).charToGlyph
        for name in (pdf.SANS, pdf.SANS_BOLD)
    }


def document_msgids() -> set[str]:
    """Every gettext msgid of the household documents."""
    return {msgid for path in DOCUMENTS for _, msgid, _, _ in extract_from_file("python", path)}


@pytest.mark.parametrize("lang", ["en", "ar", "tr", "pl", "uk"])
def test_fonts_have_a_glyph_for_every_translated_text(lang, cmaps):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    rtl = pdf.is_rtl(lang)
    used = document_msgids()
    drawn = {
        char
        for message in catalog
        if message.id in used
        for char in pdf.visual(message.string, rtl)
    }
    assert len(drawn) > 30
    for name, cmap in cmaps.items():
        missing = sorted(char for char in drawn if ord(char) not in cmap)
        assert not missing, f"{name} lacks {missing}"


def _line_boxes(document: bytes) -> list[tuple[float, float]]:
    """Left and right x of every text line on the first page."""
    textpage = pypdfium2.PdfDocument(document)[0].get_textpage()
    return [textpage.get_rect(index)[::2] for index in range(textpage.count_rects())]


@pytest.mark.parametrize(
    ("lang", "text"), [("ar", "لا بأس. يسعدنا أن نساعدكم."), ("nl", "Wij helpen u.")]
)
def test_text_is_aligned_to_the_reading_side(lang, text):
    document = pdf.render_page(
        lambda page, size: page.paragraph(text, size), [12], lang=lang, title="t"
    )
    page = pdf.Page(canvas=None, rtl=pdf.is_rtl(lang))  # only its margins are used
    [(left, right)] = _line_boxes(document)
    if pdf.is_rtl(lang):
        assert right == pytest.approx(page.right, abs=1.5)
        assert left > page.left + 50 * mm
    else:
        assert left == pytest.approx(page.left, abs=1.5)
        assert right < page.right - 50 * mm


def test_inset_mirrors_in_right_to_left_pages():
    page = pdf.Page(canvas=None, rtl=True)
    with page.inset(start=10, end=30):
        assert page.left == pytest.approx(20 * mm + 30)
        assert page.right == pytest.approx(A4[0] - 20 * mm - 10)
    assert page.width == pytest.approx(A4[0] - 40 * mm)


def test_render_page_uses_the_largest_size_that_fits():
    tried = []

    def draw(page: pdf.Page, size: float) -> None:
        tried.append(size)
        for _ in range(40):
            page.paragraph("Regel", size)

    document = pdf.render_page(draw, [20, 14, 10], lang="nl", title="t")
    assert tried == [20, 14, 10]
    assert len(pypdfium2.PdfDocument(document)) == 1


def test_render_page_refuses_content_longer_than_a_page():
    def draw(page: pdf.Page, size: float) -> None:
        page.paragraph("Regel\n" * 200, size)

    with pytest.raises(pdf.PageFullError, match="even at 9 pt"):
        pdf.render_page(draw, [10, 9], lang="nl", title="t")


def test_rows_keep_the_widest_label_on_one_line():
    # At 10.5 pt, WhatsApp (the widest) once wrapped through a rounding error.
    labels = ["Telefon", "WhatsApp", "Bize gelin"]
    document = pdf.render_page(
        lambda page, size: page.rows([(label, "020 123 4567") for label in labels], size),
        [10.5],
        lang="tr",
        title="t",
    )
    assert len(_line_boxes(document)) == len(labels) * 2  # label and value side by side
