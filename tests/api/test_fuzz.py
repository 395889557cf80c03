"""Fuzz every API operation from /api/openapi.json with schemathesis, as each role.

Each operation gets a bounded number of generated requests, valid and invalid ones, on
the database this run uses (SQLite, or PostgreSQL with DATABASE_URL), after the demo
data is loaded so ids and states exist. Every check schemathesis has runs: never a 5xx;
status code, content type, headers and body as documented; valid data taken (or refused
only for a documented reason: 401, 403, 404, 409) and invalid data refused; auth that
is declared is enforced. As a coordinator (who may do everything), an intake worker and
a volunteer (whose refusals must keep to the document too).

`FUZZ_EXAMPLES=200 .venv/bin/pytest tests/api/test_fuzz.py` digs deeper than the default
30 per operation; the intake worker and volunteer get a third of it, to keep the run short.
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
ROLES = ("coordinator", "intake", "volunteer")


# What a 422 says when data broke a rule the document states (a type, a length, a choice,
# a pattern): valid data must never get one of these.
SCHEMA_RULES = (
    "Dit veld is verplicht",
    "Dit veld mag niet leeg zijn",
    "Vul hier tekst in",
    "Vul een heel getal in",
    "Vul een getal in",
    "Kies ja of nee",
    "Vul een datum in als",
    "Vul een datum en tijd in",
    "Dit veld kennen we niet",
    "Dit soort waarde past hier niet",
    "Kies een van:",
    "Maak dit korter",
    "Gebruik ",
    # uitleen.validate and uitleen.schemas: a limit, an empty or missing value, a wrong kind
    "Maximaal ",
    "Minstens ",
    "Precies ",
    "Vul dit veld in",
    "Deze waarde past hier niet",
    "Vul een kleiner getal in",
    "Stuur hier een",
    "Stuur minstens één veld",
    "Vul een telefoonnummer in",
    "Vul een bedrag in",
    "Hier staat een teken dat we niet kunnen opslaan",
)
ACCEPTED = {401, 403, 404, 409, 429}


def load_schema():
    """The OpenAPI document as the app serves it (read once, to name the tests)."""
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    # No database stores NUL in text (the document's description says so; a 422 names
    # the field): valid strings leave it out.
    schema.config.generation.update(allow_x00=False)
    return schema


def check_valid_data_is_taken(case, response) -> None:
    """schemathesis' positive_data_acceptance, but a 422 for a rule of the domain that no
    schema can state (a name already taken, an unknown device, a date in the future, an
    end before its start) is a right answer to valid data; a 422 about a rule the
    document states is not."""
    if not case.meta.generation.mode.is_positive:
        return
    status = response.status_code
    if 200 <= status < 300 or status in ACCEPTED:
        return
    body = response.json() if status == 422 else {}
    messages = [m for field in body.get("errors", {}).values() for m in field]
    said = messages or [body.get("message", "")]
    if status == 422 and not any(m.startswith(SCHEMA_RULES) for m in said):
        return
    raise AssertionError(
        f"valid data refused with {status}: {response.text[:500]}\n{case.as_curl_command()}"
    )


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
            for role in ROLES:
                user = auth.create_user(None, f"fuzz-{role}@test.uitleen.nl", role, role, "x" * 12)
                headers[role] = {"Authorization": f"Bearer {auth.create_token(None, user, 'fuzz')}"}
            db.session.commit()
        yield app, headers
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def fuzz(app, headers: dict, operation, examples: int) -> None:
    """Valid and invalid requests for one operation, each answer checked by every check."""
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @given(case=cases)
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,  # the same cases every run, so a CI failure reproduces
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def run(case):
        response = case.call(app=app, headers=headers)
        case.validate_response(
            response,
            headers=headers,
            transport_kwargs={"app": app},
            excluded_checks=[openapi_checks.positive_data_acceptance],
        )
        check_valid_data_is_taken(case, response)

    run()


@pytest.mark.slow
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_api_answers_as_documented_and_never_with_a_server_error(demo_app, operation):
    app, headers = demo_app
    fuzz(app, headers["coordinator"], operation, MAX_EXAMPLES)


@pytest.mark.slow
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
@pytest.mark.parametrize("role", ["intake", "volunteer"])
def test_other_roles_get_documented_answers_too(demo_app, operation, role):
    """What they may do, and their refusals (403), keep to the document; never a 5xx."""
    app, headers = demo_app
    fuzz(app, headers[role], operation, max(MAX_EXAMPLES // 3, 1))
