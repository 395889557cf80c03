"""Every route × every role + anonymous: the role checks hold, found by walking url_map.

A new route is picked up by itself. A route that declares neither roles nor `public`
fails this test, so none escapes the check.
"""

import pytest
from werkzeug.routing import IntegerConverter, Rule

from uitleen.auth.access import PUBLIC_ENDPOINTS
from uitleen.auth.roles import ROLES

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def allowed_roles(app, rule: Rule, method: str):
    """The roles a route allows for this method, 'public', or None when undeclared."""
    if rule.endpoint in PUBLIC_ENDPOINTS:
        return "public"
    view = app.view_functions[rule.endpoint]
    view_class = getattr(view, "view_class", None)
    if view_class is not None:  # flask-smorest MethodView: roles per method
        view = getattr(view_class, method.lower(), None)
    return getattr(view, "allowed_roles", None)


def fill(rule: Rule) -> str:
    """A URL for this rule, with harmless values that match no record."""
    values = {}
    for arg, converter in rule._converters.items():  # the URL's parts; not a rule's defaults
        values[arg] = 999999 if isinstance(converter, IntegerConverter) else "ZZZZ"
    return rule.build(values, append_unknown=False)[1]


def routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & set(METHODS)):
            yield rule, method


def test_every_route_declares_who_may_use_it(app):
    undeclared = [
        f"{method} {rule.rule} ({rule.endpoint})"
        for rule, method in routes(app)
        if allowed_roles(app, rule, method) is None
    ]
    assert undeclared == [], "routes without role_required or @public"


@pytest.mark.parametrize("who", ["anonymous", *ROLES])
def test_role_matrix(app, client, login_as, api_headers, who):
    headers = {}
    if who != "anonymous":
        login_as(who)
        headers = api_headers(who)
    failures = []
    for rule, method in routes(app):
        roles = allowed_roles(app, rule, method)
        if roles == "public" or roles is None:
            continue
        url = fill(rule)
        is_api = url.startswith("/api/")
        response = client.open(url, method=method, headers=headers if is_api else {})
        status = response.status_code
        where = f"{method} {url} as {who}: {status}"
        if who == "anonymous":
            expected = 401 if is_api else 302
            if status != expected:
                failures.append(f"{where}, expected {expected}")
        elif who not in roles:
            if status != 403:
                failures.append(f"{where}, expected 403")
            elif is_api and response.json.get("code") != "forbidden":
                failures.append(f"{where}, not the error shape")
        elif status in (401, 403) or status >= 500:
            failures.append(f"{where}, expected access")
    assert failures == []
