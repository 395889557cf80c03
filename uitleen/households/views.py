"""Intake desk pages: find and register households, their page, and the waiting list."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from uitleen import clock, forms
from uitleen.auth.access import actor, role_required
from uitleen.auth.roles import COORDINATOR, INTAKE
from uitleen.extensions import db
from uitleen.households import service, signals
from uitleen.households.models import NEEDS
from uitleen.households.schemas import (
    HouseholdInSchema,
    HouseholdPatchSchema,
    WaitingInSchema,
    form_values,
)
from uitleen.i18n import LANGUAGES, language_label
from uitleen.nav import Card, home_card, nav_item
from uitleen.settings import service as settings

bp = Blueprint("households", __name__, url_prefix="/households")

DESK = (INTAKE, COORDINATOR)
nav_item("households.index", lazy_gettext("Huishoudens"), DESK, order=30)
nav_item("households.waiting", lazy_gettext("Wachtlijst"), DESK, order=34)


def choices() -> dict:
    """The options of the household form's lists."""
    partners = settings.get("referral_partners")
    return {
        "languages": [(code, language_label(code)) for code in LANGUAGES],
        "partners": [("", _("Niemand, zelf gekomen"))] + [(p, p) for p in partners],
        "proofs": [("", _("Kies wat u hebt gezien"))] + list(service.PROOF_NAMES.items()),
        "needs": [(need, service.NEED_NAMES[need]) for need in NEEDS],
    }


@bp.route("/")
@role_required(INTAKE)
def index():
    query = request.args.get("q", "")
    found = service.search(query, limit=100)
    return render_template("households/index.html", query=query, households=found)


@bp.route("/new", endpoint="new", methods=["GET", "POST"], defaults={"household_id": None})
@bp.route("/<int:household_id>/edit", methods=["GET", "POST"])
@role_required(INTAKE)
def edit(household_id: int | None):
    """Register a household, or change one: the same form."""
    household = service.get(household_id) if household_id else None
    if request.method == "GET":
        if household is None:
            values = {"language": "nl", "consent_date": clock.today().isoformat()}
        else:
            values = {key: getattr(household, key) for key in service.EDITABLE_FIELDS}
        return _household_page(values, {}, household)
    values = form_values(request.form)

    def save():
        if household is None:
            return service.register(actor(), HouseholdInSchema().load(values))
        return service.update_household(actor(), household, HouseholdPatchSchema().load(values))

    # The status follows the refusal: 422 for input, 409 for a conflict (an erased household).
    saved = forms.submit(
        save, again=lambda errors, _error: _household_page(values, errors, household)
    )
    if household is None:
        flash(_("Huishouden %(code)s is geregistreerd.", code=saved.code))
    else:
        flash(_("De gegevens zijn opgeslagen."))
    return redirect(url_for("households.show", household_id=saved.id))


def _household_page(values: dict, errors: dict, household):
    return render_template(
        "households/form.html", household=household, values=values, errors=errors, **choices()
    )


@bp.route("/<int:household_id>")
@role_required(INTAKE)
def show(household_id: int):
    household = service.get(household_id)
    return render_template("households/show.html", **_page(household), errors={})


def _page(household) -> dict:
    return {
        "household": household,
        # Its loans (and their reminders) come from loans, which answers this signal.
        **signals.context_from(signals.household_page, household),
        "entry": service.open_entry(household),
        "language_name": LANGUAGES.get(household.language, ("?",))[0],
        "proof_names": service.PROOF_NAMES,
        "need_names": service.NEED_NAMES,
        "needs": choices()["needs"],
    }


@bp.route("/<int:household_id>/erase", methods=["POST"])
@role_required(INTAKE)
def erase(household_id: int):
    household = service.get(household_id)
    if request.form.get("confirm") != "yes":
        return render_template(
            "households/show.html",
            **_page(household),
            errors={"confirm": [_("Vink aan dat het huishouden hierom heeft gevraagd.")]},
        ), 422
    forms.submit(lambda: service.erase(actor(), household), again=_show_again(household_id))
    flash(_("De persoonlijke gegevens van %(code)s zijn gewist.", code=household.code))
    return redirect(url_for("households.show", household_id=household.id))


@bp.route("/<int:household_id>/waiting", methods=["POST"])
@role_required(INTAKE)
def add_to_waiting_list(household_id: int):
    household = service.get(household_id)

    def wait():
        data = WaitingInSchema().load(form_values(request.form))
        service.add_to_waiting_list(actor(), household, data["need"], data.get("note") or "")

    forms.submit(wait, again=_show_again(household_id))
    flash(_("%(code)s staat op de wachtlijst.", code=household.code))
    return redirect(url_for("households.waiting"))


def _show_again(household_id: int) -> forms.Again:
    """The household's page with a refusal of one of its buttons."""
    return lambda errors, _error: render_template(
        "households/show.html", **_page(service.get(household_id)), errors=errors
    )


@bp.route("/waiting")
@role_required(INTAKE)
def waiting():
    return render_template(
        "households/waiting.html",
        entries=service.waiting_list(),
        # How many devices are ready: loans answers this signal.
        **signals.context_from(signals.waiting_list_page, None),
        need_names=service.NEED_NAMES,
        waited_days=service.waited_days,
    )


@bp.route("/waiting/<int:entry_id>/remove", methods=["POST"])
@role_required(INTAKE)
def remove_from_waiting_list(entry_id: int):
    entry = service.remove_from_waiting_list(actor(), service.get_entry(entry_id))
    db.session.commit()
    flash(_("%(code)s staat niet meer op de wachtlijst.", code=entry.household.code))
    return redirect(url_for("households.waiting"))


@home_card(DESK, order=34)
def waiting_card(_user):
    count = service.waiting_count()
    return Card(
        title=str(_("Wachtlijst")),
        text=str(_("Huishoudens die wachten op een apparaat.")),
        endpoint="households.waiting",
        count=count,
    )
