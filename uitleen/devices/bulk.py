"""Bulk intake from CSV and export to the same columns.

Import reads the file twice, streaming: first every row is checked and all problems are
collected with their row numbers; only when there are none, the rows are inserted in
batches inside the caller's one transaction (all rows or none). Memory stays flat: per
row only the make+serial pair and the asset tag are kept, to find duplicates in the file.
QR matrices are left empty here (making one takes 2–25 ms, minutes for 100,000 rows): a
small print makes and keeps them (labels.service.draw); a large run's worker makes them
for its PDF only.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from marshmallow import ValidationError
from sqlalchemy import func, select

from uitleen import csvexport, tasks
from uitleen.audit import service as audit
from uitleen.auth.models import User
from uitleen.csvexport import restore_cell
from uitleen.db import utcnow
from uitleen.devices import service
from uitleen.devices.models import Device, Donor, serial_key
from uitleen.devices.schemas import DeviceInSchema
from uitleen.devices.tags import parse_printed_tag
from uitleen.errors import Invalid, field_errors
from uitleen.extensions import db
from uitleen.settings.models import Location

# The device's own fields, then who gave it and where it is (the export writes the same).
COLUMNS = (
    "asset_tag",
    *(field for field in service.DEVICE_FIELDS if field != "notes"),
    "donor",
    "donor_is_organisation",
    "donor_wants_certificate",
    "location",
    "notes",
)
REQUIRED_COLUMNS = ("make", "model")
BATCH = 1000
MAX_REPORTED_ERRORS = 1000

_TRUE = {"1", "ja", "yes", "true", "j", "y", "waar"}

_schema = DeviceInSchema()


@dataclass(frozen=True)
class RowError:
    row: int  # the line number in the file, counting the header as row 1
    field: str
    message: str


@dataclass
class CheckResult:
    rows: int
    errors: list[RowError]
    error_count: int = 0
    untagged: int = 0  # rows that get a tag from the counter

    @classmethod
    def from_dict(cls, data: dict) -> CheckResult:
        """Back from asdict(), as background work hands it to the page."""
        errors = [RowError(**error) for error in data["errors"]]
        return cls(data["rows"], errors, data["error_count"], data["untagged"])


class ImportRefused(Invalid):
    """The file has problems; nothing was saved. The rows' errors are in result."""

    code = "import_refused"

    def __init__(self, result: CheckResult):
        super().__init__(
            ngettext(
                "Er is niets ingelezen: %(num)s fout in het bestand.",
                "Er is niets ingelezen: %(num)s fouten in het bestand.",
                result.error_count,
            )
        )
        self.result = result


# --- the spool folder ------------------------------------------------------------------
# Uploads are spooled to disk (an import reads its file twice). A worker killed mid-import
# (a gunicorn timeout) never reaches its `finally`, so the spool lives in a folder the app
# owns, not the system's temp folder, and each app start removes what dead workers left.

SPOOL_MAX_AGE = 24 * 3600  # no import runs this long: an older file's pid was reused


def spool_dir(app=None) -> Path:
    """IMPORT_SPOOL_DIR, or import-spool in the instance folder; only the app may read it."""
    app = app or current_app
    configured = app.config.get("IMPORT_SPOOL_DIR")
    folder = Path(configured) if configured else Path(app.instance_path) / "import-spool"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    return folder


def spool_upload(upload) -> Path:
    """Save an uploaded file into the spool folder, named after this process."""
    with tempfile.NamedTemporaryFile(
        dir=spool_dir(), prefix=f"{os.getpid()}-", suffix=".csv", delete=False
    ) as spool:
        upload.save(spool)
    return Path(spool.name)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:  # another user's process took the number: ours is gone
        return False
    return True


def clean_spool(app) -> int:
    """Remove the spool files of workers that are gone; returns how many."""
    removed = 0
    too_old = time.time() - SPOOL_MAX_AGE
    for path in spool_dir(app).glob("*-*.csv"):
        pid = path.name.split("-", 1)[0]
        if not pid.isdigit():
            continue
        try:
            if not _pid_alive(int(pid)) or path.stat().st_mtime < too_old:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another worker starting at the same time got it first
            pass
    return removed


def opener(path) -> Callable[[], io.TextIOBase]:
    """A function that opens the CSV file afresh for each pass (a BOM from Excel is fine)."""

    def open_file() -> io.TextIOBase:
        return open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed by the reader

    return open_file


def _reader(open_file: Callable[[], io.TextIOBase]) -> Iterator[tuple[int, dict]]:
    with open_file() as handle:
        # Our own export in a Dutch locale, or Excel's "CSV (;)": semicolons.
        delimiter = csvexport.delimiter_of(handle.readline())
        handle.seek(0)
        reader = csv.DictReader(handle, delimiter=delimiter)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ImportRefused(
                CheckResult(
                    0,
                    [
                        RowError(
                            1,
                            "header",
                            _(
                                "De eerste regel moet de kolomnamen bevatten; %(missing)s "
                                "ontbreekt. Gebruik deze kolommen: %(columns)s.",
                                missing=", ".join(missing),
                                columns=", ".join(COLUMNS),
                            ),
                        )
                    ],
                    1,
                )
            )
        for number, row in enumerate(reader, start=2):
            # A cell the export marked against formulas reads back as it was written.
            yield number, {k: restore_cell((v or "").strip()) for k, v in row.items() if k}


def _flag(value: str) -> bool:
    return value.strip().lower() in _TRUE


def _device_values(row: dict) -> dict:
    """Validate one row with the intake schema; raises ValidationError."""
    data = {k: row.get(k, "") for k in COLUMNS if k in service.DEVICE_FIELDS and k in row}
    data = {k: v for k, v in data.items() if v != "" or k in ("make", "model")}
    return _schema.load(data)


def check(open_file: Callable[[], io.TextIOBase], spool: IO[str] | None = None) -> CheckResult:
    """Check every row; all problems with their row numbers, nothing written to the
    database. Valid rows go to `spool` as JSON lines, so the import need not parse again."""
    try:
        return _check(open_file, spool)
    except ImportRefused as refused:  # no usable header: nothing more to say
        return refused.result


def _check(open_file: Callable[[], io.TextIOBase], spool: IO[str] | None) -> CheckResult:
    errors: list[RowError] = []
    total = [0]
    count = 0
    untagged = 0
    # Fingerprints, not the strings: 100,000 rows cost a few MB, not tens.
    seen_serials: dict[int, int] = {}
    seen_tags: dict[int, int] = {}
    locations = {name.lower() for name in db.session.scalars(select(Location.name))}
    pending: list[tuple[int, str, str, str]] = []  # row, serial key, serial, tag to check in the db

    def add(row: int, field: str, message: str) -> None:
        total[0] += 1
        if len(errors) < MAX_REPORTED_ERRORS:
            errors.append(RowError(row, field, message))

    for number, row in _reader(open_file):
        count += 1
        try:
            values = _device_values(row)
        except ValidationError as error:
            for field, messages in field_errors(error.messages).items():
                add(number, field, " ".join(messages))
            values = None
        location = row.get("location", "")
        if location and location.lower() not in locations:
            add(
                number,
                "location",
                _("Locatie ‘%(name)s’ bestaat niet. Maak haar eerst aan.", name=location),
            )
        tag = row.get("asset_tag", "").upper()
        untagged += not tag
        if tag:
            if parse_printed_tag(tag) is None:
                add(number, "asset_tag", _("Een inventarisnummer ziet eruit als UIT-00042."))
            elif _fingerprint(tag) in seen_tags:
                add(
                    number,
                    "asset_tag",
                    _(
                        "%(tag)s staat ook op regel %(row)s.",
                        tag=tag,
                        row=seen_tags[_fingerprint(tag)],
                    ),
                )
            else:
                seen_tags[_fingerprint(tag)] = number
        if values is not None:
            serial = service.normalise_serial(values.get("serial", ""))
            same = serial_key(serial)
            key = _fingerprint(same)
            if same and key in seen_serials:
                add(
                    number,
                    "serial",
                    _(
                        "Serienummer %(serial)s van %(make)s staat ook op regel %(row)s.",
                        serial=serial,
                        make=values["make"],
                        row=seen_serials[key],
                    ),
                )
            elif same:
                seen_serials[key] = number
            pending.append((number, same, serial, tag))
            if spool is not None and not total[0]:
                spool.write(json.dumps(_insert_values(values, row, serial, tag)) + "\n")
        if len(pending) >= BATCH:
            _check_existing(pending, add)
            pending = []
    _check_existing(pending, add)
    if count == 0 and not errors:
        add(1, "file", _("Het bestand bevat geen regels met apparaten."))
    return CheckResult(count, errors, total[0], untagged)


def _fingerprint(*parts: str) -> int:
    """64 bits of BLAKE2: a false "duplicate" is a 1 in 10^9 chance at 100,000 rows."""
    digest = hashlib.blake2b("\0".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _check_existing(pending: list[tuple[int, str, str, str]], add) -> None:
    """Serials and tags of one batch that the database already knows."""
    keys = {key for _row, key, _serial, _tag in pending if key}
    tags = {tag for *_rest, tag in pending if tag}
    known: dict[str, tuple[str, str]] = {}  # serial key -> tag and state, one on loan first
    if keys:
        for key, known_tag, state in db.session.execute(
            select(Device.serial_key, Device.asset_tag, Device.state).where(
                Device.serial_key.in_(keys)
            )
        ):
            if key not in known or state == "on_loan":
                known[key] = (known_tag, state)
    known_tags = (
        set(db.session.scalars(select(Device.asset_tag).where(Device.asset_tag.in_(tags))))
        if tags
        else set()
    )
    for number, key, serial, tag in pending:
        if key in known and known[key][1] == "on_loan":
            add(
                number,
                "serial",
                _(
                    "Serienummer %(serial)s hoort bij %(tag)s, en dat apparaat is nu "
                    "uitgeleend. Het is hetzelfde apparaat: haal deze regel weg en laat de "
                    "balie het terugnemen via de uitlening.",
                    serial=serial,
                    tag=known[key][0],
                ),
            )
        elif key in known:
            add(
                number,
                "serial",
                _(
                    "Er staat al een apparaat met serienummer %(serial)s in het systeem. "
                    "Haal deze regel weg of registreer het apparaat met de hand.",
                    serial=serial,
                ),
            )
        if tag in known_tags:
            add(number, "asset_tag", _("%(tag)s bestaat al.", tag=tag))


def _insert_values(values: dict, row: dict, serial: str, tag: str) -> dict:
    """What the import pass needs of one checked row."""
    device = {k: v for k, v in values.items() if k in service.DEVICE_FIELDS}
    device |= {
        "make": values["make"].strip(),
        "serial": serial,
        "serial_key": serial_key(serial),
    }
    device["storage_type"] = device.get("storage_type") or ""
    return {
        "device": device,
        "tag": tag,
        "donor": row.get("donor", "").strip(),
        "donor_is_organisation": _flag(row.get("donor_is_organisation", "")),
        "donor_wants_certificate": _flag(row.get("donor_wants_certificate", "")),
        "location": row.get("location", "").lower(),
    }


def rows_in(path) -> int:
    """About how many rows a file has (its lines but the header): enough for a progress bar."""
    with open(path, "rb") as handle:
        return max(sum(1 for _line in handle) - 1, 0)


def import_job(actor_id: int | None, reference: str) -> dict:
    """The import as background work (uitleen.tasks): all rows or none, committed here.

    Returns {"imported": n}, or {"refused": ...}, the rows' errors (CheckResult.from_dict).
    """
    actor = db.session.get(User, actor_id) if actor_id is not None else None
    with tasks.received(reference, spool_dir(), suffix=".csv") as path:
        try:
            count = import_rows(actor, opener(path), tasks.progress)
        except ImportRefused as refused:
            db.session.rollback()
            return {"refused": asdict(refused.result)}
        db.session.commit()
    return {"imported": count}


def import_rows(
    actor: User | None,
    open_file: Callable[[], io.TextIOBase],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Check every row, then insert them in batches; raises ImportRefused and writes
    nothing when any row is wrong. The caller commits (one transaction)."""
    # Unnamed (gone when closed, or when the process dies), in the app's own folder.
    with tempfile.TemporaryFile("w+", encoding="utf-8", dir=spool_dir()) as spool:
        result = check(open_file, spool)
        if result.error_count:
            raise ImportRefused(result)
        spool.seek(0)
        return _import_spool(actor, spool, result, progress)


def _import_spool(actor: User | None, spool: IO[str], result: CheckResult, progress) -> int:
    given = 0
    for line in spool:
        number = parse_printed_tag(json.loads(line)["tag"])
        if number:
            given = max(given, number)
    if given:
        service.raise_counter_to(service.ASSET_TAG_COUNTER, given)
    # One reservation for all rows without a tag of their own.
    next_number = (
        service.reserve(service.ASSET_TAG_COUNTER, result.untagged) if result.untagged else 0
    )
    donors = _Donors(actor)
    locations = {
        name.lower(): id_ for id_, name in db.session.execute(select(Location.id, Location.name))
    }
    now = utcnow()
    batch: list[dict] = []
    done = 0
    spool.seek(0)
    for line in spool:
        item = json.loads(line)
        tag = item["tag"]
        if not tag:
            tag = service.format_tag(next_number)
            next_number += 1
        batch.append(
            {
                **item["device"],
                "asset_tag": tag,
                "public_token": service.new_label_token(),
                "qr_matrix": None,
                "qr_url": None,
                "donor_id": donors.id_for(item),
                "location_id": locations.get(item["location"]),
                "state": "intake",
                "state_changed_at": now,
                "cycle_started_at": now,
                "created_at": now,
            }
        )
        if len(batch) >= BATCH:
            done += _insert(actor, batch)
            batch = []
            if progress:
                progress(done)
    if batch:
        done += _insert(actor, batch)
        if progress:
            progress(done)
    audit.record(actor, "devices.imported", ("devices", "bulk"), rows=done)
    db.session.flush()
    return done


_DEVICE_DEFAULTS = {
    "kind": "laptop",
    "cpu": "",
    "ram_gb": None,
    "storage_gb": None,
    "battery_health": None,
    "screen_inches": None,
    "os_licence": "",
    "condition_grade": "B",
    "condition_notes": "",
    "notes": "",
    "model": "",
    "serial": "",
}


def _insert(actor: User | None, batch: list[dict]) -> int:
    """One multi-row INSERT for the devices and one for their 'registered' events."""
    # Core executemany on the tables: the ORM's bulk path would inspect every row.
    db.session.execute(Device.__table__.insert(), [_DEVICE_DEFAULTS | row for row in batch])
    # Ids by tag in one indexed query: cheaper than RETURNING, which SQLite would have to
    # run row by row to keep the order.
    tags = [row["asset_tag"] for row in batch]
    ids = db.session.execute(
        select(Device.id, Device.asset_tag).where(Device.asset_tag.in_(tags))
    ).all()
    audit.record_many(
        actor,
        "device.registered",
        "devices",
        [id_ for id_, _tag in ids],
        each={id_: {"asset_tag": tag} for id_, tag in ids},
        source="import",
    )
    return len(ids)


class _Donors:
    """Donors by name: found once, or made once, per import."""

    def __init__(self, actor: User | None):
        self.actor = actor
        self.ids: dict[str, int] = {}

    def id_for(self, item: dict) -> int | None:
        name = item["donor"]
        if not name:
            return None
        key = name.lower()
        if key not in self.ids:
            found = db.session.scalars(
                select(Donor.id).where(func.lower(Donor.name) == key).limit(1)
            ).first()
            if found is None:
                found = service.create_donor(
                    self.actor,
                    name,
                    item["donor_is_organisation"],
                    "",
                    item["donor_wants_certificate"],
                ).id
            self.ids[key] = found
        return self.ids[key]


def export_rows(query=None) -> Iterator[list]:
    """The CSV rows (header first) of all devices, streamed in id order."""
    yield list(COLUMNS)
    statement = (
        select(Device, Donor.name, Donor.is_organisation, Donor.wants_certificate, Location.name)
        .outerjoin(Donor, Device.donor_id == Donor.id)
        .outerjoin(Location, Device.location_id == Location.id)
        .order_by(Device.id)
        .execution_options(yield_per=BATCH)
    )
    for device, donor, organisation, certificate, location in db.session.execute(statement):
        yield [
            device.asset_tag,
            device.kind,
            device.make,
            device.model,
            device.serial,
            device.cpu,
            _text(device.ram_gb),
            _text(device.storage_gb),
            device.storage_type,
            _text(device.battery_health),
            _text(device.screen_inches),
            device.os_licence,
            device.condition_grade,
            device.condition_notes,
            donor or "",
            ("ja" if organisation else "nee") if donor else "",
            ("ja" if certificate else "nee") if donor else "",
            location or "",
            device.notes,
        ]
        db.session.expunge(device)


def _text(value) -> str:
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)
