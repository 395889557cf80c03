"""The 'new label to hand over' task on a loan, after the device's label was replaced."""

from __future__ import annotations

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select

from uitleen.audit.service import record
from uitleen.db import utcnow
from uitleen.devices.models import Device
from uitleen.errors import Conflict
from uitleen.extensions import db
from uitleen.loans.models import Loan

REASON_MAX = 200


def new_label_due(device: Device, actor=None, reason: str = "") -> Loan | None:
    """Put the task on the device's open loan (if any): its household's label is dead."""
    loan = db.session.scalars(
        select(Loan).where(Loan.device_id == device.id, Loan.closed_at.is_(None))
    ).first()
    if loan is None:
        return None
    loan.new_label_since = utcnow()
    loan.new_label_reason = reason[:REASON_MAX]
    record(actor, "loan.new_label_due", loan, asset_tag=device.asset_tag, reason=reason)
    return loan


def device_tasks(device: Device) -> list[str]:
    """The open 'new label' task of a device's loan, in words without household data."""
    since = db.session.scalar(
        select(Loan.new_label_since).where(
            Loan.device_id == device.id,
            Loan.closed_at.is_(None),
            Loan.new_label_since.is_not(None),
        )
    )
    if since is None:
        return []
    return [
        _(
            "Nieuw label overhandigen: het label is op %(date)s vervangen, en het "
            "huishouden heeft nog het oude. De balie geeft het nieuwe label mee.",
            date=format_datetime(since, "short"),
        )
    ]


def label_handed_over(actor, loan: Loan) -> Loan:
    """The household has the new label: the task is done."""
    if loan.new_label_since is None:
        raise Conflict(
            _("Voor deze lening hoeft geen nieuw label overhandigd te worden."),
            code="no_label_due",
        )
    since = loan.new_label_since
    loan.new_label_since = None
    loan.new_label_reason = ""
    record(actor, "loan.label_handed_over", loan, due_since=since)
    return loan
