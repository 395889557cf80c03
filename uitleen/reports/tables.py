"""A report as titled tables of (label, number): one shape for the page, the CSV and the PDF."""

from dataclasses import dataclass

from babel import Locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from uitleen.i18n import current_language
from uitleen.reports.service import Report

DEVICE_LABELS = {
    "received": lazy_gettext("Apparaten binnengekomen"),
    "wiped": lazy_gettext("Apparaten gewist"),
    "issued": lazy_gettext("Apparaten uitgegeven (lening of schenking)"),
    "returned": lazy_gettext("Apparaten teruggebracht"),
    "recycled": lazy_gettext("Apparaten gerecycled"),
}

CATEGORY_LABELS = {
    "no_start": lazy_gettext("Gaat niet aan"),
    "no_internet": lazy_gettext("Geen internet"),
    "password": lazy_gettext("Wachtwoord"),
    "broken": lazy_gettext("Kapot"),
    "sound_camera": lazy_gettext("Geluid of camera"),
    "other": lazy_gettext("Iets anders"),
}


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    rows: list[tuple[str, int]]


def language_name(code: str) -> str:
    """A language code as a name in the reader's language: 'ar' -> 'Arabisch'."""
    try:
        names = Locale.parse(current_language()).languages
    except (ValueError, TypeError):
        names = {}
    return names.get(code, code) or code


def _or_none(rows: list[tuple[str, int]]) -> list[tuple[str, int]]:
    return rows or [(_("Geen"), 0)]


def report_tables(report: Report) -> list[Table]:
    """The sections of a funder report, labelled in the reader's language."""
    unknown = _("(niet ingevuld)")
    return [
        Table(
            "devices",
            _("Apparaten"),
            [(str(DEVICE_LABELS[key]), n) for key, n in report.devices.items()],
        ),
        Table(
            "households",
            _("Huishoudens"),
            [
                (_("Huishoudens geholpen (apparaat of voucher)"), report.households_served),
                (_("Nieuwe huishoudens ingeschreven"), report.households_new),
            ],
        ),
        Table(
            "partners",
            _("Geholpen huishoudens per verwijzer"),
            _or_none([(partner or unknown, n) for partner, n in report.per_partner]),
        ),
        Table(
            "languages",
            _("Geholpen huishoudens per taal"),
            _or_none([(language_name(lang), n) for lang, n in report.per_language]),
        ),
        Table(
            "vouchers",
            _("Internetvouchers uitgegeven per aanbieder"),
            _or_none(report.vouchers_per_provider),
        ),
        Table(
            "help",
            _("Hulpvragen per soort"),
            _or_none([(str(CATEGORY_LABELS.get(c, c)), n) for c, n in report.help_per_category]),
        ),
    ]


def csv_rows(report: Report, organisation: str) -> list[list[object]]:
    """The report as CSV rows: a header, then (section, item, number) per figure."""
    period = report.period
    rows: list[list[object]] = [
        [_("Onderdeel"), _("Wat"), _("Aantal")],
        [_("Organisatie"), organisation, ""],
        [_("Periode"), f"{period.start.isoformat()} – {period.end.isoformat()}", ""],
    ]
    for table in report_tables(report):
        rows.extend([table.title, label, n] for label, n in table.rows)
    return rows
