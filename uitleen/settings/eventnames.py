"""The event log in words: "Victor heeft ingelogd", not `user.logged_in`, `users 1`, `{}`.

Each verb the services record has one sentence here, with the actor and the subject as
placeholders. tests/settings/test_event_names.py checks that every verb in the code and
in a seeded demo organisation has one, so a new verb cannot show up raw.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext, lazy_gettext
from markupsafe import Markup, escape
from werkzeug.routing import BuildError

_ = lazy_gettext

# %(actor)s did something to %(subject)s; both are filled in by sentence().
SENTENCES = {
    "user.logged_in": _("%(actor)s heeft ingelogd."),
    "user.logged_out": _("%(actor)s heeft uitgelogd."),
    "user.locked": _("Het account van %(subject)s is even op slot gezet na te veel pogingen."),
    "user.created": _("%(actor)s heeft %(subject)s als medewerker toegevoegd."),
    "user.deactivated": _("%(actor)s heeft het account van %(subject)s uitgezet."),
    "user.reactivated": _("%(actor)s heeft het account van %(subject)s weer aangezet."),
    "user.role_changed": _("%(actor)s heeft de rol van %(subject)s veranderd."),
    "user.password_set": _("%(actor)s heeft een nieuw wachtwoord gezet voor %(subject)s."),
    "token.created": _("%(actor)s heeft een API-sleutel gemaakt."),
    "token.revoked": _("%(actor)s heeft een API-sleutel ingetrokken."),
    "setting.changed": _("%(actor)s heeft een instelling veranderd."),
    "location.created": _("%(actor)s heeft %(subject)s toegevoegd."),
    "location.updated": _("%(actor)s heeft %(subject)s veranderd."),
    "location.activated": _("%(actor)s heeft %(subject)s weer in gebruik genomen."),
    "location.deactivated": _("%(actor)s heeft %(subject)s buiten gebruik gezet."),
    "donor.created": _("%(actor)s heeft gever %(subject)s toegevoegd."),
    "device.registered": _("%(actor)s heeft %(subject)s binnengemeld."),
    "device.updated": _("%(actor)s heeft de gegevens van %(subject)s veranderd."),
    "device.state_changed": _("%(actor)s heeft de status van %(subject)s veranderd."),
    "device.needs_attention": _("%(subject)s moet opnieuw bekeken worden."),
    "devices.imported": _("%(actor)s heeft apparaten ingelezen uit een bestand."),
    "wipe.recorded": _("%(actor)s heeft het wissen van %(subject)s vastgelegd."),
    "wipe.reviewed": _("%(actor)s heeft een wisbeurt nagekeken."),
    "wipe.certified": _("%(actor)s heeft een wiscertificaat gemaakt."),
    "software.recorded": _("%(actor)s heeft de software van %(subject)s vastgelegd."),
    "quality_check.recorded": _("%(actor)s heeft de controle van %(subject)s vastgelegd."),
    "label.printed": _("%(actor)s heeft een label geprint voor %(subject)s."),
    "label.print_job": _("%(actor)s heeft labels geprint."),
    "label.rotated": _("%(actor)s heeft een nieuw label gemaakt voor %(subject)s."),
    "household.registered": _("%(actor)s heeft %(subject)s ingeschreven."),
    "household.updated": _("%(actor)s heeft de gegevens van %(subject)s veranderd."),
    "household.erased": _("%(actor)s heeft de gegevens van %(subject)s gewist."),
    "waiting.added": _("%(actor)s heeft een huishouden op de wachtlijst gezet."),
    "waiting.removed": _("%(actor)s heeft een huishouden van de wachtlijst gehaald."),
    "waiting.served": _("Een huishouden op de wachtlijst heeft een apparaat gekregen."),
    "loan.issued": _("%(actor)s heeft een apparaat meegegeven (%(subject)s)."),
    "loan.extended": _("%(actor)s heeft %(subject)s verlengd."),
    "loan.returned": _("%(actor)s heeft een apparaat teruggenomen (%(subject)s)."),
    "loan.closed": _("%(actor)s heeft %(subject)s afgesloten."),
    "loan.agreement_printed": _("%(actor)s heeft de afspraken van %(subject)s geprint."),
    "loan.new_label_due": _(
        "%(actor)s heeft het label vervangen; %(subject)s wacht op een nieuw label."
    ),
    "loan.label_handed_over": _("%(actor)s heeft het nieuwe label van %(subject)s overhandigd."),
    "snapshot.imported": _("%(actor)s heeft een hardware-opname ingelezen (%(subject)s)."),
    "voucher_batch.created": _("%(actor)s heeft een partij vouchers gemaakt."),
    "voucher_batch.changed": _("%(actor)s heeft een partij vouchers veranderd."),
    "voucher_batch.codes_imported": _("%(actor)s heeft vouchercodes ingelezen."),
    "voucher_batch.expired": _("Een partij vouchers is verlopen."),
    "voucher.assigned": _("%(actor)s heeft een voucher uitgegeven."),
    "voucher.revealed": _("%(actor)s heeft een vouchercode bekeken."),
    "voucher.letter_printed": _("%(actor)s heeft een voucherbrief geprint."),
    "voucher.redeemed": _("%(actor)s heeft een voucher als gebruikt gemarkeerd."),
    "voucher.revoked": _("%(actor)s heeft een voucher ingetrokken."),
    "help_request.created": _("Er is een hulpvraag binnengekomen over %(subject)s."),
    "help_request.taken": _("%(actor)s heeft %(subject)s opgepakt."),
    "help_request.noted": _("%(actor)s heeft een notitie gezet bij %(subject)s."),
    "help_request.closed": _("%(actor)s heeft %(subject)s afgerond."),
    "help_request.reopened": _("%(actor)s heeft %(subject)s heropend."),
    "help_request.erased": _("De tekst van %(subject)s is gewist."),
}

# What the subject is, by table: "apparaat 12"; the page it opens, where it has one.
SUBJECTS = {
    "users": (_("medewerker %(id)s"), None),
    "devices": (_("apparaat %(id)s"), ("devices.show", "device_id")),
    "donors": (_("gever %(id)s"), None),
    "locations": (_("locatie %(id)s"), None),
    "households": (_("huishouden %(id)s"), ("households.show", "household_id")),
    "loans": (_("lening %(id)s"), ("loans.show", "loan_id")),
    "vouchers": (_("voucher %(id)s"), ("vouchers.voucher", "voucher_id")),
    "voucher_batches": (_("partij %(id)s"), ("vouchers.batch", "batch_id")),
    "help_requests": (_("hulpvraag %(id)s"), ("helpdesk.detail", "request_id")),
    "wipe_records": (_("wisbeurt %(id)s"), None),
}

# Names of the details most events carry; other keys are shown as they are.
DETAIL_NAMES = {
    "name": _("naam"),
    "role": _("rol"),
    "key": _("instelling"),
    "fields": _("velden"),
    "changes": _("veranderd"),
    "language": _("taal"),
    "languages": _("talen"),
    "from": _("van"),
    "to": _("naar"),
    "reason": _("reden"),
    "outcome": _("afloop"),
    "count": _("aantal"),
    "provider": _("aanbieder"),
    "product": _("product"),
    "expires_on": _("vervalt op"),
    "asset_tag": _("nummer"),
    "code": _("code"),
    "due_date": _("terug vóór"),
}


@dataclass(frozen=True)
class EventLine:
    sentence: Markup
    details: list[tuple[str, str]]


def _subject(subject_type: str, subject_id: str) -> Markup:
    text, link = SUBJECTS.get(subject_type, (None, None))
    shown = str(text % {"id": subject_id}) if text is not None else f"{subject_type} {subject_id}"
    if link is not None and str(subject_id).isdigit():
        endpoint, argument = link
        try:
            url = url_for(endpoint, **{argument: int(subject_id)})
        except BuildError:
            return escape(shown)
        return Markup('<a href="{}">{}</a>').format(url, shown)
    return escape(shown)


def _value(value: object) -> str:
    if isinstance(value, Mapping) and {"old", "new"} <= set(value):
        return f"{_value(value['old'])} → {_value(value['new'])}"
    if isinstance(value, Mapping):
        return "; ".join(f"{_name(k)}: {_value(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_value(v) for v in value)
    if value is None or value == "":
        return "—"
    return str(value)


def _name(key: str) -> str:
    return str(DETAIL_NAMES.get(key, key.replace("_", " ")))


def describe(event) -> EventLine:
    """One event as a sentence with its details, in the reader's language."""
    actor = event.actor_name or gettext("Het systeem")
    template = SENTENCES.get(event.verb)
    subject = _subject(event.subject_type, event.subject_id)
    if template is None:  # a verb without a sentence yet: say what is known, plainly
        sentence = Markup("{} · {} · {}").format(actor, event.verb, subject)
    else:
        sentence = escape(str(template)) % {"actor": actor, "subject": subject}
    data = event.data or {}
    details = [(_name(key), _value(value)) for key, value in data.items()]
    return EventLine(sentence, details)


def kinds() -> list[tuple[str, str]]:
    """(verb, "… heeft ingelogd.") for the log's filter, in the order of the sentences."""
    blank = {"actor": "…", "subject": "…"}
    return [(verb, str(sentence) % blank) for verb, sentence in SENTENCES.items()]
