"""What an erasure certificate states, and may state: its data, the rule that only a
complete, passed erasure of every disk gets one, and the words and dates it prints.

uitleen.devices.certificate draws these facts on the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from babel.dates import format_date, format_datetime
from flask_babel import gettext as _
from flask_babel import ngettext

from uitleen.devices.wipelog import UNREADABLE_SERIAL, DiskResult, NistClass, Verification
from uitleen.errors import Refusal
from uitleen.i18n import current_language


class CertificateError(Refusal):
    """The data does not allow a certificate; the message says why and what to do."""


@dataclass(frozen=True)
class CertificateDevice:
    asset_tag: str
    kind: str
    make: str
    model: str
    serial: str | None = None


@dataclass(frozen=True)
class CertificateDisk:
    """One wiped (or destroyed) disk as recorded in the wipe record."""

    model: str
    serial: str | None
    method: str
    nist_class: NistClass | None
    passes: int | None
    verification: Verification | None
    result: DiskResult
    finished_at: datetime
    operator: str
    tool: str | None = None
    tool_version: str | None = None
    size: str | None = None  # "256 GB", as the maker counts


@dataclass(frozen=True)
class CertificateData:
    number: str
    organisation_name: str
    organisation_address: str
    organisation_phone: str
    donor_name: str
    device: CertificateDevice
    issued_on: date
    disks: Sequence[CertificateDisk]
    log_sha256: str | None = None  # of the original wipe log, when there is one
    # The disks a hardware snapshot found in the device, one line each, so a reader can
    # compare them with the wiped disks: "Samsung SSD 850 · S33HNX0J203755R · 500 GB".
    found_disks: Sequence[str] = ()
    verification_url: str | None = None  # the public page that confirms the facts


def check(data: CertificateData) -> None:
    """Refuse anything that is not a complete, passed erasure of every disk."""
    if not data.number.strip():
        raise CertificateError(_("Het certificaat heeft geen nummer."), code="no_number")
    if not data.disks:
        raise CertificateError(
            _("Geen certificaat mogelijk: er is geen gewiste schijf vastgelegd."),
            code="no_disks",
        )
    for disk in data.disks:
        name = disk_name(disk)
        if DiskResult(disk.result) is not DiskResult.PASSED:
            raise CertificateError(
                _(
                    "Geen certificaat mogelijk: schijf %(disk)s is niet goed gewist. "
                    "Wis de schijf opnieuw of vernietig hem, en maak daarna het certificaat.",
                    disk=name,
                ),
                code="not_passed",
            )
        if disk.nist_class is None:
            raise CertificateError(
                _(
                    "Geen certificaat mogelijk: van de methode \u201c%(method)s\u201d (schijf "
                    "%(disk)s) is niet bekend welk NIST-niveau die haalt.",
                    method=disk.method,
                    disk=name,
                ),
                code="unknown_method",
            )


def disk_name(disk: CertificateDisk) -> str:
    return f"{disk.model} ({serial_text(disk.serial)})" if disk.serial else disk.model


def serial_text(serial: str | None) -> str:
    """A serial as printed: unreadable bytes say so and show their hex, never as boxes."""
    if not serial:
        return "\u2013"
    if serial.startswith(UNREADABLE_SERIAL):
        return _("onleesbaar (hex %(bytes)s)", bytes=serial.removeprefix(UNREADABLE_SERIAL))
    return serial


def date_text(value: date) -> str:
    return format_date(value, format="long", locale=current_language())


def datetime_text(value: datetime) -> str:
    """Local wall-clock time with its zone (the caller passes a local, aware moment)."""
    text = format_datetime(value, format="d MMM y HH:mm", locale=current_language())
    return f"{text} {value.tzname()}" if value.tzinfo is not None else text


def level_order(level: NistClass) -> int:
    return [NistClass.CLEAR, NistClass.PURGE, NistClass.DESTROY].index(level)


def level_name(level: NistClass) -> str:
    """NIST's own English level names; they are terms of the standard, not translated."""
    return {NistClass.CLEAR: "Clear", NistClass.PURGE: "Purge", NistClass.DESTROY: "Destroy"}[level]


def verification_text(verification: Verification | None) -> str:
    if verification is None:
        return "\u2013"
    return {
        Verification.NONE: _("Niet gecontroleerd"),
        Verification.LAST: _("Laatste doorgang gecontroleerd"),
        Verification.ALL: _("Elke doorgang gecontroleerd"),
    }[Verification(verification)]


def passes_text(passes: int | None) -> str | None:
    if not passes:
        return None
    return ngettext("%(num)s doorgang", "%(num)s doorgangen", passes)


def tool_text(disk: CertificateDisk) -> str | None:
    if not disk.tool:
        return None
    return f"{disk.tool} {disk.tool_version}" if disk.tool_version else disk.tool
