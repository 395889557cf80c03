"""Printing device labels and rotating a device's label token.

Plain functions with the actor first; they flush but never commit (the view or CLI does).
Drawing is done by uitleen.labels.render; this module picks the devices, checks the
request, writes the audit events and hands over the label contents.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from uitleen.audit.service import record, record_many
from uitleen.devices import lifecycle
from uitleen.devices import service as devices
from uitleen.devices.models import Device, RetiredToken
from uitleen.devices.signals import label_retired
from uitleen.errors import Invalid, field_error
from uitleen.extensions import db
from uitleen.i18n import SUPPORTED
from uitleen.inputs import MAX_ID
from uitleen.labels.formats import LabelFormat, LabelFormatError, load_format
from uitleen.labels.reach import print_refusal, test_label_notice
from uitleen.labels.render import LANGUAGE_SEPARATOR, LabelContent, render_labels
from uitleen.qr import QrMatrix
from uitleen.settings import service as settings

#: More labels than this in one job is refused: a city's whole stock fits, a typo does not.
MAX_LABELS = 20_000
MAX_COPIES = 100
REASON_MAX = 200
_FORMAT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$")
_SPLIT = re.compile(r"[\s,;]+")
_CHUNK = 500  # ids per IN (…) query: well under every database's parameter limit


@dataclass(frozen=True)
class LabelDevice:
    """The public columns of a device that a label needs."""

    id: int
    asset_tag: str
    public_token: str
    qr_matrix: bytes | None


@dataclass(frozen=True)
class PrintRun:
    """A print job that has been checked and logged: which devices, how, where to start."""

    job_id: str
    fmt: LabelFormat
    start: int
    devices: list[LabelDevice]
    copies: int
    help_text: str
    phone_text: str
    notice: str = ""  # "test label" when no phone can open the labels' address
    languages_text: str = ""  # "Hulp? · Help? · …", where the label has room

    @property
    def count(self) -> int:
        return len(self.devices) * self.copies

    @property
    def filename(self) -> str:
        return f"labels-{self.fmt.id}-{self.count}.pdf"

    def labels(self) -> Iterator[LabelContent]:
        """What each label shows, made as the renderer asks for it."""
        help_line = self.notice or self.help_text
        for row in self.devices:
            matrix = QrMatrix.from_bytes(row.qr_matrix) if row.qr_matrix else None
            url = devices.label_url(row.public_token)
            content = LabelContent(
                row.asset_tag, url, matrix, help_line, self.phone_text, self.languages_text
            )
            yield from [content] * self.copies

    def job_input(self) -> dict:
        """The labels as JSON for a worker process (a device without a matrix gets None)."""
        labels = []
        for row in self.devices:
            matrix = base64.b64encode(row.qr_matrix).decode() if row.qr_matrix else None
            labels += [[row.asset_tag, devices.label_url(row.public_token), matrix]] * self.copies
        return {
            "format_path": str(formats_dir() / f"{self.fmt.id}.toml"),
            "start": self.start,
            "notice": self.notice,
            "help_text": self.notice or self.help_text,
            "phone_text": self.phone_text,
            "languages_text": self.languages_text,
            "labels": labels,
        }


def draw(run: PrintRun) -> bytes:
    """Draw a small run in this process, as PDF.

    A device whose code is not stored yet (a bulk import leaves it out, a new base URL or
    encoder makes it stale) gets it made here, as drawing would have, and stored, so the
    next print draws it as it is. The CPU work runs with no transaction open; storing is
    one short UPDATE after it. The caller commits before and after.
    """
    made = {
        row.id: devices.qr_matrix_for(row.public_token) for row in run.devices if not row.qr_matrix
    }
    if made:
        rows = [replace(row, qr_matrix=made.get(row.id, row.qr_matrix)) for row in run.devices]
        run = replace(run, devices=rows)
    pdf = render_labels(run.fmt, run.labels(), run.start, notice=run.notice)
    if made:
        devices.store_qr_matrices(
            {row.public_token: made[row.id] for row in run.devices if row.id in made}
        )
    return pdf


# --- formats ---------------------------------------------------------------------------


def formats_dir() -> Path:
    return Path(current_app.config["UITLEEN_LABELS_DIR"])


def format_ids() -> list[str]:
    """The ids of the formats in the labels folder (file names without .toml), sorted."""
    return sorted(path.stem for path in formats_dir().glob("*.toml"))


def format_choices() -> list[LabelFormat]:
    """Every format that loads; a broken file is left out here and named when chosen."""
    choices = []
    for format_id in format_ids():
        try:
            choices.append(load_format(format_id, formats_dir()))
        except LabelFormatError:
            current_app.logger.warning("label format %s does not load", format_id)
    return choices


def get_format(format_id: str) -> LabelFormat:
    """A format by id; an unknown id or a broken file is a 422 on the field 'format'."""
    known = format_ids()
    # Only ids from the folder listing reach load_format, which also accepts paths.
    if not _FORMAT_ID.match(format_id or "") or format_id not in known:
        raise field_error(
            "format",
            _("Dit etiketformaat kennen we niet. Kies een van: %(ids)s.", ids=", ".join(known)),
            "unknown_format",
        )
    try:
        return load_format(format_id, formats_dir())
    except LabelFormatError as error:
        raise field_error(
            "format",
            _(
                "Het bestand van dit etiketformaat klopt niet (%(error)s). "
                "Kies een ander formaat en vraag de coördinator het bestand te herstellen.",
                error=str(error),
            ),
            "bad_format",
        ) from None


def check_start(fmt: LabelFormat, start: int) -> None:
    """The first label's position must be on the sheet."""
    if not 1 <= start <= fmt.labels_per_page:
        raise field_error(
            "start",
            _(
                "Kies een startpositie van 1 tot en met %(n)s: %(name)s heeft %(n)s "
                "etiketten per vel.",
                n=fmt.labels_per_page,
                name=fmt.name,
            ),
            "start_out_of_range",
        )


def _checked_format(format_id: str, start: int) -> LabelFormat:
    fmt = get_format(format_id)
    check_start(fmt, start)
    return fmt


def _all_or_errors(*checks: Callable) -> list:
    """Run every check, so a form can say everything that is wrong at once."""
    results, refusals = [], []
    for check in checks:
        try:
            results.append(check())
        except Invalid as refusal:
            refusals.append(refusal)
    if len(refusals) == 1:
        raise refusals[0]
    if refusals:
        errors = {
            field: messages for refusal in refusals for field, messages in refusal.errors.items()
        }
        raise Invalid(
            _("Niet alles is goed ingevuld. Kijk bij de velden wat er mis is."), errors=errors
        )
    return results


# --- choosing devices ------------------------------------------------------------------


def split_tags(text: str) -> list[str]:
    """Tags or scanned label URLs as typed or scanned into a text box, one or more a line."""
    return [part for part in _SPLIT.split(text or "") if part]


def _rows(condition) -> list[LabelDevice]:
    query = select(
        Device.id, Device.asset_tag, Device.public_token, Device.qr_matrix, Device.qr_url
    ).where(condition)
    return [
        LabelDevice(ident, tag, token, devices.usable_matrix(matrix, qr_url, token))
        for ident, tag, token, matrix, qr_url in db.session.execute(query.order_by(Device.id))
    ]


def _in_chunks(column, values: Sequence) -> list[LabelDevice]:
    found = []
    for first in range(0, len(values), _CHUNK):
        found.extend(_rows(column.in_(values[first : first + _CHUNK])))
    return found


def _by_ids(device_ids: Sequence[int]) -> list[LabelDevice]:
    # An id no primary key can hold is simply unknown (PostgreSQL would refuse the query).
    possible = [device_id for device_id in dict.fromkeys(device_ids) if 0 < device_id <= MAX_ID]
    found = {row.id: row for row in _in_chunks(Device.id, possible)}
    missing = [str(device_id) for device_id in device_ids if device_id not in found]
    if missing:
        raise field_error(
            "device_ids",
            _("Deze apparaten bestaan niet: %(ids)s.", ids=", ".join(missing)),
            "unknown_device",
        )
    return [found[device_id] for device_id in device_ids]


def _by_tags(tags: Sequence[str]) -> list[LabelDevice]:
    """Devices by typed tag ('42', 'uit-42', 'UIT-00042') or scanned label URL, in order."""
    lookups = [(raw, devices.parse_lookup(raw)) for raw in tags]
    asset_tags = [lookup.tag for _raw, lookup in lookups if lookup.tag]
    tokens = [lookup.token for _raw, lookup in lookups if lookup.token]
    found = _in_chunks(Device.asset_tag, asset_tags) + _in_chunks(Device.public_token, tokens)
    by_tag = {row.asset_tag: row for row in found}
    by_token = {row.public_token: row for row in found}
    rows, unknown = [], []
    for raw, lookup in lookups:
        row = by_token.get(lookup.token) if lookup.token else by_tag.get(lookup.tag)
        if row is None:
            unknown.append(raw)
        else:
            rows.append(row)
    if unknown:
        raise field_error(
            "tags",
            _(
                "Deze nummers of labels kennen we niet: %(tags)s. Controleer ze of haal ze weg.",
                tags=", ".join(unknown),
            ),
            "unknown_tag",
        )
    return rows


def select_devices(
    device_ids: Sequence[int] = (), tags: Sequence[str] = (), state: str | None = None
) -> list[LabelDevice]:
    """The chosen devices in the order given (ids, then tags, then a state by tag), once each."""
    if not device_ids and not tags and not state:
        raise field_error(
            "device_ids",
            _("Kies minstens één apparaat: vink apparaten aan, typ nummers of kies een status."),
            "nothing_chosen",
        )
    by_ids, by_tags = _all_or_errors(lambda: _by_ids(device_ids), lambda: _by_tags(tags))
    rows = by_ids + by_tags
    if state:
        # "ready" selects what can really be lent, as every other ready list does.
        rows += _rows(lifecycle.ready_to_lend() if state == "ready" else Device.state == state)
    unique, seen = [], set()
    for row in rows:
        if row.id not in seen:
            seen.add(row.id)
            unique.append(row)
    if not unique:
        raise field_error("state", _("Er zijn geen apparaten met deze status."), "nothing_in_state")
    return unique


# --- printing --------------------------------------------------------------------------


def help_text() -> str:
    """The line beside the pictogram, in the organisation's own language (not the staff's)."""
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "nl")):
        return _("Hulp nodig? Scan mij")


def languages_text() -> str:
    """'Help?' in every language of the help page, the organisation's own first."""
    default = current_app.config.get("BABEL_DEFAULT_LOCALE", "nl")
    words = []
    for code in sorted(SUPPORTED, key=lambda code: code != default):
        with force_locale(code):
            words.append(_("Hulp?"))
    return LANGUAGE_SEPARATOR.join(dict.fromkeys(words))


def prepare_print(
    actor,
    format: str,
    device_ids: Sequence[int] = (),
    tags: Sequence[str] = (),
    state: str | None = None,
    start: int = 1,
    copies: int = 1,
) -> PrintRun:
    """Check a print request, log it, and return the labels to draw.

    One event per device ('label.printed', so the device's history shows it) and one for
    the job ('label.print_job', with the count and device ids).
    """
    refusal = print_refusal()
    if refusal:
        raise Invalid(refusal, code="base_url_unreachable")
    fmt, rows = _all_or_errors(
        lambda: _checked_format(format, start), lambda: select_devices(device_ids, tags, state)
    )
    count = len(rows) * copies
    if count > MAX_LABELS:
        raise field_error(
            "copies",
            _(
                "Dit zijn %(count)s etiketten; in één keer kunnen er hoogstens %(max)s. "
                "Kies minder apparaten of minder exemplaren.",
                count=count,
                max=MAX_LABELS,
            ),
            "too_many_labels",
        )
    job_id = secrets.token_hex(8)
    ids = [row.id for row in rows]
    record(
        actor,
        "label.print_job",
        ("label_jobs", job_id),
        format=fmt.id,
        start=start,
        copies=copies,
        count=count,
        device_ids=ids,
    )
    # Each device's history points at the job event above.
    record_many(actor, "label.printed", Device.__tablename__, ids, job=job_id, format=fmt.id)
    db.session.flush()
    phone = str(settings.get("org_phone"))
    return PrintRun(
        job_id,
        fmt,
        start,
        rows,
        copies,
        help_text(),
        phone,
        test_label_notice(),
        languages_text(),
    )


# --- rotation --------------------------------------------------------------------------


def rotation_reason(device: Device, reason: str) -> str:
    """The reason, tidied; required for a device on loan (its household's label dies)."""
    reason = " ".join((reason or "").split())[:REASON_MAX]
    if device.state == "on_loan" and not reason:
        raise field_error(
            "reason",
            _(
                "Schrijf op waarom het label vervangen wordt. Het huishouden heeft dit "
                "apparaat, en hun label werkt daarna niet meer."
            ),
            "reason_required",
        )
    return reason


def rotate_token(actor, device: Device, reason: str = "") -> Device:
    """Retire the device's label token and give it a new one; the old URL says 'not in use'.

    For a device on loan the household's label dies with it: a reason is required, and
    the news (devices.signals.label_retired) puts a 'new label to hand over' task on the
    loan. The RetiredToken primary key makes a second, simultaneous rotation of the same
    token fail (409) instead of retiring it twice.
    """
    reason = rotation_reason(device, reason)
    db.session.add(RetiredToken(token=device.public_token, device_id=device.id))
    devices.assign_token(device)
    db.session.flush()
    record(actor, "label.rotated", device, asset_tag=device.asset_tag, reason=reason)
    label_retired.send(device, actor=actor, reason=reason)
    return device


def retired_count(device: Device) -> int:
    """How many earlier labels of this device no longer work."""
    query = select(func.count()).where(RetiredToken.device_id == device.id)
    return db.session.scalar(query.select_from(RetiredToken))
