"""Display names the devices pages and PDFs show for stored codes."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext

KIND_NAMES = {
    "laptop": lazy_gettext("Laptop"),
    "desktop": lazy_gettext("Computer"),
    "tablet": lazy_gettext("Tablet"),
    "phone": lazy_gettext("Telefoon"),
    "other": lazy_gettext("Overig"),
}


# How a volunteer says it: the kind of storage, not the code stored.
STORAGE_NAMES = {
    "ssd": lazy_gettext("SSD"),
    "hdd": lazy_gettext("Harde schijf (HDD)"),
    "nvme": lazy_gettext("NVMe-SSD"),
    "emmc": lazy_gettext("eMMC (vast ingebouwd geheugen)"),
    "other": lazy_gettext("Andere opslag"),
}


DISK_RESULT_NAMES = {
    "passed": lazy_gettext("geslaagd"),
    "failed": lazy_gettext("mislukt"),
    "aborted": lazy_gettext("afgebroken"),
}


VERIFICATION_NAMES = {
    "none": lazy_gettext("geen"),
    "last": lazy_gettext("laatste ronde"),
    "all": lazy_gettext("alle rondes"),
}


# What a volunteer does next with a device in each state (the queue pages say this).
NEXT_STEP = {
    "intake": lazy_gettext("Wissen: start het wissen en leg de wisbeurt vast."),
    "wiping": lazy_gettext("Wisbeurt vastleggen of het nwipe-logboek inlezen."),
    "wiped": lazy_gettext("Software installeren en vastleggen."),
    "software": lazy_gettext("Software afmaken en vastleggen."),
    "qc": lazy_gettext("Controle doen; als alles goed is: klaar voor uitleen."),
    "ready": lazy_gettext("Klaar: wacht op uitleen."),
    "returned": lazy_gettext("Opnieuw wissen voordat het weer uitgaat."),
    "repair": lazy_gettext("Repareren, daarna opnieuw controleren."),
}


def format_bytes(size: int) -> str:
    """Disk sizes as makers print them: decimal units, three significant figures."""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if value >= 100 or unit == "B" else f"{value:.3g} {unit}"
        value /= 1000
    return f"{size} B"  # pragma: no cover - the loop always returns


def review_reason_text(reason: dict) -> str:
    """One review reason as a sentence in the reader's language."""
    texts = {
        "disk_too_small": _(
            "De grootste gewiste schijf is %(found)s, maar bij de intake staat %(recorded)s "
            "opslag. Is dit wel de schijf van dit apparaat?"
        ),
        "disk_serial_changed": _(
            "Schijf %(found)s is nieuw: eerder is bij dit apparaat %(known)s gewist. Is de "
            "schijf vervangen, of hoort dit logboek bij een ander apparaat?"
        ),
        "snapshot_disk_not_wiped": _(
            "De hardware-opname vond ook schijf %(missing)s, maar dit logboek wist die niet. "
            "Wis ook die schijf, of kijk of de opname bij dit apparaat hoort."
        ),
        "system_serial_differs": _(
            "Het logboek komt van een computer met serienummer %(found)s; dit apparaat heeft "
            "serienummer %(known)s."
        ),
    }
    values = {key: value for key, value in reason.items() if key != "code"}
    return texts.get(reason.get("code"), str(reason.get("code"))) % values
