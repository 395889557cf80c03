"""Who is asking, and may they? Every route declares its roles or that it is public."""

from functools import wraps

from flask import g, request
from flask_babel import gettext as _
from flask_login import current_user

from uitleen.auth.roles import COORDINATOR, ROLES
from uitleen.errors import Forbidden, Unauthenticated
from uitleen.inputs import route_view


def bearer_token() -> str | None:
    """The token after "Bearer"; quotes around it are dropped: workbench-script's example
    settings.ini writes `token = '1234'`, and configparser keeps the quotes."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    token = token.strip()
    if len(token) > 2 and token[0] == token[-1] and token[0] in "'\"":
        token = token[1:-1].strip()
    if scheme.lower() == "bearer" and token:
        return token
    return None


def current_actor():
    """The API token's user under /api (never the session: the API is CSRF-exempt),
    the logged-in user elsewhere."""
    if request.path.startswith("/api/"):
        from uitleen.auth.service import user_for_token

        # Looked up once per request: check_route_access and role_required both ask.
        if not hasattr(request, "_uitleen_token_user"):
            token = bearer_token()
            request._uitleen_token_user = user_for_token(token) if token else None
        return request._uitleen_token_user
    return current_user if current_user.is_authenticated else None


def check_role(allowed: frozenset[str]):
    """The actor if their role is allowed; Unauthenticated (401) or Forbidden (403) if not."""
    actor = current_actor()
    if actor is None:
        raise Unauthenticated(_("Log eerst in."))
    if actor.role not in allowed:
        raise Forbidden(_("Dit mag uw rol niet. Vraag het aan uw coördinator."))
    return actor


def check_route_access() -> None:
    """before_request, first of all: the route's roles, before any input is read.

    So a caller without the role gets 401/403, never a 422 about a body they may not
    send, whatever order a route's decorators have (@blp.arguments above or below
    @role_required), and no body is parsed for them. role_required checks again in
    the view: it also guards a view called some other way.
    """
    if request.routing_exception is not None or request.method == "OPTIONS":
        return
    allowed = getattr(route_view(request.endpoint, request.method), "allowed_roles", None)
    if isinstance(allowed, frozenset):
        check_role(allowed)


def role_required(*roles: str):
    """Allow only these roles (coordinators may always); 401 without login, 403 otherwise."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")
    allowed = frozenset(roles) | {COORDINATOR}

    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            g.actor = check_role(allowed)
            return view(*args, **kwargs)

        guarded.allowed_roles = allowed
        return guarded

    return decorator


# Routes that extensions add, open on purpose: static files and the OpenAPI document.
PUBLIC_ENDPOINTS = frozenset({"static", "api-docs.openapi_json"})


def public(view):
    """Mark a route as open to anyone, on purpose."""
    view.allowed_roles = "public"
    return view


def actor():
    """The user a guarded view acts for (set by role_required)."""
    return g.actor
