"""Voucher pages: masked lists, the one page with the full code, import report, forms."""

import io
from datetime import date, timedelta

from sqlalchemy import func, select

from tests.vouchers.factories import make_batch, make_household
from uitleen.audit.models import Event
from uitleen.extensions import db
from uitleen.settings import service as settings
from uitleen.vouchers import service
from uitleen.vouchers.models import Voucher, VoucherBatch

CODES = ["K7PX9Q2MWD4R7QX2", "WD4R8TZBK7PX5555"]


def text(response) -> str:
    return response.get_data(as_text=True)


def test_batch_list_shows_codes_left_and_warns_when_low(client, login_as):
    login_as("intake")
    settings.put(None, "voucher_low_stock", 3)
    make_batch(codes=10, provider="Lebara")
    make_batch(codes=2, provider="Stichting Internet voor Iedereen", product="Thuisinternet")
    db.session.commit()
    page = text(client.get("/vouchers/"))
    assert "Deze partijen raken op" in page
    assert "Thuisinternet: nog 2 codes" in page
    assert "Lebara —" not in page.split("Deze partijen raken op")[1].split("</div>")[0]


def test_home_card_warns_intake_when_a_batch_runs_low(client, login_as):
    make_batch(codes=2, provider="KPN")
    login_as("intake")
    page = text(client.get("/start"))
    assert "Vouchers raken op" in page and "KPN (2)" in page


def test_home_card_is_not_for_volunteers(client, login_as):
    make_batch(codes=2, provider="KPN")
    login_as("volunteer")
    assert "Vouchers raken op" not in text(client.get("/start"))


def test_no_home_card_when_stock_is_fine(client, login_as):
    make_batch(codes=20)
    login_as("coordinator")
    assert "Vouchers raken op" not in text(client.get("/start"))


def test_batch_page_masks_every_code(client, login_as):
    login_as("coordinator")
    batch = make_batch(codes=CODES)
    page = text(client.get(f"/vouchers/batches/{batch.id}"))
    assert "••••••••7QX2" in page and "••••••••5555" in page
    assert not any(code in page for code in CODES)
    assert "ضعوا شريحة SIM" in page  # the steps per language


def test_create_batch_form_keeps_input_and_puts_errors_by_the_field(client, login_as):
    login_as("coordinator")
    form = {
        "provider": "KPN",
        "product": "Thuisinternet 12 maanden",
        "months": "",
        "value": "",
        "expires_on": (date.today() + timedelta(days=300)).isoformat(),
        "steps_en": "Go to kpn.com",
    }
    response = client.post("/vouchers/batches/new", data=form)
    page = text(response)
    assert response.status_code == 422
    assert 'value="Thuisinternet 12 maanden"' in page
    assert "Vul het aantal maanden in, of de waarde in euro." in page
    assert "Go to kpn.com" in page
    response = client.post("/vouchers/batches/new", data={**form, "value": "240,50"})
    assert "Vul de stappen in het Nederlands in" in text(response)
    response = client.post(
        "/vouchers/batches/new", data={**form, "value": "240,50", "steps_nl": "1. Ga naar kpn.com"}
    )
    assert response.status_code == 302
    batch = db.session.scalar(select(VoucherBatch))
    assert (batch.value_cents, batch.activation_steps["nl"]) == (24050, ["Ga naar kpn.com"])


def test_a_product_translation_too_long_is_refused_at_its_own_box(client, login_as):
    login_as("coordinator")
    form = {
        "provider": "KPN",
        "product": "Thuisinternet 12 maanden",
        "months": "12",
        "expires_on": (date.today() + timedelta(days=300)).isoformat(),
        "steps_nl": "Ga naar kpn.com",
        "product_ar": "إنترنت " * 40,  # 280 characters; the box allows 200
        "product_tr": "  12 ay ev interneti  ",
    }
    response = client.post("/vouchers/batches/new", data=form)
    page = text(response)
    assert response.status_code == 422
    # The message sits at the Arabic product box, which is marked, and links from the summary.
    box = page[page.index('id="f-product_ar"') - 400 : page.index('id="f-product_ar"') + 1200]
    assert 'aria-invalid="true"' in box and "200" in box
    assert 'href="#f-product_ar"' in page
    assert db.session.scalar(select(VoucherBatch)) is None
    form["product_ar"] = "إنترنت منزلي لمدة 12 شهرًا"
    assert client.post("/vouchers/batches/new", data=form).status_code == 302
    batch = db.session.scalar(select(VoucherBatch))
    assert batch.product_translations == {"ar": form["product_ar"], "tr": "12 ay ev interneti"}


def test_upload_page_reports_counts(client, login_as):
    login_as("coordinator")
    make_batch(codes=["KNOWN0001"])
    batch = make_batch()
    data = b"code\nNEW00001\nNEW00001\nKNOWN0001\nNEW00002\n"
    response = client.post(
        f"/vouchers/batches/{batch.id}/import",
        data={"file": (io.BytesIO(data), "codes.csv")},
        content_type="multipart/form-data",
    )
    page = text(response)
    assert response.status_code == 200
    assert "Toegevoegd: 2" in page
    assert "Dubbel in het bestand (overgeslagen): 1" in page
    assert "Al bekend (overgeslagen): 1" in page
    assert "NEW00001" not in page


def test_upload_page_names_bad_lines_and_saves_nothing(client, login_as):
    login_as("coordinator")
    batch = make_batch()
    response = client.post(
        f"/vouchers/batches/{batch.id}/import",
        data={"file": (io.BytesIO(b"GOOD0001\n\nBAD\x01CODE\n"), "codes.txt")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Regel 3: er staat een onzichtbaar teken in de code." in text(response)
    assert db.session.scalar(select(func.count()).select_from(Voucher)) == 0


def test_assign_page_shows_the_full_code_once_then_masked(client, login_as):
    login_as("intake")
    batch = make_batch(codes=CODES)
    household = make_household(code="HH-7Q4K")
    form = client.get("/vouchers/assign")
    assert "Lebara" in text(form)
    response = client.post(
        "/vouchers/assign", data={"household_code": "hh-7q4k", "batch_id": batch.id}
    )
    page = text(response)
    assert response.status_code == 200
    assert CODES[0] in page and "HH-7Q4K" in page
    voucher = service.vouchers_of_household(household.id)[0]
    later = text(client.get(f"/vouchers/{voucher.id}"))
    assert CODES[0] not in later and "••••••••7QX2" in later


def test_assign_page_errors_say_what_to_do(client, login_as):
    login_as("intake")
    batch = make_batch(codes=1)
    unknown = client.post(
        "/vouchers/assign", data={"household_code": "HH-NOPE", "batch_id": batch.id}
    )
    assert unknown.status_code == 422
    assert "Dit huishouden bestaat niet" in text(unknown)
    assert 'value="HH-NOPE"' in text(unknown)
    household = make_household()
    client.post("/vouchers/assign", data={"household_id": household.id, "batch_id": batch.id})
    again = client.post(
        "/vouchers/assign", data={"household_id": household.id, "batch_id": batch.id}
    )
    assert again.status_code == 409
    assert "al een code uit deze partij" in text(again) and "eerst in" in text(again)
    empty = client.post(
        "/vouchers/assign", data={"household_id": make_household().id, "batch_id": batch.id}
    )
    assert empty.status_code == 409
    assert "Lees nieuwe codes in, of kies een andere partij." in text(empty)


def test_reveal_redeem_revoke_and_letter_from_the_voucher_page(client, login_as):
    login_as("intake")
    batch = make_batch(codes=CODES)
    voucher = service.assign(None, batch.id, make_household(language="tr").id)
    db.session.commit()
    revealed = text(client.post(f"/vouchers/{voucher.id}/reveal"))
    assert CODES[0] in revealed and "vastgelegd in het logboek" in revealed
    letter = client.post(f"/vouchers/{voucher.id}/letter")
    assert letter.mimetype == "application/pdf" and letter.data.startswith(b"%PDF")
    assert client.post(f"/vouchers/{voucher.id}/redeem").status_code == 302
    db.session.expire_all()
    assert db.session.get(Voucher, voucher.id).status == "redeemed"
    other = service.vouchers_of_batch(batch.id, "available")[0]
    no_reason = client.post(f"/vouchers/{other.id}/revoke", data={"note": ""})
    assert no_reason.status_code == 422
    assert client.post(f"/vouchers/{other.id}/revoke", data={"note": "Kapot"}).status_code == 302
    verbs = set(db.session.scalars(select(Event.verb)))
    assert {"voucher.revealed", "voucher.letter_printed", "voucher.redeemed"} <= verbs
    assert "voucher.revoked" in verbs


def test_report_page_for_coordinators(client, login_as):
    login_as("coordinator")
    batch = make_batch(codes=3, provider="Odido")
    service.assign(None, batch.id, make_household(referral_partner="Bibliotheek").id)
    db.session.commit()
    page = text(client.get("/vouchers/report"))
    assert "Odido" in page and "Bibliotheek" in page
    wrong = client.get("/vouchers/report?start=2026-05-01&end=2026-01-01")
    assert wrong.status_code == 422 and "Draai ze om" in text(wrong)


def test_volunteers_get_403_on_voucher_pages(client, login_as):
    login_as("volunteer")
    batch = make_batch(codes=CODES)
    for url in ["/vouchers/", f"/vouchers/batches/{batch.id}", "/vouchers/assign"]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert not any(code in text(response) for code in CODES)


def test_assign_from_the_household_page_names_the_household(client, login_as):
    login_as("intake")
    household = make_household(code="HH-LINK")
    batch = make_batch(codes=1)
    page = text(client.get(f"/vouchers/assign?household_id={household.id}"))
    assert "Voor huishouden HH-LINK" in page
    assert f'name="household_id" value="{household.id}"' in page
    response = client.post(
        "/vouchers/assign", data={"household_id": household.id, "batch_id": batch.id}
    )
    assert response.status_code == 200
    assert service.vouchers_of_household(household.id)[0].status == "assigned"


def test_edit_batch_shows_the_steps_one_per_line_and_saves(client, login_as):
    login_as("coordinator")
    batch = make_batch(codes=1)
    page = text(client.get(f"/vouchers/batches/{batch.id}/edit"))
    assert "Zet de simkaart in uw telefoon.\nGa naar lebara.nl/activeren." in page
    form = {
        "provider": "Lebara",
        "product": "Prepaid SIM 30 GB",
        "months": "6",
        "expires_on": batch.expires_on.isoformat(),
        "steps_nl": "Stap een.\nStap twee.",
    }
    assert client.post(f"/vouchers/batches/{batch.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    assert db.session.get(VoucherBatch, batch.id).product == "Prepaid SIM 30 GB"
    refused = client.post(f"/vouchers/batches/{batch.id}/edit", data={**form, "steps_nl": ""})
    assert refused.status_code == 422 and "Prepaid SIM 30 GB" in text(refused)


def test_household_partial_lists_masked_vouchers_and_links_to_assign(app):
    from flask import render_template_string

    household = make_household()
    batch = make_batch(codes=CODES)
    service.assign(None, batch.id, household.id)
    db.session.commit()
    template = (
        '{% from "vouchers/_household.html" import household_vouchers %}'
        "{{ household_vouchers(household, vouchers, loan_id=7) }}"
    )
    with app.test_request_context("/households/1"):
        html = render_template_string(
            template, household=household, vouchers=service.vouchers_of_household(household.id)
        )
    assert "••••••••7QX2" in html and CODES[0] not in html
    assert "uitgegeven" in html
    assert f"/vouchers/assign?household_id={household.id}&amp;loan_id=7" in html
