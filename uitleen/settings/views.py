"""Settings pages for coordinators: organisation, lists, locations, help texts and staff."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from uitleen import forms
from uitleen.auth import service as auth
from uitleen.auth.access import actor, role_required
from uitleen.auth.roles import COORDINATOR, ROLE_NAMES
from uitleen.extensions import db
from uitleen.i18n import SUPPORTED_LANGUAGES
from uitleen.nav import nav_item
from uitleen.settings import helptexts, service, staff
from uitleen.settings.helptexts import SECTION_KEYS, load_defaults
from uitleen.settings.schemas import (
    GeneralSettingsSchema,
    HelpTextsSchema,
    ListsSchema,
    LocationSchema,
)

bp = Blueprint("settings", __name__, url_prefix="/settings")

nav_item("settings.general", lazy_gettext("Instellingen"), [COORDINATOR], order=85)
nav_item("settings.staff_list", lazy_gettext("Medewerkers"), [COORDINATOR], order=86)

GENERAL_KEYS = tuple(GeneralSettingsSchema().fields)
LIST_KEYS = tuple(ListsSchema().fields)


def _again(template: str, **context) -> forms.Again:
    """Draw a form again with what was typed and the errors per field; nothing was saved."""
    return lambda errors, _error: render_template(template, errors=errors, **context)


def _form() -> dict:
    return request.form.to_dict()


def _saved(changed: list[str] | None = None):
    if changed == []:
        flash(_("Er was niets veranderd."), "success")
    else:
        flash(_("Opgeslagen."), "success")


# --- organisation, loans, retention, vouchers ------------------------------------------


@bp.route("/", methods=["GET", "POST"])
@role_required(COORDINATOR)
def general():
    if request.method == "GET":
        return render_template(
            "settings/general.html", form=service.get_many(GENERAL_KEYS), errors={}
        )
    changed = forms.submit(
        lambda: service.put_many(actor(), GeneralSettingsSchema().load(_form())),
        again=_again("settings/general.html", form=request.form),
    )
    _saved(changed)
    return redirect(url_for("settings.general"))


# --- checklists and referral partners --------------------------------------------------


def _lines(values: dict) -> dict:
    return {k: "\n".join(v) if isinstance(v, list) else v for k, v in values.items()}


@bp.route("/lists", methods=["GET", "POST"])
@role_required(COORDINATOR)
def lists():
    if request.method == "GET":
        form = _lines(service.get_many(LIST_KEYS))
        return render_template("settings/lists.html", form=form, errors={})
    changed = forms.submit(
        lambda: service.put_many(actor(), ListsSchema().load(_form())),
        again=_again("settings/lists.html", form=request.form),
    )
    _saved(changed)
    return redirect(url_for("settings.lists"))


# --- locations -------------------------------------------------------------------------


@bp.route("/locations")
@role_required(COORDINATOR)
def locations():
    return render_template("settings/locations.html", locations=service.locations(False))


@bp.route(
    "/locations/new",
    endpoint="location_new",
    methods=["GET", "POST"],
    defaults={"location_id": None},
)
@bp.route("/locations/<int:location_id>", methods=["GET", "POST"])
@role_required(COORDINATOR)
def location_edit(location_id: int | None):
    """Add a location, or change one: the same form."""
    location = service.get_location(location_id) if location_id else None
    if request.method == "GET":
        form = {key: getattr(location, key) for key in service.LOCATION_FIELDS} if location else {}
        return render_template(
            "settings/location_form.html", form=form, errors={}, location=location
        )

    def save():
        data = LocationSchema().load(_form())
        if location is None:
            return service.create_location(actor(), **data)
        return service.update_location(actor(), location, **data)

    forms.submit(
        save, again=_again("settings/location_form.html", form=request.form, location=location)
    )
    flash(_("Locatie toegevoegd.") if location is None else _("Locatie opgeslagen."), "success")
    return redirect(url_for("settings.locations"))


@bp.route("/locations/<int:location_id>/active", methods=["POST"])
@role_required(COORDINATOR)
def location_active(location_id: int):
    location = service.get_location(location_id)
    active = request.form.get("active") == "1"
    service.set_location_active(actor(), location, active)
    db.session.commit()
    flash(
        _("Locatie weer in gebruik.") if active else _("Locatie buiten gebruik gezet."), "success"
    )
    return redirect(url_for("settings.locations"))


# --- help-page texts per language ------------------------------------------------------


def _help_form(lang: str) -> dict:
    """The form values for one language: own texts where set, else the shipped defaults."""
    stored = (service.get("help_texts") or {}).get(lang) or {}
    form = {}
    for section in load_defaults(lang).sections:
        own = stored.get(section.key)
        form[f"{section.key}.title"] = own["title"] if own else ""
        form[f"{section.key}.steps"] = "\n".join(own["steps"]) if own else ""
    return form


def _help_errors(errors: dict) -> dict:
    """API-shaped keys (sections.wifi.value.title) as the form's (wifi.title)."""
    return {
        key.removeprefix("sections.").replace(".value.", ".").replace(".key", ""): value
        for key, value in errors.items()
    }


@bp.route("/help-texts", methods=["GET", "POST"])
@role_required(COORDINATOR)
def help_texts():
    lang = request.values.get("lang", "nl")
    if lang not in SUPPORTED_LANGUAGES:
        abort(404)
    context = {
        "lang": lang,
        "language": SUPPORTED_LANGUAGES[lang],
        "languages": SUPPORTED_LANGUAGES,
        "defaults": load_defaults(lang),
        "section_keys": SECTION_KEYS,
        "missing": helptexts.missing_translations(service.get("help_texts")),
    }
    if request.method == "GET":
        return render_template(
            "settings/help_texts.html", form=_help_form(lang), errors={}, **context
        )
    changed = forms.submit(
        lambda: service.put_help_texts(actor(), lang, HelpTextsSchema().load(_form())["sections"]),
        again=lambda errors, _error: render_template(
            "settings/help_texts.html", errors=_help_errors(errors), form=request.form, **context
        ),
    )
    _saved(changed)
    return redirect(url_for("settings.help_texts", lang=lang))


# --- staff -----------------------------------------------------------------------------


def _staff_page(**context):
    return render_template(
        "settings/staff.html", users=staff.staff_list(), role_names=ROLE_NAMES, **context
    )


def _staff_refused(errors: dict, _error: Exception):
    """A button on the staff list was refused: the list again, the reason above it."""
    return _staff_page(refused=forms.flat(errors))


@bp.route("/staff")
@role_required(COORDINATOR)
def staff_list():
    return _staff_page()


@bp.route("/staff/new", methods=["GET", "POST"])
@role_required(COORDINATOR)
def staff_new():
    if request.method == "GET":
        return render_template(
            "settings/staff_form.html", form={"role": "volunteer"}, errors={}, role_names=ROLE_NAMES
        )
    typed = {k: v for k, v in request.form.items() if k != "password"}
    user, generated = forms.submit(
        lambda: staff.create_staff(actor(), staff.StaffSchema().load(_form())),
        again=_again("settings/staff_form.html", form=typed, role_names=ROLE_NAMES),
    )
    if generated:
        # Shown on this response only: never in a flash message (that lives in a cookie).
        return render_template("settings/password_shown.html", user=user, password=generated)
    flash(_("Account gemaakt voor %(name)s.", name=user.name), "success")
    return redirect(url_for("settings.staff_list"))


@bp.route("/staff/<int:user_id>/role", methods=["POST"])
@role_required(COORDINATOR)
def staff_role(user_id: int):
    user = auth.get_user(user_id)
    forms.submit(
        lambda: staff.change_role(actor(), user, staff.RoleSchema().load(_form())["role"]),
        again=_staff_refused,
    )
    flash(_("De rol van %(name)s is nu: %(role)s.", name=user.name, role=ROLE_NAMES[user.role]))
    return redirect(url_for("settings.staff_list"))


@bp.route("/staff/<int:user_id>/active", methods=["POST"])
@role_required(COORDINATOR)
def staff_active(user_id: int):
    user = auth.get_user(user_id)
    active = request.form.get("active") == "1"
    forms.submit(
        lambda: staff.set_active(actor(), user, active),
        again=_staff_refused,
    )
    if active:
        flash(_("Het account van %(name)s staat weer aan.", name=user.name), "success")
    else:
        flash(_("Het account van %(name)s is uitgezet.", name=user.name), "success")
    return redirect(url_for("settings.staff_list"))


@bp.route("/staff/<int:user_id>/password", methods=["POST"])
@role_required(COORDINATOR)
def staff_password(user_id: int):
    user = auth.get_user(user_id)
    generated = forms.submit(
        lambda: staff.reset_password(
            actor(), user, staff.PasswordSchema().load(_form())["password"]
        ),
        again=lambda errors, _error: _staff_page(
            password_error={"user_id": user.id, "message": forms.flat(errors)}
        ),
    )
    if generated:
        return render_template("settings/password_shown.html", user=user, password=generated)
    flash(_("Nieuw wachtwoord ingesteld voor %(name)s.", name=user.name), "success")
    return redirect(url_for("settings.staff_list"))
