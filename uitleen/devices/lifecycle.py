"""The device life cycle: which moves are allowed, for whom, and under which guard.

Every state change goes through move() (or, for the race-safe loan issue, through
issue_update() plus record_change()), so the state always agrees with the event log.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.orm import aliased

from uitleen.audit.service import record
from uitleen.auth.models import User
from uitleen.auth.roles import COORDINATOR, INTAKE, VOLUNTEER
from uitleen.db import utcnow
from uitleen.devices.models import STATES, Device, QualityCheck, WipeRecord
from uitleen.errors import Conflict
from uitleen.extensions import db

STATE_NAMES = {
    "intake": lazy_gettext("Binnengekomen"),
    "wiping": lazy_gettext("Wordt gewist"),
    "wiped": lazy_gettext("Gewist"),
    "software": lazy_gettext("Software installeren"),
    "qc": lazy_gettext("Controle"),
    "ready": lazy_gettext("Klaar voor uitleen"),
    "on_loan": lazy_gettext("Uitgeleend"),
    "returned": lazy_gettext("Teruggebracht"),
    "repair": lazy_gettext("In reparatie"),
    "parts": lazy_gettext("Voor onderdelen"),
    "recycled": lazy_gettext("Gerecycled"),
    "lost": lazy_gettext("Kwijt"),
    "gifted": lazy_gettext("Geschonken"),
}

# A device in one of these has left the stock for good: its label is retired.
FINAL_STATES = frozenset({"recycled", "gifted"})
# Entering these starts a new refurbishment round: earlier wipes and checks no longer count.
ROUND_STARTS = frozenset({"intake", "returned"})

WORKSHOP = frozenset({VOLUNTEER, COORDINATOR})
DESK = frozenset({INTAKE, COORDINATOR})
ANYONE = frozenset({VOLUNTEER, INTAKE, COORDINATOR})


def noun(device: Device) -> str:
    """'Deze laptop' / 'Dit apparaat': refusals read as plain sentences."""
    return {
        "laptop": _("Deze laptop"),
        "desktop": _("Deze computer"),
        "tablet": _("Deze tablet"),
        "phone": _("Deze telefoon"),
    }.get(device.kind, _("Dit apparaat"))


# Review states of a wipe record (uitleen.devices.service decides them at import).
NEEDS_REVIEW, ACCEPTED, REJECTED = "needs_review", "accepted", "rejected"
# A wipe counts as evidence when nobody needs to look at it, or a coordinator accepted it.
COUNTING_REVIEWS = ("", ACCEPTED)


def undone_by_a_later_failure(wipe=WipeRecord):
    """SQL: a failed or aborted wipe of the same device (not rejected by a coordinator)
    finished at the same time as `wipe` or later, so `wipe` no longer counts.

    `wipe` is the WipeRecord class (correlated inside passed_wipe_in_round) or one record.
    """
    later = aliased(WipeRecord)
    # Compared with the wipe's own device: a second level of EXISTS does not correlate to
    # Device by itself, it would join every device instead.
    return exists().where(
        later.device_id == wipe.device_id,
        later.passed.is_(False),
        later.review_status != REJECTED,
        later.finished_at >= wipe.finished_at,
        later.id != wipe.id,
    )


def passed_wipe_in_round():
    """SQL: the newest wipe evidence since the device's latest intake or return passed.

    A passed wipe counts when nobody must review it first, and no failed or aborted wipe
    finished at the same time or later: the newest evidence wins, so a failed wipe
    recorded after a passed one undoes it.
    """
    return exists().where(WipeRecord.device_id == Device.id, counting_wipe())


def counting_wipe():
    """SQL: this WipeRecord counts as evidence for its Device (joined or correlated): passed,
    nobody must review it first, since the latest intake or return, not undone later."""
    return and_(
        WipeRecord.passed.is_(True),
        WipeRecord.review_status.in_(COUNTING_REVIEWS),
        WipeRecord.finished_at >= Device.cycle_started_at,
        ~undone_by_a_later_failure(),
    )


def passed_check_in_round():
    """SQL: a passed quality check recorded after the device's latest intake or return."""
    return exists().where(
        QualityCheck.device_id == Device.id,
        QualityCheck.passed.is_(True),
        QualityCheck.recorded_at >= Device.cycle_started_at,
    )


def ready_to_lend():
    """SQL: the one meaning of "ready to lend", for every count, list and issue.

    The device is in state ready (so not on loan), with a passed wipe and a passed check
    since its latest intake or return. Nothing in Uitleen reserves a device for someone:
    the waiting list holds households, not devices, so no reservation is left out here.
    The home cards, the dashboard, the issue page, the waiting list, the API, the labels
    and the issue UPDATE all use this clause, so their answers cannot drift apart.
    """
    return and_(Device.state == "ready", passed_wipe_in_round(), passed_check_in_round())


def count_ready_to_lend(cap: int | None = None) -> int:
    """How many devices are ready to lend; with a cap, reads at most `cap` of them."""
    ids = select(Device.id).where(ready_to_lend())
    if cap is not None:
        ids = ids.limit(cap)
    return int(db.session.scalar(select(func.count()).select_from(ids.subquery())))


def ready_to_lend_devices(limit: int = 200) -> list[Device]:
    """The devices ready to lend, by asset tag."""
    query = select(Device).where(ready_to_lend()).order_by(Device.asset_tag).limit(limit)
    return list(db.session.scalars(query))


def evidence(device: Device) -> tuple[bool, bool]:
    """(wiped, checked) in the current round, read from the database."""
    row = db.session.execute(
        select(passed_wipe_in_round(), passed_check_in_round()).where(Device.id == device.id)
    ).one()
    return bool(row[0]), bool(row[1])


def guard_ready(device: Device) -> None:
    """Rule 1: only a device with a passed wipe and a passed check this round is ready."""
    wiped, checked = evidence(device)
    if not wiped:
        raise Conflict(
            _(
                "%(noun)s is nog niet gewist. Leg eerst een geslaagde wisbeurt vast.",
                noun=noun(device),
            ),
            code="not_wiped",
        )
    if not checked:
        raise Conflict(
            _(
                "%(noun)s heeft nog geen geslaagde controle. Doe eerst de controle.",
                noun=noun(device),
            ),
            code="not_checked",
        )


def guard_wiped(device: Device) -> None:
    if not evidence(device)[0]:
        raise Conflict(
            _(
                "%(noun)s is nog niet gewist. Leg eerst een geslaagde wisbeurt vast.",
                noun=noun(device),
            ),
            code="not_wiped",
        )


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    roles: frozenset[str]
    guard: Callable[[Device], None] | None = None


def _moves(sources, target, roles) -> list[Move]:
    return [Move(s, target, roles) for s in sources]


_WORKSHOP_STATES = ("intake", "wiping", "wiped", "software", "qc", "ready", "repair", "returned")

MOVES: tuple[Move, ...] = tuple(
    [
        *_moves(("intake", "returned", "repair"), "wiping", WORKSHOP),
        # A failed or aborted wipe recorded later sends a device back: the newest evidence wins.
        *_moves(("wiped", "software", "qc", "ready"), "wiping", WORKSHOP),
        Move("wiping", "wiped", WORKSHOP, guard_wiped),
        Move("wiped", "software", WORKSHOP),
        Move("software", "qc", WORKSHOP),
        Move("qc", "ready", WORKSHOP, guard_ready),
        *_moves(("qc", "ready", "wiped", "software"), "repair", WORKSHOP),
        # A hardware snapshot at intake can find a dying disk: it is repaired before wiping.
        *_moves(("intake", "wiping", "returned"), "repair", WORKSHOP),
        Move("repair", "qc", WORKSHOP),
        Move("ready", "on_loan", DESK, guard_ready),
        Move("ready", "gifted", DESK, guard_ready),
        Move("on_loan", "returned", DESK),
        Move("on_loan", "gifted", DESK),  # a loan closed as "kept"
        Move("on_loan", "lost", DESK),
        *_moves(_WORKSHOP_STATES, "parts", WORKSHOP),
        *_moves((*_WORKSHOP_STATES, "parts"), "recycled", WORKSHOP),
        *_moves(_WORKSHOP_STATES, "lost", ANYONE),
        Move("lost", "returned", ANYONE),  # found again
    ]
)
_ALLOWED = {(m.source, m.target): m for m in MOVES}


def allowed_targets(device: Device, role: str) -> list[str]:
    """The states this role may move the device to next (guards not yet checked)."""
    return [m.target for m in MOVES if m.source == device.state and role in m.roles]


# Workshop work a device may get, by its state: the service refuses what is not listed, and
# the device page shows a button only for what is listed, so the two cannot differ.
RECORD_WIPE, RECORD_SOFTWARE, RECORD_CHECK = "record_wipe", "record_software", "record_check"
_WORK_STATES = {
    # A wipe log may arrive after the device went out on loan; the desk hears of a failure.
    RECORD_WIPE: frozenset({*_WORKSHOP_STATES, "parts", "on_loan"}),
    # Not in parts: a device that is being stripped gets no software.
    RECORD_SOFTWARE: frozenset({"wiped", "software", "qc", "ready", "repair"}),
    RECORD_CHECK: frozenset({"software", "qc", "ready", "repair"}),
}


def work_allowed(device: Device, action: str) -> bool:
    """Whether the device's state allows this workshop work (RECORD_WIPE, …) now."""
    return device.state in _WORK_STATES[action]


def actions_for(device: Device, role: str) -> frozenset[str]:
    """What this role may do to the device now: workshop work, and 'move:<state>' moves."""
    work = {a for a in _WORK_STATES if role in WORKSHOP and work_allowed(device, a)}
    moves = {f"move:{target}" for target in allowed_targets(device, role)}
    return frozenset(work | moves)


def check(device: Device, target: str, role: str) -> None:
    """Raise Conflict with a plain reason when this move is not allowed."""
    if target not in STATES:
        raise Conflict(_("Onbekende status: %(state)s.", state=target), code="unknown_state")
    move = _ALLOWED.get((device.state, target))
    if move is None:
        raise Conflict(
            _(
                "%(noun)s staat op ‘%(source)s’ en kan niet meteen naar ‘%(target)s’.",
                noun=noun(device),
                source=STATE_NAMES[device.state],
                target=STATE_NAMES[target],
            ),
            code="transition_not_allowed",
        )
    if role not in move.roles:
        raise Conflict(
            _("Deze stap mag uw rol niet zetten. Vraag het aan uw coördinator."),
            code="role_not_allowed",
        )
    if move.guard is not None:
        move.guard(device)


def record_change(
    actor: User | None, device: Device, source: str, target: str, note: str = "", **data
):
    record(actor, "device.state_changed", device, source=source, target=target, note=note, **data)


def role_of(actor: User | None) -> str:
    """The role whose moves apply: the actor's, or the system's (a coordinator's)."""
    return actor.role if actor is not None else COORDINATOR


def move(actor: User | None, device: Device, target: str, note: str = "", **data) -> None:
    """Move the device to `target`, if allowed for the actor's role, and log it."""
    check(device, target, role_of(actor))
    source = device.state
    now = utcnow()
    device.state = target
    device.state_changed_at = now
    if target in ROUND_STARTS:
        device.cycle_started_at = now
        device.attention = ""  # the device is back: the new round wipes it again
    record_change(actor, device, source, target, note, **data)


def issue_update(device_id: int, target: str = "on_loan"):
    """The race-safe UPDATE that takes a ready, wiped and checked device off the shelf.

    Run it and check rowcount == 1; the WHERE clause is rule 1, evaluated by the database
    in the same statement that changes the state, so two desks cannot both win.
    """
    now = utcnow()
    return (
        update(Device)
        .where(and_(Device.id == device_id, ready_to_lend()))
        .values(state=target, state_changed_at=now)
        .execution_options(synchronize_session=False)
    )
