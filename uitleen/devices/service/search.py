"""What a device page shows, lists, counts, and finding a device by what was typed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from uitleen.audit import service as audit
from uitleen.auth.models import User
from uitleen.devices import lifecycle
from uitleen.devices.models import (
    Device,
    Donor,
    QualityCheck,
    RetiredToken,
    SoftwareInstall,
    WipeRecord,
)
from uitleen.devices.service.counters import _BARE_LABEL_TOKEN_RE, _URL_TOKEN_RE
from uitleen.devices.service.intake import device_by_tag, normalise_serial
from uitleen.devices.tags import format_tag, parse_tag
from uitleen.extensions import db
from uitleen.settings.models import Location


@dataclass(frozen=True)
class DeviceWork:
    wipes: list[WipeRecord]
    installs: list[SoftwareInstall]
    checks: list[QualityCheck]
    wiped: bool
    checked: bool
    operators: dict[int, str]


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    actor_name: str
    verb: str
    data: dict


def history(device: Device) -> list[HistoryLine]:
    """The device's events as every role may read them, newest first.

    A move made at the loan desk (it names a loan) shows without its note: rows written
    before the return condition stopped being copied here still hold the desk's words.
    """
    return [
        HistoryLine(
            event.at,
            event.actor_name,
            event.verb,
            {
                k: v
                for k, v in (event.data or {}).items()
                if not (k == "note" and "loan_id" in event.data)
            },
        )
        for event in audit.history("devices", device.id)
    ]


def work(device: Device) -> DeviceWork:
    """Everything recorded on the device, newest first, in four queries."""
    wipes = list(
        db.session.scalars(
            select(WipeRecord)
            .where(WipeRecord.device_id == device.id)
            .options(selectinload(WipeRecord.disks))
            .order_by(WipeRecord.id.desc())
        )
    )
    installs = list(
        db.session.scalars(
            select(SoftwareInstall)
            .where(SoftwareInstall.device_id == device.id)
            .order_by(SoftwareInstall.id.desc())
        )
    )
    checks = list(
        db.session.scalars(
            select(QualityCheck)
            .where(QualityCheck.device_id == device.id)
            .order_by(QualityCheck.id.desc())
        )
    )
    ids = {r.operator_id for r in (*wipes, *installs, *checks) if r.operator_id}
    operators = (
        dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())
        if ids
        else {}
    )
    wiped, checked = lifecycle.evidence(device)
    return DeviceWork(wipes, installs, checks, wiped, checked, operators)


@dataclass(frozen=True)
class Lookup:
    """What the search box was given: a tag, a token (scanned label) or free text."""

    tag: str | None = None
    token: str | None = None
    text: str = ""


def parse_lookup(value: str) -> Lookup:
    """'uit-42', 'UIT-00042', '42', a scanned label URL …/h/TOKEN, or words to search."""
    value = (value or "").strip()
    if not value:
        return Lookup()
    match = _URL_TOKEN_RE.search(value)
    if match:
        return Lookup(token=match.group(1).upper())
    if _BARE_LABEL_TOKEN_RE.match(value.upper()) and not value.isdigit():
        return Lookup(token=value.upper(), text=value)
    number = parse_tag(value)
    if number is not None:
        return Lookup(tag=format_tag(number), text=value)
    return Lookup(text=value)


def find_exact(value: str) -> Device | None:
    """The one device a typed or scanned tag or label URL points to, if any."""
    lookup = parse_lookup(value)
    if lookup.token:
        device = db.session.scalars(
            select(Device).where(Device.public_token == lookup.token)
        ).first()
        if device is None:  # an old label of a device whose token was rotated
            retired = db.session.get(RetiredToken, lookup.token)
            device = db.session.get(Device, retired.device_id) if retired else None
        return device
    if lookup.tag:
        return device_by_tag(lookup.tag)
    return None


@dataclass(frozen=True)
class DevicePage:
    items: list[SimpleNamespace]  # light rows with the device's columns, .donor, .location
    next_after: int | None


# Every column a list shows or the API returns; the QR matrix stays in the database.
_LIST_COLUMNS = [c for c in Device.__table__.c if c.name not in ("qr_matrix", "qr_url")]


_LIST_COLUMNS = [c for c in Device.__table__.c if c.name not in ("qr_matrix", "qr_url")]
_DONOR_COLUMNS = ("id", "name", "is_organisation", "wants_certificate")


def _listed(row) -> SimpleNamespace:
    """A list row as an object: plain attributes, donor and location as small objects."""
    values = dict(row._mapping)
    donor = {key: values.pop(f"donor__{key}") for key in _DONOR_COLUMNS}
    location = {"id": values.pop("location_ref"), "name": values.pop("location_name")}
    values["donor"] = SimpleNamespace(**donor) if donor["id"] is not None else None
    values["location"] = SimpleNamespace(**location) if location["id"] is not None else None
    return SimpleNamespace(**values)


def search(
    q: str = "",
    state: str | None = None,
    kind: str | None = None,
    location_id: int | None = None,
    after: int | None = None,
    limit: int = 50,
    order: str = "desc",
) -> DevicePage:
    """One page of devices, keyset on id, with donor and location joined in the same query.

    Rows, not ORM objects: a list page needs no identity map, and skipping it halves the
    time of a 50-row page.
    """
    query = (
        select(
            *_LIST_COLUMNS,
            *(getattr(Donor, key).label(f"donor__{key}") for key in _DONOR_COLUMNS),
            Location.id.label("location_ref"),
            Location.name.label("location_name"),
        )
        .outerjoin(Donor, Donor.id == Device.donor_id)
        .outerjoin(Location, Location.id == Device.location_id)
    )
    if state == "ready":  # what can really be lent, as everywhere "ready" is counted
        query = query.where(lifecycle.ready_to_lend())
    elif state:
        query = query.where(Device.state == state)
    if kind:
        query = query.where(Device.kind == kind)
    if location_id:
        query = query.where(Device.location_id == location_id)
    lookup = parse_lookup(q)
    text = lookup.text.strip()
    if lookup.token and not text:
        query = query.where(Device.public_token == lookup.token)
    elif text:
        like = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(
            or_(
                Device.asset_tag == (lookup.tag or text.upper()),
                Device.serial.like(normalise_serial(like) + "%", escape="\\"),
                func.lower(Device.make).like(like.lower() + "%", escape="\\"),
                func.lower(Device.model).like("%" + like.lower() + "%", escape="\\"),
            )
        )
    if order == "asc":
        query = query.order_by(Device.id.asc())
        if after:
            query = query.where(Device.id > after)
    else:
        query = query.order_by(Device.id.desc())
        if after:
            query = query.where(Device.id < after)
    items = [_listed(row) for row in db.session.execute(query.limit(limit + 1))]
    more = len(items) > limit
    items = items[:limit]
    return DevicePage(items, items[-1].id if more and items else None)


def queue_counts(states, cap: int = 1000) -> dict[str, int]:
    """Devices waiting in each of these states, counted up to `cap` (one statement).

    Each count reads at most `cap` entries of the (state, id) index, so the home page and
    the queue tabs cost the same at 100 or 100,000 devices; show `cap` as "1000+".
    """
    counts = [
        select(func.count())
        .select_from(select(Device.id).where(Device.state == state).limit(cap).subquery())
        .scalar_subquery()
        .label(state)
        for state in states
    ]
    return dict(db.session.execute(select(*counts)).one()._mapping)


def counts_by_state() -> dict[str, int]:
    """Devices per state, one GROUP BY on the (state, id) index."""
    rows = db.session.execute(select(Device.state, func.count()).group_by(Device.state)).all()
    counts = dict.fromkeys(lifecycle.STATES, 0)
    counts.update({state: count for state, count in rows})
    return counts
