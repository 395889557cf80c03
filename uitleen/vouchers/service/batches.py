"""Voucher batches: create and change them, their activation steps per language, and
importing their codes (all or nothing; repeats and known codes skipped)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from uitleen.audit.service import record
from uitleen.errors import Conflict, Invalid, field_error
from uitleen.extensions import db
from uitleen.i18n import SUPPORTED, clean_translations, translated
from uitleen.pdf import PageFullError
from uitleen.settings import service as settings
from uitleen.vouchers import importer
from uitleen.vouchers.letter import LetterData, render_voucher_letter
from uitleen.vouchers.models import Voucher, VoucherBatch
from uitleen.vouchers.service.stock import is_expired, today

KNOWN_CODES_CHUNK = 500  # codes per IN (...) when looking for codes already known
# "1. ", "2) ", "- ", "* ", "• " at the start of a step: the letter numbers steps itself.
LIST_MARKER = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•·])\s+")


def steps_from_text(text: str) -> list[str]:
    """Plain text, one step per line, to a list of steps (list markers and blanks dropped)."""
    steps = []
    for line in text.splitlines():
        step = LIST_MARKER.sub("", line).strip()
        if step:
            steps.append(step)
    return steps


def product_in(batch: VoucherBatch, lang: str) -> str:
    """The batch's product in lang, or its Dutch name when it has none in that language."""
    return translated(batch.product, batch.product_translations, lang)[0]


def steps_for(batch: VoucherBatch, lang: str) -> list[str]:
    """The batch's steps in lang, or its Dutch steps when it has none in that language."""
    steps = batch.activation_steps or {}
    return list(steps.get(lang) or steps.get("nl") or [])


def create_batch(
    actor,
    provider: str,
    product: str,
    expires_on: date,
    activation_steps: dict[str, str],
    months: int | None = None,
    value: Decimal | None = None,
    product_translations: dict[str, str] | None = None,
) -> VoucherBatch:
    """A new, empty batch; steps per language as plain text, Dutch required."""
    if expires_on < today():
        raise _expiry_in_the_past()
    steps = _checked_steps(activation_steps, provider, product)
    batch = VoucherBatch(
        provider=provider.strip(),
        product=product.strip(),
        product_translations=clean_translations(product_translations),
        months=months,
        value_cents=_cents(value),
        expires_on=expires_on,
        activation_steps=steps,
    )
    db.session.add(batch)
    db.session.flush()
    record(
        actor,
        "voucher_batch.created",
        batch,
        provider=batch.provider,
        product=batch.product,
        expires_on=expires_on,
        languages=sorted(steps),
    )
    return batch


def update_batch(
    actor,
    batch: VoucherBatch,
    provider: str,
    product: str,
    expires_on: date,
    activation_steps: dict[str, str],
    months: int | None = None,
    value: Decimal | None = None,
    product_translations: dict[str, str] | None = None,
) -> VoucherBatch:
    """Correct a batch (a typo in a step, a new expiry date); its codes stay as they are."""
    if expires_on < today() and expires_on != batch.expires_on:
        raise _expiry_in_the_past()
    steps = _checked_steps(activation_steps, provider, product)
    new = {
        "provider": provider.strip(),
        "product": product.strip(),
        "product_translations": clean_translations(product_translations),
        "months": months,
        "value_cents": _cents(value),
        "expires_on": expires_on,
        "activation_steps": steps,
    }
    changed = sorted(key for key, value in new.items() if getattr(batch, key) != value)
    for key in changed:
        setattr(batch, key, new[key])
    db.session.flush()
    if changed:
        record(actor, "voucher_batch.changed", batch, fields=changed)
    return batch


def _cents(value: Decimal | None) -> int | None:
    return None if value is None else int((value * 100).to_integral_value())


def _expiry_in_the_past() -> Invalid:
    return field_error(
        "expires_on", _("Deze datum is al voorbij. Vul de vervaldatum in die op de codes staat.")
    )


def _checked_steps(texts: dict[str, str], provider: str, product: str) -> dict[str, list[str]]:
    """Steps per supported language; Dutch required; each language must fit on one letter."""
    steps = {}
    for lang, text in (texts or {}).items():
        if lang not in SUPPORTED:
            raise field_error(
                "activation_steps",
                _(
                    "Taal %(lang)s kennen we niet. Kies uit: %(langs)s.",
                    lang=lang,
                    langs=", ".join(SUPPORTED),
                ),
            )
        lines = steps_from_text(text or "")
        if lines:
            steps[lang] = lines
    if "nl" not in steps:
        raise field_error(
            "steps_nl",
            _("Vul de stappen in het Nederlands in, één stap per regel."),
        )
    for lang, lines in steps.items():
        _check_fits(lang, lines, provider, product)
    return steps


def _check_fits(lang: str, steps: list[str], provider: str, product: str) -> None:
    """Refuse steps that would not fit on the one-page letter, before any code is printed."""
    sample = LetterData(
        organisation=str(settings.get("org_name")),
        phone=str(settings.get("org_phone")),
        whatsapp=str(settings.get("org_whatsapp")),
        address=str(settings.get("org_address")),
        provider=provider,
        product=product,
        code="X" * 16,
        steps=tuple(steps),
        expires_on=today(),
        household_code="HH-XXXX",
    )
    try:
        render_voucher_letter(sample, lang)
    except PageFullError:
        raise field_error(
            f"steps_{lang}",
            _("Deze stappen passen niet op één brief. Maak ze korter of gebruik minder stappen."),
        ) from None


# --- import ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportReport:
    added: int
    duplicates_in_file: int
    already_known: int


def import_codes(actor, batch: VoucherBatch, data: bytes) -> ImportReport:
    """Add a file's new codes to a batch, all or nothing; repeats and known codes are skipped."""
    if is_expired(batch):
        raise Conflict(
            _(
                "Deze partij is verlopen; codes toevoegen heeft geen zin. "
                "Maak een nieuwe partij met de juiste vervaldatum."
            ),
            code="batch_expired",
        )
    parsed = importer.parse_codes(data)
    known = _known_codes(parsed.codes)
    new = [code for code in parsed.codes if code not in known]
    if new:
        try:
            with db.session.begin_nested():
                db.session.execute(
                    insert(Voucher),
                    [
                        {"batch_id": batch.id, "code": code, "status": "available", "note": ""}
                        for code in new
                    ],
                )
        except IntegrityError:
            # Someone imported some of these codes at the same moment.
            raise Conflict(
                _("Iemand anders las net dezelfde codes in. Probeer het opnieuw."),
                code="import_race",
            ) from None
    report = ImportReport(
        added=len(new), duplicates_in_file=parsed.duplicates_in_file, already_known=len(known)
    )
    record(
        actor,
        "voucher_batch.codes_imported",
        batch,
        added=report.added,
        duplicates_in_file=report.duplicates_in_file,
        already_known=report.already_known,
    )
    return report


def _known_codes(codes: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(codes), KNOWN_CODES_CHUNK):
        chunk = codes[start : start + KNOWN_CODES_CHUNK]
        known.update(db.session.scalars(select(Voucher.code).where(Voucher.code.in_(chunk))))
    return known
