"""Each role's home page, built from the cards the domains register."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from uitleen.auth.access import public, role_required
from uitleen.auth.roles import COORDINATOR, INTAKE, ROLE_NAMES, VOLUNTEER
from uitleen.nav import cards_for

bp = Blueprint("home", __name__)


@bp.route("/")
@public
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for("home.dashboard"))


@bp.route("/start")
@role_required(VOLUNTEER, INTAKE, COORDINATOR)
def dashboard():
    return render_template(
        "home/index.html",
        role_name=ROLE_NAMES[current_user.role],
        cards=cards_for(current_user),
    )
