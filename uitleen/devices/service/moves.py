"""State moves a user asks for, and the refusal for work a state does not allow."""

from __future__ import annotations

from flask_babel import gettext as _

from uitleen.auth.models import User
from uitleen.devices import lifecycle
from uitleen.devices.models import (
    Device,
)
from uitleen.errors import Conflict, field_error
from uitleen.extensions import db

# Moves that belong to a loan: the loans service makes them, with the loan record.
LOAN_TARGETS = frozenset({"on_loan", "gifted"})


# Moves that need a reason a colleague can read later.
NOTE_REQUIRED = frozenset({"repair", "parts", "recycled", "lost"})


def transition(actor: User | None, device: Device, target: str, note: str = "") -> Device:
    """A move the user asked for; some moves need a note that says why.

    Issuing, giving away and taking back belong to a loan, so they go through the loans
    service (which keeps the loan record); here they are refused with a pointer there.
    """
    if target in LOAN_TARGETS or device.state == "on_loan":
        raise Conflict(
            _(
                "Uitlenen, schenken en terugnemen gaan via de uitleen, zodat de uitleen "
                "goed wordt vastgelegd. Open de uitleen van dit apparaat."
            ),
            code="use_loans",
        )
    note = (note or "").strip()
    if target in NOTE_REQUIRED and not note:
        raise field_error(
            "note",
            _("Schrijf kort op waarom, zodat een collega het later begrijpt."),
            code="note_required",
        )
    lifecycle.move(actor, device, target, note)
    db.session.flush()
    return device


def _advance(actor: User | None, device: Device, path: tuple[str, ...], note: str) -> None:
    """Follow a path of moves as far as the state machine allows from where it is now."""
    if device.state not in path:
        return
    for target in path[path.index(device.state) + 1 :]:
        lifecycle.move(actor, device, target, note)


def _refuse_workshop_work(device: Device, what: str) -> Conflict:
    return Conflict(
        _(
            "%(what)s kan niet: dit apparaat staat op ‘%(state)s’.",
            what=what,
            state=lifecycle.STATE_NAMES[device.state],
        ),
        code="not_in_workshop",
    )


def mark_ready(actor: User | None, device: Device) -> Device:
    return transition(actor, device, "ready")
