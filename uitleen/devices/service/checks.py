"""Software installs and quality checks, with their checklists."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext

from uitleen.audit.service import record
from uitleen.auth.models import User
from uitleen.db import utcnow
from uitleen.devices import lifecycle
from uitleen.devices.models import (
    Device,
    QualityCheck,
    SoftwareInstall,
)
from uitleen.devices.service.moves import _advance, _refuse_workshop_work
from uitleen.errors import Conflict, Invalid
from uitleen.extensions import db
from uitleen.settings import service as settings

QC_RESULTS = ("pass", "fail", "na")
# The checklist items a hardware snapshot can fail (the default checklist's names).
QC_STORAGE_ITEM = "Opslag (schijf)"
QC_BATTERY_ITEM = "Accu houdt lading"


# A software item is done, not done or not applicable; stored as true / false / null, so
# rows from before n.v.t. existed (only true and false) read the same.
SOFTWARE_ANSWERS = {"done": True, "not_done": False, "na": None}


@dataclass(frozen=True)
class Checklist:
    """One checklist: the setting with its items, the field its answers come in, the
    answers it takes, and the control that answers every item at once."""

    setting: str
    field: str
    choices: tuple[str, ...]
    all_value: str
    all_field: str
    all_name: str
    ask: str  # said at an item without a fitting answer
    how: str  # how to answer per item


SOFTWARE = Checklist(
    setting="software_checklist",
    field="checklist",
    choices=tuple(SOFTWARE_ANSWERS),
    all_value="done",
    all_field="all_done",
    all_name=lazy_gettext("Alles gedaan"),
    ask=lazy_gettext("Kies gedaan, niet gedaan of n.v.t."),
    how=lazy_gettext("Kies per punt gedaan (done), niet gedaan (not_done) of n.v.t. (na)."),
)
QC = Checklist(
    setting="qc_checklist",
    field="results",
    choices=QC_RESULTS,
    all_value="pass",
    all_field="all_pass",
    all_name=lazy_gettext("Alles in orde"),
    ask=lazy_gettext("Kies goed, fout of n.v.t."),
    how=lazy_gettext("Kies per punt goed (pass), fout (fail) of n.v.t. (na)."),
)


def _answers(checklist: Checklist, given: dict, at_once: bool) -> tuple[dict, str]:
    """Every item answered on purpose: one by one, or all at once by the explicit control.

    Nothing is assumed for an item nobody answered. Returns the answers and how they were
    given ("per_item" or "all_at_once") for the audit event.
    """
    items = settings.get(checklist.setting)
    field, all_value, all_field = checklist.field, checklist.all_value, checklist.all_field
    choices = checklist.choices
    all_name, ask, how = str(checklist.all_name), str(checklist.ask), str(checklist.how)
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(given) - set(items))
    if unknown:
        errors[field] = [
            _("Deze punten staan niet op de lijst: %(items)s.", items=", ".join(unknown))
        ]
    for item in items:
        if item in given and not (isinstance(given[item], str) and given[item] in choices):
            errors[f"{field}.{item}"] = [ask]
    if at_once:
        contrary = [item for item in items if item in given and given[item] != all_value]
        if contrary:
            for item in contrary:
                errors[f"{field}.{item}"] = [
                    _("Dit past niet bij ‘%(control)s’.", control=all_name)
                ]
            errors[all_field] = [
                _(
                    "U koos ‘%(control)s’, maar bij %(items)s koos u iets anders. Haal "
                    "‘%(control)s’ weg en kies per punt, of pas die punten aan.",
                    control=all_name,
                    items=", ".join(contrary),
                )
            ]
            raise Invalid(
                _(
                    "‘%(control)s’ (%(field)s) en het antwoord bij %(items)s spreken elkaar "
                    "tegen. Stuur alleen %(field)s, of alleen een antwoord per punt.",
                    control=all_name,
                    field=all_field,
                    items=", ".join(contrary),
                ),
                code="all_at_once_contradicted",
                errors=errors,
            )
    else:
        missing = [item for item in items if item not in given]
        for item in missing:
            errors[f"{field}.{item}"] = [ask]
        if missing:
            raise Invalid(
                _(
                    "Nog geen antwoord bij: %(items)s. %(how)s Of kies ‘%(control)s’ "
                    "(%(field)s) als dat voor elk punt klopt.",
                    items=", ".join(missing),
                    how=how,
                    control=all_name,
                    field=all_field,
                ),
                code="checklist_incomplete",
                errors=errors,
            )
    if errors:
        raise Invalid(_("Niet elk antwoord past. Kijk bij de punten."), errors=errors)
    if at_once:
        return dict.fromkeys(items, all_value), "all_at_once"
    return {item: given[item] for item in items}, "per_item"


def _work(actor: User | None, device: Device, notes: str) -> dict:
    """The columns every record of work on a device has: which device, who, when, notes."""
    return {
        "device_id": device.id,
        "notes": notes or "",
        "operator_id": actor.id if actor is not None else None,
        "recorded_at": utcnow(),
    }


def _save_check(
    actor: User | None, device: Device, answers: dict, notes: str, answered: str, failed: list
) -> QualityCheck:
    """Store a quality check and its audit event; passed when no item failed."""
    check = QualityCheck(results=answers, passed=not failed, **_work(actor, device, notes))
    db.session.add(check)
    db.session.flush()
    record(
        actor,
        "quality_check.recorded",
        device,
        check_id=check.id,
        answered=answered,
        failed=failed,
    )
    return check


def record_software(
    actor: User | None,
    device: Device,
    *,
    os_name: str,
    os_version: str = "",
    checklist: dict[str, str] | None = None,
    all_done: bool = False,
    notes: str = "",
) -> SoftwareInstall:
    """The OS and the checklist; a wiped device moves on to the quality check.

    `checklist` holds an answer per item ("done", "not_done" or "na"); `all_done` is the
    explicit "Alles gedaan" that answers every item as done at once.
    """
    if not lifecycle.work_allowed(device, lifecycle.RECORD_SOFTWARE):
        if device.state in ("intake", "wiping", "returned"):
            raise Conflict(
                _(
                    "%(noun)s is nog niet gewist. Leg eerst een geslaagde wisbeurt vast.",
                    noun=lifecycle.noun(device),
                ),
                code="not_wiped",
            )
        raise _refuse_workshop_work(device, _("Software vastleggen"))
    answers, answered = _answers(SOFTWARE, checklist or {}, all_done)
    install = SoftwareInstall(
        os_name=os_name.strip(),
        os_version=(os_version or "").strip(),
        checklist={item: SOFTWARE_ANSWERS[answer] for item, answer in answers.items()},
        **_work(actor, device, notes),
    )
    db.session.add(install)
    db.session.flush()
    record(
        actor,
        "software.recorded",
        device,
        install_id=install.id,
        os=f"{install.os_name} {install.os_version}".strip(),
        answered=answered,
        missing=[item for item, answer in answers.items() if answer == "not_done"],
        not_applicable=[item for item, answer in answers.items() if answer == "na"],
    )
    _advance(actor, device, ("wiped", "software", "qc"), _("Software vastgelegd"))
    db.session.flush()
    return install


def record_quality_check(
    actor: User | None,
    device: Device,
    *,
    results: dict[str, str] | None = None,
    all_pass: bool = False,
    notes: str = "",
) -> QualityCheck:
    """Pass / fail / n.a. per item; any fail sends the device to repair with the reason.

    `results` holds an answer per item; `all_pass` is the explicit "Alles in orde" that
    answers every item as pass at once.
    """
    if not lifecycle.work_allowed(device, lifecycle.RECORD_CHECK):
        raise Conflict(
            _(
                "Een controle kan pas na het wissen en de software. Dit apparaat staat op "
                "‘%(state)s’.",
                state=lifecycle.STATE_NAMES[device.state],
            ),
            code="not_ready_for_check",
        )
    answers, answered = _answers(QC, results or {}, all_pass)
    failed = [item for item, answer in answers.items() if answer == "fail"]
    check = _save_check(actor, device, answers, notes, answered, failed)
    if failed:
        reason = _("Controle afgekeurd: %(items)s", items=", ".join(failed))
        if check.notes:
            reason = f"{reason}. {check.notes}"
        if device.state != "repair":
            lifecycle.move(actor, device, "repair", reason)
    elif device.state in ("software", "repair"):
        lifecycle.move(actor, device, "qc", _("Controle goedgekeurd"))
    db.session.flush()
    return check


def record_hardware_findings(
    actor: User | None, device: Device, failed: dict[str, list[str]]
) -> QualityCheck:
    """What a hardware snapshot found wrong, as a failed check of those items, with the
    figures; the device goes to repair where its state allows. Never a pass: a snapshot
    cannot see a screen or a keyboard."""
    notes = " ".join(text for texts in failed.values() for text in texts)
    answers = dict.fromkeys(failed, "fail")
    check = _save_check(actor, device, answers, notes, "hardware_snapshot", list(failed))
    reason = _(
        "Hardware-opname: %(items)s afgekeurd. %(notes)s", items=", ".join(failed), notes=notes
    )
    if "repair" in lifecycle.allowed_targets(device, lifecycle.role_of(actor)):
        lifecycle.move(actor, device, "repair", reason)
    db.session.flush()
    return check
