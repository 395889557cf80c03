"""The loan agreement PDF: one page, in the household's language, with the asset tag."""

import io
import re
import unicodedata
from dataclasses import replace
from datetime import date

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from pypdf import PdfReader

from tests.conftest import TRANSLATIONS
from uitleen.loans import agreement
from uitleen.loans.agreement import AgreementData, render_agreement
from uitleen.pdf import PageFullError

LANGUAGES = ("en", "ar", "tr", "pl", "uk")
PLACEHOLDER = re.compile(r"%\(\w+\)s")

LOAN = AgreementData(
    organisation="Stichting Digitaal Samen",
    phone="020 123 4567",
    whatsapp="06 1234 5678",
    address="Buurthuis De Kolk, Kolkstraat 12, 1021 AB Amsterdam",
    asset_tag="UIT-00042",
    device="Lenovo ThinkPad T480",
    household_code="HH-7Q4K",
    kind="loan",
    issued_on=date(2025, 3, 5),
    due_on=date(2025, 9, 5),
    worker="Fatima el Amrani",
    deposit_cents=2500,
)
GIFT = replace(LOAN, kind="gift", due_on=None, deposit_cents=None)

# "Bring the charger too." as each catalogue says it; Arabic without its vowel marks,
# which the shaper drops.
CHARGER = {
    "nl": "Neem de oplader ook mee.",
    "en": "Bring the charger too.",
    "ar": "أحضروا الشاحن أيضا.",
    "tr": "Şarj aletini de getirin.",
    "pl": "Przynieś też ładowarkę.",
    "uk": "Принесіть також зарядний пристрій.",
}


pytestmark = pytest.mark.usefixtures("babel_app")


def page_text(document: bytes) -> str:
    """The one page's text, Arabic presentation forms folded back to letters."""
    reader = PdfReader(io.BytesIO(document))
    assert len(reader.pages) == 1
    return " ".join(unicodedata.normalize("NFKC", reader.pages[0].extract_text()).split())


@pytest.mark.parametrize("lang", list(CHARGER))
def test_loan_agreement_is_one_page_in_the_households_language(lang):
    text = page_text(render_agreement(LOAN, lang))
    assert CHARGER[lang] in text
    assert "UIT-00042" in text
    assert "HH-7Q4K" in text
    if lang != "nl":
        assert CHARGER["nl"] not in text


def test_arabic_agreement_is_shaped_arabic_script():
    document = render_agreement(LOAN, "ar")
    raw = PdfReader(io.BytesIO(document)).pages[0].extract_text()
    # Joined letter forms prove the text was shaped before drawing.
    assert sum("\ufe70" <= char <= "\ufefc" for char in raw) > 200
    assert sum("\u0600" <= char <= "\u06ff" for char in page_text(document)) > 200
    assert "06 1234 5678" in page_text(document)


def test_dates_and_money_follow_the_locale():
    dutch = page_text(render_agreement(LOAN, "nl"))
    english = page_text(render_agreement(LOAN, "en"))
    assert "5 september 2025" in dutch
    assert "€ 25,00" in dutch
    assert "September 5, 2025" in english
    assert "€25.00" in english


def test_gift_says_the_device_is_theirs_and_asks_nothing_back():
    text = page_text(render_agreement(GIFT, "en"))
    assert "The device is now yours." in text
    assert "Bring the device back before" not in text
    assert "deposit" not in text


def test_contact_name_appears_only_when_given():
    assert "Oksana" not in page_text(render_agreement(LOAN, "nl"))
    named = replace(LOAN, contact_name="Oksana Kovalenko")
    assert "Oksana Kovalenko" in page_text(render_agreement(named, "nl"))


def test_long_names_wrap_and_stay_on_one_page():
    long = replace(
        LOAN,
        organisation="Stichting Samen Digitaal Vaardig in Amsterdam-Noord en Zaandam " * 2,
        device="Hewlett-Packard EliteBook 840 G5 Notebook PC met Intel Core i5-8350U " * 2,
        worker="Maria Magdalena van den Berg-Oudshoorn de Jong",
        contact_name="Anna Maria Kowalska-Wiśniewska-Zielińska",
    )
    for lang in ("nl", "ar"):
        text = page_text(render_agreement(long, lang))
        assert "Kowalska-Wiśniewska-Zielińska" in text
        assert "UIT-00042" in text


def test_text_that_cannot_fit_one_page_raises_a_clear_error():
    endless = replace(LOAN, device="Lenovo ThinkPad " * 600)
    with pytest.raises(PageFullError, match="does not fit on one A4 page"):
        render_agreement(endless, "nl")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"due_on": None}, "due date"),
        ({"kind": "gift"}, "gift has no due date"),
        ({"kind": "sale"}, "'loan' or 'gift'"),
        ({"deposit_cents": -1}, "negative"),
    ],
)
def test_inconsistent_data_is_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        replace(LOAN, **changes)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_is_translated_with_the_same_placeholders(lang):
    path = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    used = {message for _, message, _, _ in extract_from_file("python", agreement.__file__)}
    for msgid in used:
        translation = catalog.get(msgid)
        assert translation is not None and translation.string, f"{lang}: {msgid!r} missing"
        assert sorted(PLACEHOLDER.findall(translation.string)) == sorted(
            PLACEHOLDER.findall(msgid)
        ), f"{lang}: placeholders differ in {msgid!r}"
