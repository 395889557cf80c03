"""Coordinators browse the event log (a settings page: audit itself knows no roles)."""

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext

from uitleen.audit import service
from uitleen.auth.access import role_required
from uitleen.auth.roles import COORDINATOR
from uitleen.nav import nav_item
from uitleen.settings import eventnames

bp = Blueprint("audit", __name__, url_prefix="/audit")

PAGE_SIZE = 50

nav_item("audit.index", lazy_gettext("Logboek"), [COORDINATOR], order=90)


@bp.route("/")
@role_required(COORDINATOR)
def index():
    before = request.args.get("before", type=int)
    verb = request.args.get("verb") or None
    events = service.page(before_id=before, verb=verb, size=PAGE_SIZE)
    next_before = events[-1].id if len(events) == PAGE_SIZE else None
    return render_template(
        "audit/index.html",
        events=[(event, eventnames.describe(event)) for event in events],
        kinds=eventnames.kinds(),
        verb=verb,
        next_before=next_before,
    )
