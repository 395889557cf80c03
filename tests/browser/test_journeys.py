"""The journeys people make, in order, in a real browser, with axe on every page.

1. A volunteer registers a donated laptop, imports its nwipe log, records software
   and the quality check, marks it ready and prints its label.
2. An intake worker registers a household, lends it that laptop, prints the agreement,
   assigns an internet voucher and prints the letter.
3. Someone in the household scans the label on a phone, switches to Arabic and asks
   for help in two taps.
4. The intake worker sees the request and closes it.

Each journey continues from the one before (the same laptop), as in real life. The
staff make all four in Dutch, then all four again in English: axe checks every page in
both staff languages.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

SAMPLES = Path(__file__).resolve().parents[1] / "devices" / "samples"
STAMP = re.compile(r"^\[(\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2})\]", re.MULTILINE)
STAMP_FORMAT = "%Y/%m/%d %H:%M:%S"


# What the staff pages say where a journey reads them, per staff language.
WORDS = {
    "nl": {"checked_at_once": "in één keer: alles in orde", "ready": "klaar"},
    "en": {"checked_at_once": "all at once: all OK", "ready": "ready"},
}


@dataclass
class Story:
    """What one journey leaves for the next."""

    lang: str = "nl"
    device_id: int | None = None
    asset_tag: str | None = None
    label_path: str | None = None
    household_code: str | None = None
    help_note: str = "Het scherm blijft zwart na het opstarten"


@pytest.fixture(scope="module", params=["nl", "en"])
def staff_lang(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def story(staff_lang) -> Story:
    return Story(lang=staff_lang)


def staff_tab(browsing, role: str, lang: str):
    tab = browsing.tab()
    tab.login(role)
    if lang != "nl":  # the language button every staff page has
        tab.submit(f"form[action='/lang/{lang}'] button[type=submit]")
        assert tab.page.get_attribute("html", "lang") == lang
    return tab


@pytest.fixture(scope="module")
def volunteer(browsing, staff_lang):
    return staff_tab(browsing, "volunteer", staff_lang)


@pytest.fixture(scope="module")
def intake(browsing, staff_lang):
    return staff_tab(browsing, "intake", staff_lang)


def path_of(tab) -> str:
    return urlsplit(tab.page.url).path


def local_now(zone: str = "Europe/Amsterdam") -> datetime:
    """The wall clock nwipe would write (whole seconds, no zone)."""
    return datetime.now(ZoneInfo(zone)).replace(tzinfo=None, microsecond=0)


def fresh_wipe_log(asset_tag: str, after: datetime, serial: str = "PF0XK2LM") -> bytes:
    """The passed DoD Short sample, for this laptop, ending after `after` (local time)."""
    while local_now() <= after:  # a wipe cannot end in the second the laptop came in
        time.sleep(0.2)
    text = (SAMPLES / "dodshort_passed.log").read_text(encoding="utf-8")
    text = text.replace("UIT-00017", asset_tag).replace("PF0XK2LM", serial)
    stamps = [datetime.strptime(s, STAMP_FORMAT) for s in STAMP.findall(text)]
    shift = local_now() - max(stamps)

    def moved(match: re.Match) -> str:
        moment = datetime.strptime(match.group(1), STAMP_FORMAT) + shift
        return f"[{moment.strftime(STAMP_FORMAT)}]"

    return STAMP.sub(moved, text).encode("utf-8")


def pdf_text(pdf: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


# --- 1. the workshop ------------------------------------------------------------------


def test_a_volunteer_refurbishes_a_donated_laptop_and_prints_its_label(volunteer, story, tmp_path):
    tab, page = volunteer, volunteer.page
    tab.goto("/devices/new")
    page.select_option("#f-kind", "laptop")
    page.fill("#f-make", "Lenovo")
    page.fill("#f-model", "ThinkPad T470")
    page.fill("#f-serial", f"PF0XK2LM{story.lang.upper()}")  # one laptop per language
    page.fill("#f-ram_gb", "8")
    page.fill("#f-storage_gb", "256")
    page.fill("#f-battery_health", "78")
    page.fill("#f-new_donor_name", f"Bakkerij De Korenschoof {story.lang.upper()}")
    page.check("input[name=new_donor_is_organisation]")
    page.check("input[name=new_donor_wants_certificate]")
    tab.submit("#device-form button[type=submit]")
    registered = local_now()
    match = re.fullmatch(r"/devices/(\d+)", path_of(tab))
    assert match, page.url
    story.device_id = int(match.group(1))
    story.asset_tag = page.locator("h1").inner_text().split(" ")[0]
    assert re.fullmatch(r"UIT-\d{5,}", story.asset_tag)
    assert page.locator("[role=status]").first.is_visible()

    # The wipe: nwipe's log, read in through the upload form.
    page.click(f"a[href='/devices/{story.device_id}/wipe']")
    page.wait_for_url(f"**/devices/{story.device_id}/wipe")
    tab.checked()
    log = tmp_path / f"nwipe_{story.asset_tag}.log"
    serial = f"PF0XK2LM{story.lang.upper()}"
    log.write_bytes(fresh_wipe_log(story.asset_tag, after=registered, serial=serial))
    page.set_input_files("input[type=file][name=file]", str(log))
    tab.submit(f"form[action='/devices/{story.device_id}/wipe/import'] button[type=submit]")
    assert path_of(tab) == f"/devices/{story.device_id}"
    assert "S3YJNX0K812345" in page.inner_text("main")  # the disk serial from the log

    # The donor's erasure certificate, numbered when the passed log was read in: local
    # time with its zone, the disk's size, the log's SHA-256 and where to check it.
    certificate = pdf_text(tab.pdf("a.button[href$='/certificate.pdf']"))
    flat = " ".join(certificate.split())
    sha256 = page.locator("section[aria-labelledby=wipe-h] code").first.inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", sha256)
    assert sha256 in flat.replace(" ", "")
    assert "256 GB" in flat
    assert re.search(r"\d{2}:\d{2} (CET|CEST)", flat), flat[:400]
    assert "Bakkerij De Korenschoof" in flat
    verify_url = re.search(r"https?://\S+/c/[A-Z2-7]{26}", flat).group(0)

    # Anyone with the certificate can check it: a public page with its facts only.
    checker = tab.page.context.new_page()
    checker.goto(verify_url.replace(urlsplit(verify_url).netloc, urlsplit(page.url).netloc))
    facts = checker.inner_text("main")
    assert re.search(r"EC-\d{4}-\d{5}", facts)
    assert "DoD Short" in facts and "Clear" in facts
    assert "Bakkerij" not in facts and story.asset_tag not in facts
    checker.close()

    # Software: the checklist starts empty; every item answered as done, one by one.
    page.click(f"a[href='/devices/{story.device_id}/software']")
    page.wait_for_url(f"**/devices/{story.device_id}/software")
    tab.checked()
    assert page.locator("main form input:checked").count() == 0
    page.fill("#f-os_name", "Linux Mint")
    page.fill("#f-os_version", "22 Cinnamon")
    answers = page.locator("input[type=radio][name^=item-][value=done]").all()
    for answer in answers[:-1]:
        answer.check()
    # One item forgotten: the form comes back with every answer kept and says where.
    tab.submit("main form button[type=submit]", status=422)
    assert page.locator("main form input[type=radio]:checked").count() == len(answers) - 1
    assert page.locator("main form fieldset.has-error").count() == 1
    assert page.input_value("#f-os_name") == "Linux Mint"
    page.locator("input[type=radio][name^=item-][value=done]").last.check()
    tab.submit("main form button[type=submit]")
    assert path_of(tab) == f"/devices/{story.device_id}"

    # The quality check: nothing chosen yet; everything works, said at once with
    # 'Alles in orde' (a plain checkbox, no JavaScript).
    page.click(f"a[href='/devices/{story.device_id}/check']")
    page.wait_for_url(f"**/devices/{story.device_id}/check")
    tab.checked()
    assert page.locator("main form input:checked").count() == 0
    page.check("input[type=checkbox][name=all_pass]")
    tab.submit("main form button[type=submit]")
    assert path_of(tab) == f"/devices/{story.device_id}"
    words = WORDS[story.lang]
    assert words["checked_at_once"] in page.inner_text("main")  # the history says how

    # Ready for loan (unless the check already moved it there).
    ready_button = page.locator("form:has(input[name=target][value=ready]) button")
    if ready_button.count():
        tab.submit("form:has(input[name=target][value=ready]) button")
    assert page.locator(".lead strong").inner_text().strip().lower().startswith(words["ready"]), (
        page.inner_text("main")[:600]
    )

    # The label: a PDF, straight from the device's label page.
    tab.goto(f"/labels/device/{story.device_id}")
    story.label_path = urlsplit(page.locator("main code").first.inner_text().strip()).path
    assert story.label_path.lower().startswith("/h/")  # upper case suits the QR code
    label = pdf_text(tab.pdf(f"form[action='/labels/device/{story.device_id}'] button"))
    assert story.asset_tag in label


# --- 2. the intake desk -----------------------------------------------------------------


@pytest.fixture(scope="module")
def ready_laptop(live, story) -> Story:
    """Journey 1's laptop; made directly when that journey was not run on its own."""
    if story.device_id is None:
        from tests.loans.factories import make_ready_device
        from uitleen.extensions import db

        with live.app.app_context():
            device = make_ready_device(make="Lenovo", model="ThinkPad T470")
            story.device_id, story.asset_tag = device.id, device.asset_tag
            story.label_path = f"/h/{device.public_token}"
            db.session.remove()
    return story


@pytest.fixture(scope="module")
def voucher_batch(live):
    """Codes a coordinator read in earlier: Lebara SIMs, steps in Dutch and Arabic."""
    from tests.vouchers.factories import make_batch
    from uitleen.extensions import db

    with live.app.app_context():
        batch_id = make_batch(codes=5).id
        db.session.remove()
    return batch_id


def test_an_intake_worker_lends_the_laptop_with_a_voucher_and_prints_both_papers(
    intake, ready_laptop, voucher_batch, story
):
    tab, page = intake, intake.page
    tab.goto("/households/new")
    page.fill("#f-contact_name", "Fatima El Amrani")
    page.fill("#f-phone", "06 12345678")
    page.select_option("#f-language", "ar")
    page.fill("#f-household_size", "4")
    page.fill("#f-school_children", "2")
    page.select_option("#f-proof_kind", index=1)
    page.fill("#f-consent_date", datetime.now().strftime("%Y-%m-%d"))
    tab.submit("main form button[type=submit]")
    assert re.fullmatch(r"/households/\d+", path_of(tab)), page.url
    story.household_code = page.locator("h1 code").inner_text().strip()
    assert story.household_code

    # Lend the laptop from the household's page.
    page.click("a.button.primary[href*='/loans/issue']")
    page.wait_for_url("**/loans/issue*")
    tab.checked()
    assert page.input_value("#f-household") == story.household_code
    page.fill("#f-device", story.asset_tag)
    tab.submit("main form button[type=submit]")
    assert re.fullmatch(r"/loans/\d+", path_of(tab)), page.inner_text("main")[:600]
    assert story.asset_tag in page.inner_text("main")

    loan_page = path_of(tab)
    agreement = pdf_text(tab.pdf("a[href$='/agreement.pdf']"))
    assert story.asset_tag in agreement
    tab.goto(loan_page)  # back from the PDF

    # An internet voucher for the same household, and its letter.
    page.click("nav a[href='/vouchers/']")
    page.wait_for_url("**/vouchers/")
    tab.checked()
    page.click("main a[href='/vouchers/assign']")
    page.wait_for_url("**/vouchers/assign")
    tab.checked()
    page.fill("#f-household_code", story.household_code)
    page.check(f"input[name=batch_id][value='{voucher_batch}']")
    tab.submit("main form button[type=submit]")
    letter = pdf_text(tab.pdf("form[action$='/letter'] button"))
    assert "Lebara" in letter

    # Both papers speak the household's language (shaped Arabic: presentation forms).
    for name, text in (("agreement", agreement), ("voucher letter", letter)):
        arabic = sum("\u0600" <= c <= "\u06ff" or "\ufe70" <= c <= "\ufefc" for c in text)
        assert arabic > 50, f"the {name} is not in Arabic:\n{text[:400]}"


# --- 3. the label, on a phone ----------------------------------------------------------


PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "nl-NL",
}


def test_someone_scans_the_label_on_a_phone_switches_to_arabic_and_asks_for_help(
    browsing, ready_laptop, story
):
    phone = browsing.tab(**PHONE)
    page = phone.page
    phone.goto(story.label_path)  # exactly what the QR code holds (upper case)
    assert page.get_attribute("html", "dir") == "ltr"
    assert page.get_attribute("html", "lang") == "nl"
    assert page.locator("a[href^='tel:']").first.is_visible()
    # The page fits the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    with page.expect_navigation():
        page.tap("nav.langnav a[hreflang=ar]")
    phone.checked()
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "ar"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # Ask for help: tap the problem, tap send (the message and number are optional).
    with page.expect_navigation():
        page.tap("a.btn.ask")
    phone.checked()
    assert page.get_attribute("html", "dir") == "rtl", "the language choice is remembered"
    page.tap("label.cat >> nth=0")
    page.fill("#message", story.help_note)
    page.fill("#phone", "06 98765432")
    with page.expect_navigation() as sent:
        page.tap("button.btn.send")
    assert sent.value.status == 200, page.inner_text("body")[:800]
    phone.checked()
    assert path_of(phone).lower().endswith("/bedankt"), page.url
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator("h1").inner_text().strip()
    # Nothing personal reaches this page: not the household's name or code.
    body = page.inner_text("body")
    assert "Fatima" not in body
    if story.household_code:
        assert story.household_code not in body
    assert phone.console_errors == []


# --- 4. back at the desk ---------------------------------------------------------------


def test_the_intake_worker_sees_the_request_takes_it_and_closes_it(intake, story):
    tab, page = intake, intake.page
    tab.goto("/start")
    page.click("nav a[href='/help-requests/']")
    page.wait_for_url("**/help-requests/")
    tab.checked()
    row = page.locator("tbody tr", has_text=story.asset_tag).first
    assert row.is_visible(), page.inner_text("main")[:800]
    assert story.help_note[:40] in row.inner_text()
    with page.expect_navigation():
        row.locator("a").first.click()
    tab.checked()
    main = page.inner_text("main")
    assert story.help_note in main and "06 98765432" in main
    if story.household_code:  # the laptop is on loan: intake sees whose it is
        assert story.household_code in main

    tab.submit("form[action$='/take'] button")
    page.fill("textarea[name=note]", "Teruggebeld: de lader zat niet goed in het stopcontact.")
    tab.submit("form[action$='/notes'] button")
    page.fill("#close-note", "Opgelost aan de telefoon.")
    tab.submit("form[action$='/close'] button")
    assert page.locator("form[action$='/reopen']").count() == 1
    assert "Teruggebeld" in page.inner_text("main")
