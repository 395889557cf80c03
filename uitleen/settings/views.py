"""Settings pages for coordinators: organisation, lists, locations, help texts and staff."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from marshmallow import ValidationError

from uitleen.auth import service as auth
from uitleen.auth.access import actor, role_required
from uitleen.auth.roles import COORDINATOR, ROLE_NAMES
from uitleen.errors import Invalid, plain_errors
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


def _invalid(template: str, errors: dict, **context):
    """Re-render a form with what was typed and the errors per field; nothing was saved."""
    db.session.rollback()
    return render_template(template, errors=errors, **context), 422


def _load(schema, data: dict) -> dict:
    try:
        return schema.load(data)
    except ValidationError as error:
        raise Invalid(
            _("Niet alles is goed ingevuld. Kijk bij de velden wat er mis is."),
            errors=plain_errors(error.messages),
        ) from error


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
    try:
        data = _load(GeneralSettingsSchema(), request.form.to_dict())
    except Invalid as error:
        return _invalid("settings/general.html", error.errors, form=request.form)
    changed = service.put_many(actor(), data)
    db.session.commit()
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
    try:
        data = _load(ListsSchema(), request.form.to_dict())
    except Invalid as error:
        return _invalid("settings/lists.html", error.errors, form=request.form)
    changed = service.put_many(actor(), data)
    db.session.commit()
    _saved(changed)
    return redirect(url_for("settings.lists"))


# --- locations -------------------------------------------------------------------------


@bp.route("/locations")
@role_required(COORDINATOR)
def locations():
    return render_template("settings/locations.html", locations=service.locations(False))


@bp.route("/locations/new", methods=["GET", "POST"])
@role_required(COORDINATOR)
def location_new():
    if request.method == "GET":
        return render_template("settings/location_form.html", form={}, errors={}, location=None)
    try:
        data = _load(LocationSchema(), request.form.to_dict())
        service.create_location(actor(), **data)
    except Invalid as error:
        return _invalid(
            "settings/location_form.html", error.errors, form=request.form, location=None
        )
    db.session.commit()
    flash(_("Locatie toegevoegd."), "success")
    return redirect(url_for("settings.locations"))


@bp.route("/locations/<int:location_id>", methods=["GET", "POST"])
@role_required(COORDINATOR)
def location_edit(location_id: int):
    location = service.get_location(location_id)
    if request.method == "GET":
        form = {key: getattr(location, key) for key in service.LOCATION_FIELDS}
        return render_template(
            "settings/location_form.html", form=form, errors={}, location=location
        )
    try:
        data = _load(LocationSchema(), request.form.to_dict())
        service.update_location(actor(), location, **data)
    except Invalid as error:
        return _invalid(
            "settings/location_form.html", error.errors, form=request.form, location=location
        )
    db.session.commit()
    flash(_("Locatie opgeslagen."), "success")
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
    try:
        data = _load(HelpTextsSchema(), request.form.to_dict())
    except Invalid as error:
        return _invalid(
            "settings/help_texts.html", _help_errors(error.errors), form=request.form, **context
        )
    texts = dict(service.get("help_texts") or {})
    if data["sections"]:
        texts[lang] = data["sections"]
    else:
        texts.pop(lang, None)
    changed = service.put_many(actor(), {"help_texts": texts})
    db.session.commit()
    _saved(changed)
    return redirect(url_for("settings.help_texts", lang=lang))


# --- staff -----------------------------------------------------------------------------


def _staff_page(status: int = 200, **context):
    return render_template(
        "settings/staff.html", users=staff.staff_list(), role_names=ROLE_NAMES, **context
    ), status


@bp.route("/staff")
@role_required(COORDINATOR)
def staff_list():
    return _staff_page()[0]


@bp.route("/staff/new", methods=["GET", "POST"])
@role_required(COORDINATOR)
def staff_new():
    if request.method == "GET":
        return render_template(
            "settings/staff_form.html", form={"role": "volunteer"}, errors={}, role_names=ROLE_NAMES
        )
    try:
        data = _load(staff.StaffSchema(), request.form.to_dict())
        user, generated = staff.create_staff(actor(), data)
    except Invalid as error:
        form = {k: v for k, v in request.form.items() if k != "password"}
        return _invalid("settings/staff_form.html", error.errors, form=form, role_names=ROLE_NAMES)
    db.session.commit()
    if generated:
        # Shown on this response only: never in a flash message (that lives in a cookie).
        return render_template("settings/password_shown.html", user=user, password=generated)
    flash(_("Account gemaakt voor %(name)s.", name=user.name), "success")
    return redirect(url_for("settings.staff_list"))


@bp.route("/staff/<int:user_id>/role", methods=["POST"])
@role_required(COORDINATOR)
def staff_role(user_id: int):
    user = auth.get_user(user_id)
    data = _load(staff.RoleSchema(), request.form.to_dict())
    staff.change_role(actor(), user, data["role"])
    db.session.commit()
    flash(_("De rol van %(name)s is nu: %(role)s.", name=user.name, role=ROLE_NAMES[user.role]))
    return redirect(url_for("settings.staff_list"))


@bp.route("/staff/<int:user_id>/active", methods=["POST"])
@role_required(COORDINATOR)
def staff_active(user_id: int):
    user = auth.get_user(user_id)
    active = request.form.get("active") == "1"
    staff.set_active(actor(), user, active)
    db.session.commit()
    if active:
        flash(_("Het account van %(name)s staat weer aan.", name=user.name), "success")
    else:
        flash(_("Het account van %(name)s is uitgezet.", name=user.name), "success")
    return redirect(url_for("settings.staff_list"))


@bp.route("/staff/<int:user_id>/password", methods=["POST"])
@role_required(COORDINATOR)
def staff_password(user_id: int):
    user = auth.get_user(user_id)
    try:
        data = _load(staff.PasswordSchema(), request.form.to_dict())
        generated = staff.reset_password(actor(), user, data["password"])
    except Invalid as error:
        message = " ".join(m for ms in error.errors.values() for m in ms) or error.message
        db.session.rollback()
        return _staff_page(422, password_error={"user_id": user.id, "message": message})
    db.session.commit()
    if generated:
        return render_template("settings/password_shown.html", user=user, password=generated)
    flash(_("Nieuw wachtwoord ingesteld voor %(name)s.", name=user.name), "success")
    return redirect(url_for("settings.staff_list"))
