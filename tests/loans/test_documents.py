"""The agreement PDF and the reminders, in the household's own language."""

import io
import unicodedata
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.households.factories import make_household
from tests.loans.factories import make_loan, make_ready_device
from uitleen.audit.models import Event
from uitleen.extensions import babel, db
from uitleen.loans import service
from uitleen.loans.models import Loan

# "Bring the charger too." as the agreement says it (Arabic without vowel marks).
CHARGER = {
    "nl": "Neem de oplader ook mee.",
    "en": "Bring the charger too.",
    "ar": "أحضروا الشاحن أيضا.",
    "uk": "Принесіть також зарядний пристрій.",
}


def pdf_text(document: bytes) -> str:
    reader = PdfReader(io.BytesIO(document))
    assert len(reader.pages) == 1
    return " ".join(unicodedata.normalize("NFKC", reader.pages[0].extract_text()).split())


@pytest.mark.parametrize("lang", ["en", "ar", "uk"])
def test_agreement_from_the_api_is_in_the_households_language(
    translated_app, api_headers, make_user, lang
):
    worker = make_user("intake")
    household = make_household(language=lang, contact_name=None)
    loan = make_loan(worker, household, make_ready_device(asset_tag="UIT-04242"))
    response = translated_app.test_client().get(
        f"/api/v1/loans/{loan.id}/agreement", headers=api_headers("intake")
    )
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "UIT-04242" in text and household.code in text
    assert CHARGER[lang] in text and CHARGER["nl"] not in text
    event = db.session.scalar(select(Event).where(Event.verb == "loan.agreement_printed"))
    assert event.subject_id == str(loan.id) and event.data == {"language": lang}


def test_agreement_from_the_loan_page(app, client, login_as):
    worker = login_as("intake")
    loan = make_loan(
        worker, make_household(language="nl"), make_ready_device(asset_tag="UIT-00007")
    )
    page = client.get(f"/loans/{loan.id}").get_data(as_text=True)
    assert f"/loans/{loan.id}/agreement.pdf" in page
    response = client.get(f"/loans/{loan.id}/agreement.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "UIT-00007" in text and CHARGER["nl"] in text and worker.name in text


def test_agreement_and_loan_page_give_the_local_day_and_time(app, client, login_as):
    worker = login_as("intake")
    loan = make_loan(worker, make_household(language="nl"))
    # 23:30 UTC on 28 March is 00:30 on 29 March in Amsterdam: the household got it on the 29th.
    loan.issued_at = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    db.session.commit()
    assert service.agreement_data(loan).issued_on == date(2026, 3, 29)
    text = pdf_text(client.get(f"/loans/{loan.id}/agreement.pdf").data)
    assert "Meegegeven op 29 maart 2026" in text
    assert "29-03-2026, 00:30" in client.get(f"/loans/{loan.id}").get_data(as_text=True)
    loan.issued_at = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # after the change: 03:30 CEST
    db.session.commit()
    assert "29-03-2026, 03:30" in client.get(f"/loans/{loan.id}").get_data(as_text=True)


def test_a_gift_agreement_says_it_is_theirs(translated_app, api_headers, make_user):
    loan = make_loan(make_user("intake"), make_household(language="en"), kind="gift")
    response = translated_app.test_client().get(
        f"/api/v1/loans/{loan.id}/agreement", headers=api_headers("intake")
    )
    assert "The device is now yours." in pdf_text(response.data)


def overdue(loan: Loan, days: int) -> None:
    loan.due_date = date.today() - timedelta(days=days)
    db.session.commit()


def test_reminders_list_overdue_then_due_soon_with_links(translated_app, api_headers, make_user):
    worker = make_user("intake")
    late = make_loan(
        worker, make_household(language="ar", phone="06 12345678", contact_name="Samira")
    )
    overdue(late, 5)
    soon = make_loan(worker, make_household(language="pl", phone="+48 601 234 567"))
    soon.due_date = date.today() + timedelta(days=3)
    far = make_loan(worker, make_household())  # due in a year: not listed
    db.session.commit()

    response = translated_app.test_client().get(
        "/api/v1/loans/reminders", headers=api_headers("intake")
    )
    assert response.status_code == 200
    items = response.json
    assert [i["loan_id"] for i in items] == [late.id, soon.id]
    assert far.id not in [i["loan_id"] for i in items]
    first, second = items
    assert first["overdue"] is True and first["days"] == 5
    assert first["tel_url"] == "tel:+31612345678"
    link = urlsplit(first["whatsapp_url"])
    assert (link.scheme, link.netloc, link.path) == ("https", "wa.me", "/31612345678")
    text = parse_qs(link.query)["text"][0]
    assert text == first["text"]
    assert "مرحبًا Samira" in text and late.device.asset_tag in text
    assert "Hallo" not in text
    assert second["overdue"] is False and second["days"] == 3
    assert second["whatsapp_url"].startswith("https://wa.me/48601234567?text=")
    assert "Przypominamy" in unquote(second["whatsapp_url"])


def test_reminder_without_a_phone_has_no_links(app, make_user):
    loan = make_loan(make_user("intake"), make_household(phone=None, contact_name=None))
    overdue(loan, 1)
    reminder = service.reminder(loan)
    assert reminder.tel_url is None and reminder.whatsapp_url is None
    assert reminder.text.startswith("Hallo, dit is ")


def test_the_reminder_page_and_home_cards(app, client, login_as):
    worker = login_as("intake")
    loan = make_loan(worker, make_household(contact_name="Karel", phone="0687654321"))
    overdue(loan, 2)
    page = client.get("/loans/reminders").get_data(as_text=True)
    assert "https://wa.me/31687654321?text=Hallo%20Karel%2C%20dit%20is" in page
    assert 'href="tel:+31687654321"' in page
    home = client.get("/start").get_data(as_text=True)
    assert "Te laat" in home and "/loans/reminders" in home


def test_an_untranslated_reminder_is_wholly_dutch(app, make_user, monkeypatch, tmp_path):
    """A language without a translated reminder gets it in Dutch, never around an Arabic date."""
    monkeypatch.setattr(app.extensions["babel"], "translation_directories", [str(tmp_path)])
    babel.domain_instance.cache.clear()  # forget catalogues loaded from the real directory
    try:
        loan = make_loan(make_user("intake"), make_household(language="ar", contact_name=None))
        loan.due_date = date(2026, 11, 13)
        reminder = service.reminder(loan, on=date(2026, 11, 20))
    finally:
        babel.domain_instance.cache.clear()
    assert reminder.language == "nl"
    assert "We hadden 13 november 2026 afgesproken" in reminder.text


def test_reminder_messages_are_translated_in_every_catalogue():
    """The reminder msgids in the code are in every catalogue, placeholders and all."""
    import re
    from pathlib import Path

    from babel.messages.extract import extract_from_file
    from babel.messages.pofile import read_po

    root = Path(__file__).parents[2]
    source = root / "uitleen" / "loans" / "service.py"
    found = {
        message
        for _line, message, _comments, _context in extract_from_file(
            "python", source, keywords={"_": None}
        )
    }
    reminders = {m for m in found if m.startswith(("Hallo", "dit is"))}
    assert len(reminders) == 4 and service.DUE_SOON_TEXT in reminders
    assert service.OVERDUE_TEXT in reminders
    for lang in ("en", "ar", "tr", "pl", "uk"):
        with (root / "uitleen/translations" / lang / "LC_MESSAGES/messages.po").open("rb") as f:
            catalog = read_po(f, locale=lang)
        for msgid in reminders:
            message = catalog.get(msgid)
            assert message is not None and message.string, (lang, msgid)
            placeholders = sorted(re.findall(r"%\(\w+\)s", msgid))
            assert sorted(re.findall(r"%\(\w+\)s", message.string)) == placeholders
