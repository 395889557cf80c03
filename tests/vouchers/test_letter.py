"""The voucher letter PDF: one page, large type, the code in blocks of four."""

import io
import re
import unicodedata
from dataclasses import replace
from datetime import date

import pypdfium2
import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from pypdf import PdfReader

from tests.conftest import TRANSLATIONS
from uitleen.pdf import PageFullError
from uitleen.vouchers import letter
from uitleen.vouchers.letter import LetterData, group_code, render_voucher_letter

PLACEHOLDER = re.compile(r"%\(\w+\)s")

LETTER = LetterData(
    organisation="Stichting Digitaal Samen",
    phone="020 123 4567",
    whatsapp="06 1234 5678",
    provider="Lebara",
    product="Prepaid SIM met 20 GB per maand, 6 maanden",
    code="K7PX9Q2MWD4R8TZB",
    steps=(
        "Zet de simkaart in uw telefoon.",
        "Ga naar lebara.nl/activeren.",
        "Typ uw code en druk op Verder.",
    ),
    expires_on=date(2025, 12, 31),
    household_code="HH-7Q4K",
)
ARABIC_STEPS = (
    "ضعوا شريحة SIM في هاتفكم.",
    "افتحوا الموقع lebara.nl/activeren.",
    "اكتبوا الرمز واضغطوا على Verder.",
)


pytestmark = pytest.mark.usefixtures("babel_app")


def page_text(document: bytes) -> str:
    """The one page's text, Arabic presentation forms folded back to letters."""
    reader = PdfReader(io.BytesIO(document))
    assert len(reader.pages) == 1
    return " ".join(unicodedata.normalize("NFKC", reader.pages[0].extract_text()).split())


def smallest_font_size(document: bytes) -> float:
    """The smallest font size of any text on the first page."""
    page = pypdfium2.PdfDocument(document)[0]
    sizes = [obj.get_font_size() for obj in page.get_objects([pypdfium2.raw.FPDF_PAGEOBJ_TEXT])]
    return min(sizes)


@pytest.mark.parametrize(
    ("code", "shown"),
    [
        ("K7PX9Q2MWD4R8TZB", "K7PX 9Q2M WD4R 8TZB"),
        ("k7px 9q2m wd", "k7px 9q2m wd"),
        ("ABC123", "ABC1 23"),
        ("AB-CD-EF", "AB-CD-EF"),
    ],
)
def test_group_code_in_blocks_of_four(code, shown):
    assert group_code(code) == shown


def test_dutch_letter_has_the_code_steps_and_expiry():
    text = page_text(render_voucher_letter(LETTER, "nl"))
    assert "K7PX 9Q2M WD4R 8TZB" in text
    assert "Gebruik de code vóór 31 december 2025." in text
    assert "Typ uw code en druk op Verder." in text
    assert "Lebara" in text
    assert "020 123 4567" in text


def test_arabic_letter_is_arabic_with_the_code_intact():
    document = render_voucher_letter(replace(LETTER, steps=ARABIC_STEPS), "ar")
    text = page_text(document)
    assert "K7PX 9Q2M WD4R 8TZB" in text
    assert "هل تحتاجون إلى مساعدة؟" in text
    assert "اكتبوا الرمز واضغطوا على" in text
    assert sum("\u0600" <= char <= "\u06ff" for char in text) > 100
    assert "Hulp nodig?" not in text


@pytest.mark.parametrize("lang", ["nl", "ar"])
def test_body_text_is_large(lang):
    document = render_voucher_letter(LETTER, lang)
    assert smallest_font_size(document) >= 14


def test_long_steps_wrap_and_stay_on_one_page_in_large_type():
    steps = tuple(
        f"Stap {n}: open de app van de aanbieder, kies Activeren en volg wat er op het scherm "
        "staat. Duurt het langer dan een kwartier? Zet de telefoon dan uit en weer aan."
        for n in range(1, 6)
    )
    document = render_voucher_letter(replace(LETTER, steps=steps), "nl")
    text = page_text(document)
    assert "Stap 5: open de app" in text
    assert smallest_font_size(document) >= 14


def test_steps_that_cannot_fit_raise_a_clear_error():
    steps = ("Volg de stappen op het scherm. " * 40,) * 5
    with pytest.raises(PageFullError, match="Shorten"):
        render_voucher_letter(replace(LETTER, steps=steps), "nl")


def test_a_long_code_wraps_between_blocks():
    code = "ABCD" * 12
    text = page_text(render_voucher_letter(replace(LETTER, code=code), "nl"))
    assert text.count("ABCD") == 12


def test_empty_code_is_refused():
    with pytest.raises(ValueError, match="code is empty"):
        replace(LETTER, code="  ")


@pytest.mark.parametrize("lang", ["en", "ar", "tr", "pl", "uk"])
def test_every_text_is_translated_with_the_same_placeholders(lang):
    path = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    used = {message for _, message, _, _ in extract_from_file("python", letter.__file__)}
    for msgid in used:
        translation = catalog.get(msgid)
        assert translation is not None and translation.string, f"{lang}: {msgid!r} missing"
        assert sorted(PLACEHOLDER.findall(translation.string)) == sorted(
            PLACEHOLDER.findall(msgid)
        ), f"{lang}: placeholders differ in {msgid!r}"
