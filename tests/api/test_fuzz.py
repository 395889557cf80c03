"""Fuzz every API operation from /api/openapi.json, as a coordinator, with schemathesis.

Each operation gets a bounded number of generated requests, valid and invalid ones, on
the database this run uses (SQLite, or PostgreSQL with DATABASE_URL), after the demo
data is loaded so ids and states exist. Goal: never a 5xx, and every answer matches
the documented schema: status code, content type, headers and body.

`FUZZ_EXAMPLES=200 .venv/bin/pytest tests/api/test_fuzz.py` digs deeper than the default 30.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi import checks as openapi_checks

from tests.browser.live import fresh_database
from tests.conftest import TEST_CONFIG, make_app
from uitleen import create_app
from uitleen.extensions import db

MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))

CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
]


def load_schema():
    """The OpenAPI document as the app serves it (read once, to name the tests)."""
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


SCHEMA = load_schema()
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    """An app over its own database with the demo loaded once, and a token per role.
    Requests run without an outer app context, each with its own session, as in
    production; what the fuzzing writes stays for the operations after it."""
    from uitleen.auth import service as auth
    from uitleen.demo import seed

    with fresh_database(tmp_path_factory.mktemp("fuzz"), "fuzz") as url:
        app = make_app(url)
        with app.app_context():
            db.create_all()
            seed()
            headers = {}
            for role in ("coordinator", "volunteer"):
                user = auth.create_user(None, f"fuzz-{role}@test.uitleen.nl", role, role, "x" * 12)
                headers[role] = {"Authorization": f"Bearer {auth.create_token(None, user, 'fuzz')}"}
            db.session.commit()
        yield app, headers
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_api_answers_as_documented_and_never_with_a_server_error(demo_app, operation):
    app, headers = demo_app
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @given(case=cases)
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,  # the same cases every run, so a CI failure reproduces
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def fuzz(case):
        response = case.call(app=app, headers=headers["coordinator"])
        case.validate_response(response, checks=CHECKS)

    fuzz()


@pytest.mark.slow
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_a_volunteer_gets_documented_answers_too(demo_app, operation):
    """Refusals (403) and what a volunteer may do also keep to the schema, never a 5xx."""
    app, headers = demo_app

    @given(case=operation.as_strategy(GenerationMode.POSITIVE))
    @settings(
        max_examples=5,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def fuzz(case):
        response = case.call(app=app, headers=headers["volunteer"])
        case.validate_response(response, checks=CHECKS)

    fuzz()
