"""Login and logout for staff."""

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from uitleen.auth import service, sessions
from uitleen.auth.access import public
from uitleen.extensions import db
from uitleen.i18n import SUPPORTED
from uitleen.ratelimit import per_address

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only redirect within this site after login."""
    if not target:
        return url_for("home.dashboard")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("home.dashboard")
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
@per_address("LOGIN_RATE_LIMIT", scope="login", methods=["POST"], strict=True)
def login():
    next_url = request.values.get("next")
    if request.method == "GET":
        return render_template("auth/login.html", email="", next=next_url, error=None)
    email = request.form.get("email", "")
    try:
        user = service.authenticate(email, request.form.get("password", ""))
    except service.LoginRefused as refused:
        db.session.commit()  # keep the failure count and any lock
        return (
            render_template("auth/login.html", email=email, next=next_url, error=refused.message),
            401,
        )
    db.session.commit()
    sessions.begin()
    login_user(user)
    return redirect(_safe_next(next_url))


@bp.route("/logout", methods=["POST"])
@public
def logout():
    if current_user.is_authenticated:
        service.log_out(current_user)
        db.session.commit()
    logout_user()
    return redirect(url_for("auth.login", logged_out=1))


@bp.route("/lang/<code>", methods=["POST"])
@public
def set_language(code: str):
    """Remember the interface language in a cookie (staff pages and help pages alike)."""
    target = _safe_next(request.form.get("next"))
    response = redirect(target)
    if code in SUPPORTED:
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
