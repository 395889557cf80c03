"""Issue 16: every text a household reads is in its language.

Every public page and every paper a household takes home (loan agreement, voucher
letter, reminder) is rendered in each household language but Dutch, through the real
routes and services, with the coordinator's free texts (walk-in hours, the voucher
product, activation steps) written in every language as a coordinator would. The test
fails on any Dutch source text in the result: a catalogue message (split at its
placeholders), a shipped Dutch help text, or the Dutch version of a free text. Names,
addresses, codes and numbers are the same in every language and are taken out first.
"""

import html as htmlmod
import io
import re
import unicodedata
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from pypdf import PdfReader
from sqlalchemy import select

from tests.conftest import TRANSLATIONS
from tests.devices.factories import make_device
from tests.helpdesk.factories import lend_to_household, make_labelled_device, make_location
from tests.vouchers.factories import make_batch
from uitleen.devices import service as devices
from uitleen.extensions import db
from uitleen.i18n import SUPPORTED
from uitleen.loans import service as loans
from uitleen.settings import service as settings
from uitleen.settings.helptexts import load_defaults
from uitleen.vouchers import service as vouchers
from uitleen.vouchers.letter import render_voucher_letter
from uitleen.vouchers.models import Voucher

OTHERS = [code for code in SUPPORTED if code != "nl"]
NWIPE = Path(__file__).parents[1] / "devices" / "samples" / "nwipe"
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")

# The coordinator's free texts: Dutch, and the same in every other language.
HOURS = {
    "nl": "di en do 10:00–16:00, vrijdag gesloten",
    "en": "Tue and Thu 10:00–16:00, closed on Friday",
    "ar": "الثلاثاء والخميس 10:00–16:00، مغلق يوم الجمعة",
    "tr": "Salı ve perşembe 10:00–16:00, cuma kapalı",
    "pl": "wt. i czw. 10:00–16:00, w piątek zamknięte",
    "uk": "вт і чт 10:00–16:00, у пʼятницю зачинено",
}
PRODUCT = {
    "nl": "Prepaid SIM met 20 GB per maand, zes maanden",
    "en": "Prepaid SIM with 20 GB a month, six months",
    "ar": "شريحة SIM مسبقة الدفع مع 20 GB شهريًا، ستة أشهر",
    "tr": "Ayda 20 GB ile ön ödemeli SIM, altı ay",
    "pl": "Karta SIM na kartę z 20 GB miesięcznie, sześć miesięcy",
    "uk": "Передплачена SIM-картка з 20 ГБ на місяць, шість місяців",
}
STEPS = {
    "nl": ["Zet de simkaart in uw telefoon.", "Typ de code en druk op Verder."],
    "en": ["Put the SIM card in your phone.", "Type the code and press Verder."],
    "ar": ["ضعوا شريحة SIM في هاتفكم.", "اكتبوا الرمز واضغطوا على Verder."],
    "tr": ["SIM kartı telefonunuza takın.", "Kodu yazın ve Verder'e basın."],
    "pl": ["Włóż kartę SIM do telefonu.", "Wpisz kod i naciśnij Verder."],
    "uk": ["Вставте SIM-картку в телефон.", "Введіть код і натисніть Verder."],
}
# The same in every language: names, addresses, the provider's own button word.
NAMES = [
    settings.DEFAULTS["org_name"],
    settings.DEFAULTS["org_address"],
    "Werkplaats Oost",
    "Dapperstraat 12",
    "Amsterdam",
    "Lebara",
    "Verder",
    "Fatima Bouzid",
    "Dell Latitude 5490",
    "NIST SP 800-88",  # the standard's name
]


def dutch_sources() -> set[str]:
    """Fragments of Dutch source text long enough not to be a shared word or a name."""
    with (TRANSLATIONS / "messages.pot").open("rb") as f:
        texts = [m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id]
    nl = load_defaults("nl")
    for section in nl.sections:
        texts += [section.title, *section.steps]
    texts += [c.label for c in nl.categories]
    texts += [nl.retired.title, nl.retired.text, nl.unknown.title, nl.unknown.text]
    texts += [nl.thanks.title, nl.thanks.walk_in, *nl.thanks.callback.values()]
    texts += [*HOURS["nl"].split(", "), PRODUCT["nl"], *STEPS["nl"]]
    fragments = set()
    for text in texts:
        for piece in PLACEHOLDER.split(text):
            piece = " ".join(piece.split()).strip(" .,:;–-·()‘’")
            if len(piece) >= 10 and len(re.findall(r"[^\W\d_]{2,}", piece)) >= 2:
                fragments.add(piece)
    return fragments


def readable(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[\u2066-\u2069\u200e\u200f]", "", text)  # bidi marks and isolates
    for name in NAMES:
        text = text.replace(name, " ")
    return " ".join(text.split())


def page_text(response) -> str:
    assert response.status_code in (200, 404, 410), response.status_code
    body = response.get_data(as_text=True)
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"</?bdi[^>]*>", "", body)  # inline: no word break
    return readable(htmlmod.unescape(re.sub(r"<[^>]+>", " ", body)))


def pdf_text(document: bytes) -> str:
    reader = PdfReader(io.BytesIO(document))
    return readable(" ".join(page.extract_text() for page in reader.pages))


def certificate_token() -> str:
    """An erasure certificate, from a real nwipe log (tests/devices/samples/nwipe)."""
    device = make_device(storage_gb=None, serial="5CG7XYZ")
    device.cycle_started_at = datetime(2026, 12, 1, tzinfo=UTC)  # before the sample log
    name = "0.34_passed_one_disk.log"
    wipe = devices.import_wipe_log(None, (NWIPE / name).read_bytes(), name, device)
    db.session.commit()
    return wipe.verification_token


@pytest.fixture
def world(translated):
    """One household's things, with every free text written in every language."""
    location = make_location(
        name="Werkplaats Oost",
        walk_in_hours=HOURS["nl"],
        walk_in_hours_translations={k: v for k, v in HOURS.items() if k != "nl"},
    )
    db.session.commit()
    device = make_labelled_device(location=location)
    gone = make_labelled_device(state="recycled", location=location)
    batch = make_batch(codes=1, product=PRODUCT["nl"], steps=STEPS)
    batch.product_translations = {k: v for k, v in PRODUCT.items() if k != "nl"}
    db.session.commit()
    return device, gone, batch, certificate_token()


def documents(device, batch, lang: str) -> dict[str, str]:
    """Every household-facing text about one loan in `lang`, by where it comes from."""
    household, loan = lend_to_household(device, language=lang)
    loan.due_date = date.today() - timedelta(days=3)  # the reminder of an overdue loan
    voucher = db.session.scalars(select(Voucher).filter_by(batch_id=batch.id)).one()
    voucher.status, voucher.household_id = "assigned", household.id
    db.session.commit()
    letter, letter_lang = vouchers.letter_data(voucher)
    assert letter_lang == lang
    return {
        "agreement": pdf_text(loans.render_agreement(loans.agreement_data(loan), lang)),
        "letter": pdf_text(render_voucher_letter(letter, lang)),
        "reminder": readable(loans.reminder_text(loan)),
    }


@pytest.mark.parametrize("lang", OTHERS)
def test_no_dutch_on_any_household_page_or_paper(translated, world, lang):
    device, gone, batch, certificate = world
    token = device.public_token
    texts = {
        "help page": page_text(translated.get(f"/h/{token}?lang={lang}")),
        "ask page": page_text(translated.get(f"/h/{token}/hulp?lang={lang}")),
        "thanks page": page_text(translated.get(f"/h/{token}/bedankt?lang={lang}&cb=1")),
        "thanks, walk in": page_text(translated.get(f"/h/{token}/bedankt?lang={lang}")),
        "retired label": page_text(translated.get(f"/h/{gone.public_token}?lang={lang}")),
        "unknown label": page_text(translated.get(f"/h/ZZZZZZZZ?lang={lang}")),
        "certificate page": page_text(translated.get(f"/c/{certificate}?lang={lang}")),
        **documents(device, batch, lang),
    }
    assert HOURS[lang] in texts["help page"]
    assert PRODUCT[lang] in texts["letter"].replace("\n", " ") or lang == "ar"
    sources = dutch_sources()
    found = {where: sorted(s for s in sources if s in text) for where, text in texts.items()}
    assert {where: hits for where, hits in found.items() if hits} == {}


def test_the_test_finds_dutch(translated, world):
    """The same check on the Dutch pages finds plenty: it is not blind."""
    device, _gone, batch, _certificate = world
    help_page = page_text(translated.get(f"/h/{device.public_token}?lang=nl"))
    letter = documents(device, batch, "nl")["letter"]
    sources = dutch_sources()
    assert HOURS["nl"].split(", ")[0] in help_page
    assert sum(s in help_page for s in sources) > 10
    assert sum(s in letter for s in sources) > 3
