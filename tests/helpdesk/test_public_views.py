"""The public help pages through the real routes: /h/<token>, asking for help, thanks."""

import gzip
import re
import time

import pytest
from itsdangerous import TimestampSigner
from markupsafe import escape
from sqlalchemy import func, select

from tests.helpdesk.factories import (
    lend_to_household,
    make_help_request,
    make_labelled_device,
    make_location,
    new_token,
)
from uitleen.audit.models import Event
from uitleen.devices.models import RetiredToken
from uitleen.extensions import db
from uitleen.helpdesk import public as page
from uitleen.helpdesk.models import HelpRequest
from uitleen.i18n import SUPPORTED_LANGUAGES
from uitleen.settings import service as settings
from uitleen.settings.helptexts import load_defaults

LANGS = list(SUPPORTED_LANGUAGES)
BUDGET = 14 * 1024
FORBIDDEN = (
    "<script",
    '<link rel="stylesheet',
    "<img",
    "<iframe",
    "src=",
    "@import",
    "url(",
    "@font",
)


def text(response) -> str:
    return response.get_data(as_text=True)


def help_requests() -> list[HelpRequest]:
    db.session.expire_all()
    return list(db.session.scalars(select(HelpRequest)))


@pytest.fixture
def device(app):
    return make_labelled_device(location=make_location(name="Werkplaats Oost"))


def form_token_of(html: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


# The help page -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_help_page_in_every_language(translated, device, lang):
    response = translated.get(f"/h/{device.public_token}?lang={lang}")
    html = text(response)
    assert response.status_code == 200
    direction = "rtl" if lang == "ar" else "ltr"
    assert f'<html lang="{lang}" dir="{direction}">' in html
    content = load_defaults(lang)
    for section in content.sections:
        assert str(escape(section.title)) in html
    assert 'class="btn call" href="tel:0201234567"' in html
    assert 'href="https://wa.me/31612345678"' in html
    assert "Werkplaats Oost" in html and "woensdag 13.00" in html
    if lang != "nl":  # the interface strings come from the catalogue, not the Dutch msgid
        assert ">Bel ons <" not in html and "Vraag hulp" not in html


@pytest.mark.parametrize("lang", LANGS)
def test_page_weighs_at_most_14_kb_gzipped(translated, device, lang):
    for path in ("", "/hulp", "/bedankt?cb=1"):
        body = translated.get(f"/h/{device.public_token}{path}?lang={lang}").data
        assert len(gzip.compress(body, compresslevel=6)) <= BUDGET, (lang, path)
        assert len(gzip.compress(body, compresslevel=1)) <= BUDGET, (lang, path)


def test_token_in_any_case(client, device):
    lower = client.get(f"/h/{device.public_token.lower()}")
    mixed = client.get(f"/h/{device.public_token[:5].lower()}{device.public_token[5:]}")
    assert lower.status_code == mixed.status_code == 200
    # Links on the page use the token as stored.
    assert f'href="/h/{device.public_token}/hulp"' in text(lower)


@pytest.mark.parametrize("token", ["NOSUCHTOKEN234567ABCDEFGHIJ", "abc-def", "0O1I8", "A" * 40])
def test_unknown_token_gets_a_friendly_404_with_the_general_phone(client, device, token):
    response = client.get(f"/h/{token}")
    html = text(response)
    assert response.status_code == 404
    assert str(escape(load_defaults("nl").unknown.title)) in html
    assert 'href="tel:0201234567"' in html
    assert "Werkplaats Oost" not in html  # the general number, no location
    assert "/hulp" not in html


def test_rotated_token_gets_410(client, device):
    old = new_token()
    db.session.add(RetiredToken(token=old, device_id=device.id))
    db.session.commit()
    response = client.get(f"/h/{old.lower()}")
    assert response.status_code == 410
    assert str(escape(load_defaults("nl").retired.title)) in text(response)
    assert 'href="tel:0201234567"' in text(response)


@pytest.mark.parametrize("state", ["recycled", "gifted"])
def test_device_that_left_for_good_gets_410(client, app, state):
    device = make_labelled_device(state=state)
    response = client.get(f"/h/{device.public_token}")
    assert response.status_code == 410
    assert "/hulp" not in text(response)
    # Nor can anyone ask for help on it.
    assert client.post(f"/h/{device.public_token}/hulp", data={}).status_code == 410
    assert help_requests() == []


@pytest.mark.parametrize("state", ["lost", "ready", "repair", "returned"])
def test_other_states_keep_a_live_label(client, app, state):
    """A lost laptop's finder who scans the label should reach us."""
    device = make_labelled_device(state=state)
    assert client.get(f"/h/{device.public_token}").status_code == 200


def test_nothing_personal_on_any_public_page(client, device):
    household, loan = lend_to_household(
        device, code="HH-ZX81", contact_name="Fatima Bouzid", phone="06 98765432"
    )
    make_help_request(device, message="Mijn naam is Fatima", callback_phone="0611122233")
    token = device.public_token
    pages = [
        client.get(f"/h/{token}"),
        client.get(f"/h/{token}/hulp"),
        client.get(f"/h/{token}/bedankt?cb=1"),
    ]
    secrets = [
        "Fatima",
        "Bouzid",
        "98765432",
        "0698765432",
        "HH-ZX81",
        "0611122233",
        # Not the device number: the label the scanner holds prints it, and the help page
        # shows it so a caller can quote it (issue 16).
        loan.due_date.isoformat(),
        "17-03-2027",
        "17 maart",
        "2027",
    ]
    for response in pages:
        assert response.status_code == 200
        html = text(response)
        for secret in secrets:
            assert secret not in html, secret


def test_voucher_code_never_on_the_page(client, device):
    from datetime import date

    from uitleen.vouchers.models import Voucher, VoucherBatch

    household, _loan = lend_to_household(device)
    batch = VoucherBatch(provider="KPN", product="Internet 12 mnd", expires_on=date(2027, 1, 1))
    db.session.add(batch)
    db.session.flush()
    db.session.add(
        Voucher(
            batch_id=batch.id, code="QWER-TYUI-ASDF", status="assigned", household_id=household.id
        )
    )
    db.session.commit()
    html = text(client.get(f"/h/{device.public_token}"))
    assert "QWER" not in html and "KPN" not in html


def test_no_scripts_and_nothing_from_elsewhere(client, device):
    for path in ("", "/hulp", "/bedankt"):
        html = text(client.get(f"/h/{device.public_token}{path}"))
        lowered = html.lower()
        for forbidden in FORBIDDEN:
            assert forbidden not in lowered
        urls = re.findall(r"(?:https?:)?//[^\s\"'<>]+", html)
        assert all(url.startswith("https://wa.me/") for url in urls), urls
        hrefs = re.findall(r'href="([^"]+)"', html)
        allowed = ("/h/", "#", "tel:", "https://wa.me/", "data:image/svg+xml,")  # the icon
        assert all(h.startswith(allowed) for h in hrefs), hrefs


@pytest.mark.parametrize("path", ["", "/hulp", "/bedankt", "-unknown"])
def test_privacy_headers_and_strict_csp(client, device, path):
    url = f"/h/{device.public_token}{path}" if path != "-unknown" else "/h/NOSUCHTOKEN"
    response = client.get(url)
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert f'<style nonce="{nonce}">' in text(response)


# Language -------------------------------------------------------------------------------------


def test_language_from_the_browser(translated, device):
    response = translated.get(
        f"/h/{device.public_token}", headers={"Accept-Language": "de-DE,ar;q=0.8,en;q=0.5"}
    )
    assert '<html lang="ar" dir="rtl">' in text(response)
    assert "Set-Cookie" not in response.headers  # only a choice is remembered


def test_a_chosen_language_is_remembered_for_the_help_pages_only(translated, device):
    token = device.public_token
    chosen = translated.get(f"/h/{token}?lang=uk", headers={"Accept-Language": "en"})
    cookie = chosen.headers["Set-Cookie"]
    assert cookie.startswith("lang=uk;") and "Path=/h/" in cookie and "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    later = translated.get(f"/h/{token}/hulp", headers={"Accept-Language": "en"})
    assert '<html lang="uk" dir="ltr">' in text(later)
    # The language links keep the page you are on.
    assert f'href="/h/{token}/hulp?lang=ar"' in text(later)


def test_an_unknown_lang_is_ignored(client, device):
    response = client.get(f"/h/{device.public_token}?lang=xx")
    assert '<html lang="nl"' in text(response)
    assert "Set-Cookie" not in response.headers


# Where to go and what the texts say ------------------------------------------------------


def test_without_a_location_the_organisation_address_is_shown(client, app):
    device = make_labelled_device(location=None)
    html = text(client.get(f"/h/{device.public_token}"))
    assert "Kerkstraat 1" in html  # org_address in the settings


def test_a_location_with_its_own_phone_answers(client, app):
    device = make_labelled_device(location=make_location(phone="010 765 43 21"))
    html = text(client.get(f"/h/{device.public_token}"))
    assert 'class="btn call" href="tel:0107654321"' in html


def test_an_inactive_location_is_not_sent_to(client, app):
    device = make_labelled_device(location=make_location(name="Oude Bieb", active=False))
    html = text(client.get(f"/h/{device.public_token}"))
    assert "Oude Bieb" not in html and "Kerkstraat 1" in html


def test_coordinators_texts_replace_the_defaults_per_language(client, device):
    settings.put(
        None,
        "help_texts",
        {
            "en": {"wifi": {"title": "Wifi in our building", "steps": ["Choose 'Buurthuis'."]}},
            "nl": {"wifi": {"title": "", "steps": []}, "nope": {"title": "x", "steps": ["y"]}},
        },
    )
    db.session.commit()
    english = text(client.get(f"/h/{device.public_token}?lang=en"))
    assert "Wifi in our building" in english and "Choose &#39;Buurthuis&#39;." in english
    assert load_defaults("en").section("wifi").title not in english
    dutch = text(client.get(f"/h/{device.public_token}?lang=nl"))  # broken entries: defaults
    assert load_defaults("nl").section("wifi").title in dutch


# Asking for help ------------------------------------------------------------------------------


def test_help_in_two_taps(client, device):
    ask = client.get(f"/h/{device.public_token}/hulp?lang=tr")
    assert ask.status_code == 200
    response = client.post(
        f"/h/{device.public_token}/hulp",
        data={"form_token": form_token_of(text(ask)), "category": "no_internet"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/h/{device.public_token}/bedankt?lang=tr"
    (stored,) = help_requests()
    assert (stored.device_id, stored.category, stored.status) == (device.id, "no_internet", "new")
    assert (stored.language, stored.message, stored.callback_phone) == ("tr", "", "")
    assert not hasattr(stored, "household_id")  # stored against the device, never a household
    event = db.session.scalar(select(Event).where(Event.verb == "help_request.created"))
    assert event.actor_id is None and event.actor_name == "system"
    assert event.subject_id == str(stored.id)
    assert event.data == {
        "device_id": device.id,
        "category": "no_internet",
        "language": "tr",
        "has_phone": False,
        "has_message": False,
    }
    thanks = client.get(response.headers["Location"])
    assert str(escape(load_defaults("tr").thanks.walk_in)) in text(thanks)


def test_message_and_phone_are_kept_and_the_thanks_page_says_when_we_call(client, device):
    settings.put(None, "help_callback_days", 3)
    db.session.commit()
    token = device.public_token
    response = client.post(
        f"/h/{token}/hulp?lang=en",
        data={
            "form_token": page_token(client, token),
            "category": "broken",
            "message": "  The screen has a crack.  ",
            "phone": " +31 (0)6 1234-5678 ",
        },
    )
    assert response.status_code == 303
    (stored,) = help_requests()
    assert stored.message == "The screen has a crack."
    assert stored.callback_phone == "+31 (0)6 1234-5678"
    event = db.session.scalar(select(Event).where(Event.verb == "help_request.created"))
    assert "crack" not in str(event.data) and "1234" not in str(event.data)
    thanks = text(client.get(response.headers["Location"]))
    assert load_defaults("en").callback_text(3) in thanks
    # Switching language on the thank-you page keeps "we will call you".
    assert f'href="/h/{token}/bedankt?lang=ar&amp;cb=1"' in thanks


def page_token(client, token: str) -> str:
    return form_token_of(text(client.get(f"/h/{token}/hulp")))


@pytest.mark.parametrize("phone", ["06-abc", "12345", "06 1234 5678 9012 3456", "06/12345678"])
def test_bad_phone_gets_a_clear_message_and_keeps_what_was_typed(translated, device, phone):
    token = device.public_token
    response = translated.post(
        f"/h/{token}/hulp?lang=en",
        data={
            "form_token": page_token(translated, token),
            "category": "sound_camera",
            "message": "No sound <at all>",
            "phone": phone,
        },
    )
    html = text(response)
    assert response.status_code == 422
    assert "This phone number is not right." in html and "06 12345678" in html
    assert f'value="{escape(phone)}"' in html
    assert "No sound &lt;at all&gt;</textarea>" in html
    assert 'value="sound_camera" required checked' in html
    assert help_requests() == []


def test_no_category_and_a_too_long_message(client, device):
    token = device.public_token
    response = client.post(
        f"/h/{token}/hulp",
        data={"form_token": page_token(client, token), "message": "x" * 1001},
    )
    html = text(response)
    assert response.status_code == 422
    assert "Tik eerst op wat er mis is." in html
    assert "hoogstens 1000 tekens" in html
    assert help_requests() == []


def test_missing_or_forged_form_token_is_refused(client, device, app):
    token = device.public_token
    other = make_labelled_device()
    with app.test_request_context():
        for_other_device = page.form_token(other.public_token)
    forged = page_token(client, token)[:-2] + "xx"
    for form_token in (None, "", forged, for_other_device, "not-a-token"):
        data = {"category": "other", "message": "Help", "phone": "0612345678"}
        if form_token is not None:
            data["form_token"] = form_token
        response = client.post(f"/h/{token}/hulp", data=data)
        assert response.status_code == 400, form_token
        html = text(response)
        assert "Deze pagina stond te lang open." in html
        assert "Help</textarea>" in html and 'value="0612345678"' in html
        # A fresh token comes with the page, so one more tap sends it.
        assert form_token_of(html) != form_token
    assert help_requests() == []


def test_expired_form_token_is_refused(client, device, app, monkeypatch):
    token = device.public_token
    with app.test_request_context():
        then = int(time.time()) - 2 * 3600 - 5  # just over the two hours a form lives
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _self: then)
        stale = page.form_token(token)
        monkeypatch.undo()
        fresh_enough_ago = page.form_token(token)
    response = client.post(f"/h/{token}/hulp", data={"form_token": stale, "category": "other"})
    assert response.status_code == 400
    assert help_requests() == []
    ok = client.post(f"/h/{token}/hulp", data={"form_token": fresh_enough_ago, "category": "other"})
    assert ok.status_code == 303


def test_post_from_another_site_is_refused(client, device):
    token = device.public_token
    data = {"form_token": page_token(client, token), "category": "other"}
    foreign = client.post(f"/h/{token}/hulp", data=data, headers={"Origin": "https://evil.test"})
    assert foreign.status_code == 403
    referer = client.post(
        f"/h/{token}/hulp", data=data, headers={"Referer": "https://evil.test/form"}
    )
    assert referer.status_code == 403
    assert help_requests() == []
    # With no-referrer pages, browsers send "Origin: null"; that is not a refusal.
    ours = client.post(f"/h/{token}/hulp", data=data, headers={"Origin": "null"})
    assert ours.status_code == 303
    same = client.post(f"/h/{token}/hulp", data=data, headers={"Origin": "http://localhost"})
    assert same.status_code == 303
    assert len(help_requests()) == 2


def test_the_form_works_with_csrf_protection_on(csrf_client):
    """The app-wide CSRFProtect (session tokens) must not block a household's post."""
    device = make_labelled_device()
    token = device.public_token
    html = csrf_client.get(f"/h/{token}/hulp").get_data(as_text=True)
    response = csrf_client.post(
        f"/h/{token}/hulp", data={"form_token": form_token_of(html), "category": "password"}
    )
    assert response.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(HelpRequest)) == 1


def test_unknown_token_cannot_ask(client, device):
    assert client.get("/h/NOSUCHTOKEN/hulp").status_code == 404
    assert client.post("/h/NOSUCHTOKEN/hulp", data={"category": "other"}).status_code == 404
    assert client.get("/h/NOSUCHTOKEN/bedankt").status_code == 404
    assert help_requests() == []


# Rate limits ---------------------------------------------------------------------------------


def test_lookups_are_rate_limited_per_address(client, device, app, monkeypatch):
    monkeypatch.setitem(app.config, "HELP_PAGE_RATE_LIMIT", "5/minute")
    token = device.public_token
    urls = [f"/h/{token}", f"/h/{token}/hulp", "/h/NOSUCHTOKEN", f"/h/{token}/bedankt"]
    statuses = [client.get(urls[i % 4]).status_code for i in range(5)]
    assert 429 not in statuses
    blocked = client.get(f"/h/{token}?lang=ar")
    html = blocked.get_data(as_text=True)
    assert blocked.status_code == 429
    assert '<html lang="ar" dir="rtl">' in html
    assert 'class="btn call" href="tel:0201234567"' in html
    assert blocked.headers["Referrer-Policy"] == "no-referrer"
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    # Another address is not held back.
    other = client.get(f"/h/{token}", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 200


def test_posts_are_rate_limited(client, device, app, monkeypatch):
    monkeypatch.setitem(app.config, "HELP_POST_RATE_LIMIT", "2/minute")
    token = device.public_token
    data = {"form_token": page_token(client, token), "category": "other"}
    assert [client.post(f"/h/{token}/hulp", data=data).status_code for _ in range(2)] == [303, 303]
    blocked = client.post(f"/h/{token}/hulp", data=data)
    assert blocked.status_code == 429
    assert "Even wachten" in blocked.get_data(as_text=True)
    assert len(help_requests()) == 2


def test_default_limits(client, device):
    token = device.public_token
    statuses = [client.get(f"/h/{token}").status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60 and statuses[60] == 429


# The rendered-once help page ----------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "ar"])
def test_the_rendered_once_page_is_the_page_rendered_afresh(client, app, device, lang):
    from flask import render_template

    from uitleen.helpdesk import service

    first = client.get(f"/h/{device.public_token}?lang={lang}")
    other = make_labelled_device(location=db.session.get(type(device), device.id).location)
    second = client.get(f"/h/{other.public_token}?lang={lang}")
    for response, token in ((first, device.public_token), (second, other.public_token)):
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])[1]
        with app.test_request_context(f"/h/{token}?lang={lang}"):
            label = service.lookup(token)
            fresh = render_template(
                "helpdesk/public/help.html", **page.page_context(label, csp_nonce=nonce)
            )
        assert text(response) == fresh
    assert page.TOKEN_MARK not in text(second) and page.NONCE_MARK not in text(second)


def test_a_settings_change_shows_on_the_next_scan(client, device):
    url = f"/h/{device.public_token}"
    assert "Stichting Digitaal Dichtbij" in text(client.get(url))
    settings.put(None, "org_name", "Repair Café Noord")
    settings.put(None, "org_phone", "010 111 22 33")
    db.session.commit()
    html = text(client.get(url))
    assert "Repair Café Noord" in html and "Stichting Digitaal Dichtbij" not in html
    assert 'href="tel:0101112233"' in html


# The URL as a label prints it ---------------------------------------------------------------


def test_the_upper_case_url_of_the_label_answers_the_same_way(translated, device):
    """Labels print /H/<TOKEN> (QR alphanumeric mode); no redirect, no extra round trip."""
    url = f"/H/{device.public_token}"
    response = translated.get(url, headers={"Accept-Language": "ar,en;q=0.5"})
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in text(response)
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert f'href="/h/{device.public_token}/hulp"' in text(response)
    assert translated.get("/H/NOSUCHTOKEN").status_code == 404


def test_a_chosen_language_reaches_the_next_scan_of_the_label(translated, device):
    chosen = translated.get(f"/h/{device.public_token}?lang=pl")
    paths = sorted(
        part.split("=", 1)[1]
        for cookie in chosen.headers.getlist("Set-Cookie")
        for part in cookie.split("; ")
        if part.startswith("Path=")
    )
    assert paths == ["/H/", "/h/"]
    scan = translated.get(f"/H/{device.public_token}", headers={"Accept-Language": "en"})
    assert '<html lang="pl" dir="ltr">' in text(scan)
