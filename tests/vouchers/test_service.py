"""Batches, import, assignment rules, redeem/revoke/reveal, stock and the issued report."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.vouchers.factories import make_batch, make_household, make_loan
from uitleen.audit.models import Event
from uitleen.db import utcnow
from uitleen.errors import Conflict, Invalid, NotFound
from uitleen.extensions import db
from uitleen.settings import service as settings
from uitleen.vouchers import service
from uitleen.vouchers.models import Voucher
from uitleen.vouchers.service import assignment


def count_codes(batch_id=None) -> int:
    query = select(func.count()).select_from(Voucher)
    if batch_id is not None:
        query = query.where(Voucher.batch_id == batch_id)
    return db.session.scalar(query)


def events(verb: str) -> list[Event]:
    return list(db.session.scalars(select(Event).where(Event.verb == verb)))


# --- batches ---------------------------------------------------------------------------


def test_create_batch_keeps_steps_per_language_without_list_markers(app, make_user):
    coordinator = make_user("coordinator")
    batch = service.create_batch(
        coordinator,
        provider=" Lebara ",
        product="Prepaid SIM",
        months=6,
        value=None,
        expires_on=date.today() + timedelta(days=90),
        activation_steps={
            "nl": "1. Zet de sim erin.\n\n2) Bel 1234.\n- Klaar!",
            "tr": "",
            "en": "Go",
        },
    )
    db.session.commit()
    assert batch.provider == "Lebara"
    assert batch.activation_steps == {
        "nl": ["Zet de sim erin.", "Bel 1234.", "Klaar!"],
        "en": ["Go"],
    }
    assert events("voucher_batch.created")[0].data["languages"] == ["en", "nl"]


def test_batch_needs_dutch_steps_and_a_future_expiry(app, make_user):
    coordinator = make_user("coordinator")
    with pytest.raises(Invalid) as refused:
        service.create_batch(
            coordinator, "KPN", "Thuisinternet", date.today() + timedelta(days=9), {"en": "Go"}, 12
        )
    assert "steps_nl" in refused.value.errors
    with pytest.raises(Invalid) as refused:
        service.create_batch(
            coordinator, "KPN", "Thuisinternet", date.today() - timedelta(days=1), {"nl": "Ga"}, 12
        )
    assert "expires_on" in refused.value.errors


def test_steps_that_do_not_fit_on_the_letter_are_refused_per_language(app, make_user):
    too_long = "\n".join(["Volg de stappen op het scherm en wacht even. " * 12] * 6)
    with pytest.raises(Invalid) as refused:
        service.create_batch(
            make_user("coordinator"),
            "KPN",
            "Thuisinternet",
            date.today() + timedelta(days=9),
            {"nl": "Ga naar kpn.com.", "pl": too_long},
            12,
        )
    assert list(refused.value.errors) == ["steps_pl"]


def test_steps_fall_back_to_dutch(app):
    batch = make_batch(steps={"nl": ["Stap een."], "en": ["Step one."]})
    assert service.steps_for(batch, "en") == ["Step one."]
    assert service.steps_for(batch, "uk") == ["Stap een."]


# --- import ----------------------------------------------------------------------------


def test_import_reports_added_repeats_and_known_codes(app, make_user):
    coordinator = make_user("coordinator")
    other = make_batch(codes=["KNOWN0001", "KNOWN0002"])
    batch = make_batch()
    data = b"code\nNEW00001\nKNOWN0001\n\nNEW00002\nNEW00001\n KNOWN0002 \nNEW00003\n"
    report = service.import_codes(coordinator, batch, data)
    db.session.commit()
    assert (report.added, report.duplicates_in_file, report.already_known) == (3, 1, 2)
    assert count_codes(batch.id) == 3
    assert count_codes(other.id) == 2
    event = events("voucher_batch.codes_imported")[0]
    assert event.data == {"added": 3, "duplicates_in_file": 1, "already_known": 2}


def test_importing_the_same_file_twice_adds_nothing_the_second_time(app, make_user):
    batch = make_batch()
    service.import_codes(None, batch, b"AAAA0001\nAAAA0002\n")
    report = service.import_codes(None, batch, b"AAAA0001\nAAAA0002\n")
    assert (report.added, report.already_known) == (0, 2)


def test_malformed_file_saves_nothing(app):
    batch = make_batch()
    with pytest.raises(Invalid) as refused:
        service.import_codes(None, batch, b"GOOD0001\nGOOD0002\nBAD 0003\n")
    db.session.rollback()
    assert "regel 3" in refused.value.message
    assert count_codes() == 0
    assert events("voucher_batch.codes_imported") == []


def test_import_into_an_expired_batch_is_refused(app):
    batch = make_batch(expires_on=date.today() - timedelta(days=1))
    with pytest.raises(Conflict) as refused:
        service.import_codes(None, batch, b"GOOD0001\n")
    assert refused.value.code == "batch_expired"


def test_a_large_import_is_one_quick_transaction(app):
    batch = make_batch()
    data = "\n".join(f"BULK{n:07d}" for n in range(20_000)).encode()
    report = service.import_codes(None, batch, data)
    db.session.commit()
    assert report.added == 20_000
    assert count_codes(batch.id) == 20_000


# --- assignment ------------------------------------------------------------------------


def test_assign_takes_the_oldest_available_code_and_logs_no_code(app, make_user):
    intake = make_user("intake")
    household = make_household()
    batch = make_batch(codes=["FIRST0001", "SECOND002"])
    voucher = service.assign(intake, batch.id, household.id)
    db.session.commit()
    assert voucher.code == "FIRST0001"
    assert (voucher.status, voucher.household_id, voucher.assigned_by_id) == (
        "assigned",
        household.id,
        intake.id,
    )
    assert voucher.assigned_at is not None
    event = events("voucher.assigned")[0]
    assert event.data == {"batch_id": batch.id, "household_id": household.id, "loan_id": None}


def test_assign_by_household_code_ignores_case(app, make_user):
    household = make_household(code="HH-AB12")
    batch = make_batch(codes=1)
    voucher = service.assign(make_user("intake"), batch.id, household_code=" hh-ab12 ")
    assert voucher.household_id == household.id


@pytest.mark.parametrize(
    ("case", "field", "code", "words"),
    [
        (
            "unknown_batch",
            "batch_id",
            "batch_not_found",
            "Deze partij bestaat niet. Kies een andere partij.",
        ),
        ("expired_batch", "batch_id", "batch_expired", "Kies een andere partij"),
        ("unknown_household", "household_id", "household_not_found", "Zoek het huishouden op"),
        ("erased_household", "household_id", "household_erased", "opnieuw in"),
        ("other_households_loan", "loan_id", "loan_mismatch", "laat het veld leeg"),
    ],
)
def test_bad_assignments_say_what_to_do(app, make_user, case, field, code, words):
    household = make_household(erased_at=utcnow() if case == "erased_household" else None)
    batch = make_batch(
        codes=3,
        expires_on=date.today() - timedelta(days=1) if case == "expired_batch" else None,
    )
    args = {"batch_id": batch.id, "household_id": household.id}
    if case == "unknown_batch":
        args["batch_id"] = 999999
    if case == "unknown_household":
        args["household_id"] = 999999
    if case == "other_households_loan":
        args["loan_id"] = make_loan(make_household()).id
    with pytest.raises(Invalid) as refused:
        service.assign(make_user("intake"), **args)
    assert refused.value.code == code
    assert words in refused.value.errors[field][0]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).where(Voucher.status == "assigned")) == 0


def test_assign_with_the_households_own_loan(app, make_user):
    household = make_household()
    loan = make_loan(household)
    voucher = service.assign(make_user("intake"), make_batch(codes=1).id, household.id, loan.id)
    assert voucher.loan_id == loan.id


def test_no_codes_left_says_import_or_pick_another(app, make_user):
    batch = make_batch(codes=1)
    service.assign(None, batch.id, make_household().id)
    with pytest.raises(Conflict) as refused:
        service.assign(None, batch.id, make_household().id)
    assert refused.value.code == "no_codes_left"
    assert "Lees nieuwe codes in, of kies een andere partij." in refused.value.message


def test_revoked_and_expired_codes_are_never_handed_out(app):
    batch = make_batch(codes=["REVOKED01", "EXPIRED01", "GOOD00001"])
    revoked, expired, good = service.vouchers_of_batch(batch.id)
    service.revoke(None, revoked, "Aanbieder heeft de code geblokkeerd.")
    expired.status = "expired"
    db.session.commit()
    assert service.assign(None, batch.id, make_household().id).code == "GOOD00001"
    with pytest.raises(Conflict):
        service.assign(None, batch.id, make_household().id)


# --- after assignment ------------------------------------------------------------------


def test_redeem_only_an_assigned_voucher(app, make_user):
    intake = make_user("intake")
    batch = make_batch(codes=2)
    voucher = service.assign(intake, batch.id, make_household().id)
    service.redeem(intake, voucher, "Werkt, gebeld op 3 maart.")
    assert (voucher.status, voucher.note) == ("redeemed", "Werkt, gebeld op 3 maart.")
    assert voucher.redeemed_at is not None
    with pytest.raises(Conflict) as refused:
        service.redeem(intake, voucher)
    assert "gebruikt" in refused.value.message
    available = service.vouchers_of_batch(batch.id, "available")[0]
    with pytest.raises(Conflict):
        service.redeem(intake, available)


def test_revoke_needs_a_reason_and_is_final(app, make_user):
    intake = make_user("intake")
    voucher = service.assign(intake, make_batch(codes=1).id, make_household().id)
    with pytest.raises(Invalid) as refused:
        service.revoke(intake, voucher, "  ")
    assert "note" in refused.value.errors
    service.revoke(intake, voucher, "Brief kwijt; nieuwe code gegeven.")
    assert voucher.status == "revoked" and voucher.revoked_at is not None
    assert events("voucher.revoked")[0].data["previous"] == "assigned"
    with pytest.raises(Conflict):
        service.revoke(intake, voucher, "nog eens")


def test_reveal_returns_the_code_and_logs_the_reveal_without_it(app, make_user):
    intake = make_user("intake")
    voucher = service.vouchers_of_batch(make_batch(codes=["SECRET0042"]).id)[0]
    assert service.reveal(intake, voucher) == "SECRET0042"
    db.session.commit()
    event = events("voucher.revealed")[0]
    assert (event.actor_id, event.subject_id) == (intake.id, str(voucher.id))
    assert "SECRET0042" not in json.dumps(event.data)


def test_no_event_ever_holds_a_code(app, make_user):
    intake = make_user("intake")
    codes = ["LEAKY00001", "LEAKY00002", "LEAKY00003"]
    batch = make_batch()
    service.import_codes(intake, batch, "\n".join(codes).encode())
    one, two, three = service.vouchers_of_batch(batch.id)
    household = make_household()
    service.assign(intake, batch.id, household.id)
    service.print_letter(intake, one)
    service.redeem(intake, one)
    service.reveal(intake, two)
    service.revoke(intake, three, "kapot")
    db.session.commit()
    logged = json.dumps([[e.verb, e.subject_id, e.data] for e in db.session.scalars(select(Event))])
    assert "voucher.letter_printed" in logged
    assert not any(code in logged for code in codes)


def test_expire_marks_available_codes_of_expired_batches_only(app):
    old = make_batch(codes=3, expires_on=date.today() - timedelta(days=1))
    current = make_batch(codes=2)
    household = make_household()
    held = old.id
    # An assigned code stays with the household when its batch expires.
    first = service.vouchers_of_batch(held)[0]
    first.status, first.household_id = "assigned", household.id
    db.session.commit()
    assert service.expire_batches() == 2
    db.session.commit()
    statuses = sorted(v.status for v in service.vouchers_of_batch(held))
    assert statuses == ["assigned", "expired", "expired"]
    assert {v.status for v in service.vouchers_of_batch(current.id)} == {"available"}
    assert events("voucher_batch.expired")[0].data == {"codes": 2}
    assert service.expire_batches() == 0


def test_one_open_voucher_per_household_per_batch(app, make_user):
    intake = make_user("intake")
    batch, other = make_batch(codes=5), make_batch(codes=5)
    household = make_household()
    first = service.assign(intake, batch.id, household.id)
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        service.assign(intake, batch.id, household_code=household.code)
    assert refused.value.code == "voucher_limit"
    assert "al een code uit deze partij" in refused.value.message
    db.session.rollback()
    assert count_codes(batch.id) == 5
    assert (
        db.session.scalar(
            select(func.count()).select_from(Voucher).where(Voucher.status == "assigned")
        )
        == 1
    )
    assert len(events("voucher.assigned")) == 1
    # Another batch is another product; a revoked (lost) code frees the place.
    assert service.assign(intake, other.id, household.id).household_id == household.id
    service.revoke(intake, first, "Kwijtgeraakt")
    assert service.assign(intake, batch.id, household.id).id != first.id


def test_the_voucher_limit_is_a_setting(app):
    settings.put(None, "max_open_vouchers_per_household", 2)
    batch = make_batch(codes=5)
    household = make_household()
    service.assign(None, batch.id, household.id)
    service.assign(None, batch.id, household.id)
    with pytest.raises(Conflict) as refused:
        service.assign(None, batch.id, household.id)
    assert refused.value.code == "voucher_limit"
    assert "2 codes" in refused.value.message


# --- stock and report ------------------------------------------------------------------


def test_stock_by_batch_counts_and_flags_low_batches(app):
    settings.put(None, "voucher_low_stock", 5)
    plenty = make_batch(codes=8, provider="Lebara")
    low = make_batch(codes=6, provider="KPN")
    expired = make_batch(codes=1, provider="Odido", expires_on=date.today() - timedelta(days=3))
    service.assign(None, low.id, make_household().id)
    service.assign(None, low.id, make_household().id)
    db.session.commit()
    stock = {s.batch_id: s for s in service.stock_by_batch()}
    assert (stock[plenty.id].available, stock[plenty.id].low_stock) == (8, False)
    assert (stock[low.id].available, stock[low.id].assigned, stock[low.id].low_stock) == (
        4,
        2,
        True,
    )
    assert stock[low.id].total == 6
    assert stock[expired.id].expired and not stock[expired.id].low_stock
    assert (stock[expired.id].available, stock[expired.id].expired_codes) == (0, 1)
    assert [s.batch_id for s in service.low_stock_batches()] == [low.id]
    assert {s.batch_id for s in service.assignable_batches()} == {plenty.id, low.id}


def test_issued_report_per_month_provider_and_referral_partner(app):
    settings.put(None, "max_open_vouchers_per_household", 2)  # debt gets two from Lebara
    lebara = make_batch(codes=5, provider="Lebara")
    kpn = make_batch(codes=5, provider="KPN")
    school = make_household(referral_partner="School")
    debt = make_household(referral_partner="Schuldhulp")
    plan = [
        (lebara, school, "2026-01-15"),
        (lebara, debt, "2026-01-31"),
        (kpn, school, "2026-02-01"),
        (kpn, school, "2026-03-10"),
        (lebara, debt, "2025-12-31"),  # before the period
    ]
    for batch, household, day in plan:
        voucher = service.assign(None, batch.id, household.id)
        voucher.assigned_at = utcnow().replace(
            year=int(day[:4]), month=int(day[5:7]), day=int(day[8:]), hour=12
        )
        if day == "2026-02-01":
            service.redeem(None, voucher)
    db.session.commit()
    report = service.issued_report(date(2026, 1, 1), date(2026, 3, 10))
    assert (report.total, report.redeemed) == (4, 1)
    assert [(r.key, r.issued, r.redeemed) for r in report.by_month] == [
        ("2026-01", 2, 0),
        ("2026-02", 1, 1),
        ("2026-03", 1, 0),
    ]
    assert [(r.key, r.issued) for r in report.by_provider] == [("KPN", 2), ("Lebara", 2)]
    assert [(r.key, r.issued) for r in report.by_referral_partner] == [
        ("School", 3),
        ("Schuldhulp", 1),
    ]


def test_issued_report_counts_local_days_and_months(app):
    batch = make_batch(codes=5, provider="KPN")
    moments = [
        datetime(2026, 2, 28, 22, 59, tzinfo=UTC),  # 23:59 on 28 February: before the period
        datetime(2026, 2, 28, 23, 30, tzinfo=UTC),  # 00:30 on 1 March (CET)
        datetime(2026, 3, 31, 21, 30, tzinfo=UTC),  # 23:30 on 31 March (CEST, after 29 March)
        datetime(2026, 3, 31, 22, 30, tzinfo=UTC),  # 00:30 on 1 April
    ]
    for moment in moments:  # one code per household per batch: four households
        household = make_household(referral_partner="School")
        service.assign(None, batch.id, household.id).assigned_at = moment
    db.session.commit()
    march = service.issued_report(date(2026, 3, 1), date(2026, 3, 31))
    assert [(r.key, r.issued) for r in march.by_month] == [("2026-03", 2)]
    spring = service.issued_report(date(2026, 2, 1), date(2026, 4, 30))
    assert [(r.key, r.issued) for r in spring.by_month] == [
        ("2026-02", 1),
        ("2026-03", 2),
        ("2026-04", 1),
    ]


def test_an_expired_batch_is_refused_with_the_date_as_people_write_it(app):
    batch = make_batch(codes=1, expires_on=date(2026, 3, 1))
    household = make_household()
    with pytest.raises(Invalid) as refused:
        service.assign(None, batch.id, household.id)
    assert refused.value.errors["batch_id"] == [
        "Deze partij is verlopen op 1 maart 2026. Kies een andere partij."
    ]
    assert db.session.query(Voucher).filter(Voucher.household_id.is_not(None)).count() == 0


def test_issued_report_refuses_an_end_before_the_start(app):
    with pytest.raises(Invalid) as refused:
        service.issued_report(date(2026, 3, 1), date(2026, 2, 1))
    assert "end" in refused.value.errors


def test_unknown_batch_and_voucher_are_not_found(app):
    with pytest.raises(NotFound, match="Kies een andere partij"):
        service.get_batch(999999)
    with pytest.raises(NotFound):
        service.get_voucher(999999)


def test_mask_shows_only_the_end():
    assert service.mask("K7PX9Q2MWD4R7QX2") == "••••••••7QX2"
    assert service.mask("AB12CD") == "••••••••CD"


def test_a_lost_race_is_noticed_by_the_row_count_and_retried(app, monkeypatch):
    batch = make_batch(codes=["TAKEN0001", "FREE00002"])
    taken = service.assign(None, batch.id, make_household().id)
    real = assignment._next_available
    picks = iter([taken.id])  # the first pick is a code another worker just claimed
    monkeypatch.setattr(assignment, "_next_available", lambda b: next(picks, None) or real(b))
    household = make_household()
    voucher = service.assign(None, batch.id, household.id)
    assert voucher.code == "FREE00002"
    db.session.refresh(taken)
    assert taken.household_id != household.id


def test_losing_every_race_asks_to_try_again(app, monkeypatch):
    batch = make_batch(codes=["TAKEN0001"])
    taken = service.assign(None, batch.id, make_household().id)
    monkeypatch.setattr(assignment, "_next_available", lambda _batch: taken.id)
    with pytest.raises(Conflict) as refused:
        service.assign(None, batch.id, make_household().id)
    assert refused.value.code == "assign_busy"
    assert "Probeer het nog een keer" in refused.value.message


def test_update_batch_corrects_steps_and_logs_the_fields(app, make_user):
    batch = make_batch(codes=2)
    service.update_batch(
        make_user("coordinator"),
        batch,
        provider="Lebara",
        product=batch.product,
        expires_on=batch.expires_on,
        activation_steps={"nl": "Zet de simkaart in uw telefoon.\nTyp uw code."},
        months=6,
    )
    db.session.commit()
    assert batch.activation_steps == {"nl": ["Zet de simkaart in uw telefoon.", "Typ uw code."]}
    assert events("voucher_batch.changed")[0].data == {"fields": ["activation_steps"]}
    assert service.stock_of(batch).available == 2
