"""The public help pages behind the label (/h/...), and the desk's queue of help requests."""

from functools import wraps

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, lazy_gettext
from flask_babel import gettext as _

from uitleen import forms
from uitleen.auth.access import actor, public, role_required
from uitleen.auth.roles import COORDINATOR, INTAKE
from uitleen.devices import service as devices
from uitleen.errors import with_exception_headers
from uitleen.extensions import csrf, db
from uitleen.helpdesk import public as page
from uitleen.helpdesk import service
from uitleen.helpdesk.content import tel_uri, template_globals, whatsapp_uri
from uitleen.helpdesk.models import CATEGORIES, STATUSES
from uitleen.helpdesk.schemas import (
    MESSAGE_MAX,
    AskInSchema,
    CloseInSchema,
    NoteInSchema,
    QueueQuerySchema,
)
from uitleen.i18n import SUPPORTED_LANGUAGES, language_name
from uitleen.inputs import body_limit, echo
from uitleen.nav import Card, home_card, nav_item
from uitleen.ratelimit import per_address
from uitleen.settings import service as settings

bp = Blueprint("helpdesk", __name__)
bp.record_once(lambda state: state.app.jinja_env.globals.update(template_globals()))

nav_item("helpdesk.queue", lazy_gettext("Hulpvragen"), [INTAKE, COORDINATOR], order=35)

CATEGORY_NAMES = {
    "no_start": lazy_gettext("Gaat niet aan"),
    "no_internet": lazy_gettext("Geen internet"),
    "password": lazy_gettext("Wachtwoord vergeten"),
    "broken": lazy_gettext("Scherm of toetsenbord kapot"),
    "sound_camera": lazy_gettext("Geluid of camera"),
    "other": lazy_gettext("Iets anders"),
}
STATUS_NAMES = {
    "new": lazy_gettext("Nieuw"),
    "in_progress": lazy_gettext("In behandeling"),
    "done": lazy_gettext("Afgerond"),
}
FILTER_NAMES = {
    "open": lazy_gettext("Open"),
    **STATUS_NAMES,
    "all": lazy_gettext("Alle"),
}


# Rate limits per IP, from the settings (uitleen.config). The pages share one count.
page_views_limit = per_address("HELP_PAGE_RATE_LIMIT", scope="helppage")
posts_limit = per_address("HELP_POST_RATE_LIMIT", scope="helppost", methods=["POST"])


# The public pages --------------------------------------------------------------------------


def _dead_label(label: service.Label):
    """The friendly page for a label that is not (or no longer) ours: 404 or 410."""
    if label.status == service.RETIRED:
        return render_template("helpdesk/public/retired.html", **page.page_context(label)), 410
    context = page.page_context(label, location=None)
    return render_template("helpdesk/public/unknown.html", **context), 404


def _respond(body_and_status):
    """Build the response and remember a ?lang= choice."""
    response = current_app.make_response(body_and_status)
    return page.finish(response)


def on_active_label(view):
    """Answer in the household's language (on /h/ and on the /H/ that labels print), about
    the label behind the token: the view gets the label; a retired or unknown one gets its
    own calm page."""

    @wraps(view)
    def answer(token: str):
        lang = page.chosen_language()
        if lang is None and request.method == "GET":
            # A phone in a language we do not offer: the household chooses first.
            args_kept = {k: v for k, v in request.args.items() if k != "lang"}
            html = page.language_page(token, request.endpoint, args_kept)
            return page.finish(current_app.make_response(html))
        with force_locale(lang or page.DEFAULT_LANGUAGE):
            label = service.lookup(token, page.SETTING_KEYS)
            if label.status != service.ACTIVE:
                return _respond(_dead_label(label))
            return view(label)

    return answer


@bp.route("/h/<token>")
@public
@page_views_limit
@on_active_label
def public_help(label: service.Label):
    return _respond(page.help_page(label))


# Labels print the URL in upper case (a smaller QR code); the same page answers there.
bp.add_url_rule("/H/<token>", view_func=public_help)


@bp.route("/c/<token>")
@public
@page_views_limit
def verify_certificate(token: str):
    """Public: the facts of one erasure certificate (its QR code opens this); nothing personal."""
    facts = devices.certificate_facts(token)
    org_name = settings.get("org_name")
    status = 200 if facts is not None else 404
    page_html = render_template("helpdesk/public/certificate.html", facts=facts, org_name=org_name)
    return page_html, status


# What a refused form shows back, at most: the longest message it accepts, and more than
# any number people type (15 digits with spaces, dashes and brackets between). Trimmed
# first, as AskInSchema trims, so a message that fits is never cut.
ECHO_LIMITS = {"category": 40, "message": MESSAGE_MAX, "phone": 64}


def _ask_page(label: service.Label, form: dict, errors: dict, status: int = 200):
    trimmed = {name: value.strip() for name, value in form.items()}
    context = page.page_context(
        label,
        form=echo(trimmed, ECHO_LIMITS),
        errors=errors,
        form_token=page.form_token(label.token),
    )
    return render_template("helpdesk/public/ask.html", **context), status


@bp.route("/h/<token>/hulp", methods=["GET", "POST"])
@public
@body_limit("PUBLIC_FORM_MAX_CONTENT_LENGTH")
@csrf.exempt  # no session to bind a token to; see uitleen.helpdesk.public for what guards it
@page_views_limit
@posts_limit
@on_active_label
def ask(label: service.Label):
    if request.method == "GET":
        return _respond(_ask_page(label, {}, {}))
    form = {key: request.form.get(key, "") for key in ("category", "message", "phone")}
    if not page.from_this_site():
        return _respond(_ask_page(label, form, {"form_token": str(page.FOREIGN_FORM)}, 403))
    if not page.form_token_ok(request.form.get("form_token"), label.token):
        return _respond(_ask_page(label, form, {"form_token": str(page.STALE_FORM)}, 400))
    data = forms.submit(
        lambda: _asked(label, AskInSchema().load(form)),
        again=lambda errors, _error: _respond(
            _ask_page(label, form, {field: " ".join(m) for field, m in errors.items()}, 422)
        ),
    )
    # The language goes along, so the thank-you page answers in it even without cookies.
    lang = page.page_language()
    callback = 1 if data["phone"] else None
    return redirect(url_for("helpdesk.thanks", token=label.token, lang=lang, cb=callback), 303)


def _asked(label, data: dict) -> dict:
    service.create_request(label, language=page.page_language(), **data)
    return data


@bp.route("/h/<token>/bedankt")
@public
@page_views_limit
@on_active_label
def thanks(label: service.Label):
    has_phone = request.args.get("cb") == "1"
    context = page.page_context(
        label, has_phone=has_phone, lang_args={"cb": 1} if has_phone else {}
    )
    return _respond(render_template("helpdesk/public/thanks.html", **context))


@bp.errorhandler(429)
def too_many(error):
    """Too many lookups or posts from one address: a calm page with the phone number."""
    db.session.rollback()
    label = service.Label(service.UNKNOWN, (request.view_args or {}).get("token", ""))
    with force_locale(page.choose_language()):
        context = page.page_context(label, location=None)
        html = render_template("helpdesk/public/busy.html", **context)
    return page.finish(with_exception_headers((html, 429), error))


# The desk's queue --------------------------------------------------------------------------


@home_card([INTAKE, COORDINATOR], order=20)
def help_requests_card(_user) -> Card | None:
    """Open help requests, urgent while some are still new."""
    counts = service.counts_by_status()
    open_total = counts["new"] + counts["in_progress"]
    return Card(
        title=_("Hulpvragen"),
        text=_(
            "%(new)s nieuw, %(busy)s in behandeling.",
            new=counts["new"],
            busy=counts["in_progress"],
        )
        if open_total
        else _("Er wachten geen hulpvragen."),
        endpoint="helpdesk.queue",
        count=open_total,
        urgent=counts["new"] > 0,
    )


def _staff_context() -> dict:
    return {
        "category_names": CATEGORY_NAMES,
        "status_names": STATUS_NAMES,
        # In the reader's language ("Arabisch"), not the language's own name.
        "language_names": {code: language_name(code) for code in SUPPORTED_LANGUAGES},
        "tel_uri": _safe_link(tel_uri),
        "whatsapp_uri": _safe_link(whatsapp_uri),
    }


def _safe_link(make):
    """A link maker that gives None for a number it cannot make sense of."""

    def link(number: str | None) -> str | None:
        try:
            return make(number) if number else None
        except ValueError:
            return None

    return link


@bp.route("/help-requests/")
@role_required(INTAKE)
def queue():
    query, _errors = forms.attempt(lambda: QueueQuerySchema().load(request.args.to_dict()), None)
    query = query or QueueQuerySchema().load({})
    requests = service.queue(
        status=query["status"],
        category=query["category"],
        taken_by_id=actor().id if query["mine"] else None,
    )
    return render_template(
        "helpdesk/queue.html",
        items=service.with_borrowers(requests),
        query=query,
        counts=service.counts_by_status(),
        filter_names=FILTER_NAMES,
        categories=CATEGORIES,
        **_staff_context(),
    )


def _detail(help_request, errors: dict | None = None, form: dict | None = None, status=200):
    return (
        render_template(
            "helpdesk/request.html",
            item=service.QueueItem(help_request, service.borrower(help_request)),
            errors=errors or {},
            form=form or {},
            statuses=STATUSES,
            **_staff_context(),
        ),
        status,
    )


@bp.route("/help-requests/<int:request_id>")
@role_required(INTAKE)
def detail(request_id: int):
    return _detail(service.get_request(request_id))


def _back(help_request, message: str):
    flash(message, "success")
    return redirect(url_for("helpdesk.detail", request_id=help_request.id), 303)


@bp.route("/help-requests/<int:request_id>/take", methods=["POST"])
@role_required(INTAKE)
def take(request_id: int):
    help_request = service.take(actor(), service.get_request(request_id))
    db.session.commit()
    return _back(help_request, _("U heeft deze hulpvraag opgepakt."))


@bp.route("/help-requests/<int:request_id>/notes", methods=["POST"])
@role_required(INTAKE)
def add_note(request_id: int):
    return _with_note(request_id, NoteInSchema(), service.add_note, _("Notitie opgeslagen."))


@bp.route("/help-requests/<int:request_id>/close", methods=["POST"])
@role_required(INTAKE)
def close(request_id: int):
    return _with_note(request_id, CloseInSchema(), service.close, _("Hulpvraag afgerond."))


def _with_note(request_id: int, schema, action, done: str):
    """A note, or closing with one: the request's page again when the note is refused."""
    help_request = service.get_request(request_id)
    form = request.form.to_dict()
    forms.submit(
        lambda: action(actor(), help_request, schema.load({"note": form.get("note", "")})["note"]),
        again=lambda errors, _error: _detail(help_request, errors, form),
    )
    return _back(help_request, done)


@bp.route("/help-requests/<int:request_id>/reopen", methods=["POST"])
@role_required(INTAKE)
def reopen(request_id: int):
    help_request = service.reopen(actor(), service.get_request(request_id))
    db.session.commit()
    return _back(help_request, _("Hulpvraag heropend. Hij staat nu op uw naam."))
