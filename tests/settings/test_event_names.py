"""Issue 16: the event log reads as sentences in the reader's language."""

import ast
import re
from pathlib import Path

import pytest

import uitleen
from uitleen.audit.models import Event
from uitleen.audit.service import record
from uitleen.extensions import db
from uitleen.settings.eventnames import SENTENCES

PACKAGE = Path(uitleen.__file__).parent
VERB = re.compile(r"[a-z_]+\.[a-z_]+")
RECORDERS = {"record", "record_many"}


def recorded_verbs() -> set[str]:
    """Every verb passed to audit.record / record_many anywhere in the code."""
    verbs = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name not in RECORDERS or len(node.args) < 2:
                continue
            for part in ast.walk(node.args[1]):
                constant = isinstance(part, ast.Constant) and isinstance(part.value, str)
                if constant and VERB.fullmatch(part.value):
                    verbs.add(part.value)
    return verbs


def test_every_recorded_verb_has_a_sentence():
    verbs = recorded_verbs()
    assert len(verbs) > 30
    assert sorted(verbs - set(SENTENCES)) == []


def test_every_verb_of_the_demo_organisation_has_a_sentence(app):
    from uitleen.demo import seed

    seed()
    db.session.flush()
    seen = {verb for (verb,) in db.session.query(Event.verb).distinct()}
    assert len(seen) > 10
    assert sorted(seen - set(SENTENCES)) == []


@pytest.fixture
def coordinator(client, login_as):
    return login_as("coordinator")


def test_the_log_says_who_did_what_in_words(client, coordinator, make_user):
    victor = make_user("volunteer")
    record(victor, "user.logged_in", victor)
    record(coordinator, "user.role_changed", victor, changes={"role": {"old": "volunteer",
           "new": "intake"}})  # fmt: skip
    db.session.commit()
    html = client.get("/audit/").get_data(as_text=True)
    assert f"{victor.name} heeft ingelogd." in html
    assert f"{coordinator.name} heeft de rol van medewerker {victor.id} veranderd." in html
    assert "volunteer → intake" in html
    for raw in ("user.logged_in</", f"users {victor.id}", "<code>{}</code>"):
        assert raw not in html


def test_the_log_in_english(client, coordinator):
    record(coordinator, "user.logged_in", coordinator)
    db.session.commit()
    client.post("/lang/en", data={"next": "/audit/"})
    html = client.get("/audit/").get_data(as_text=True)
    assert f"{coordinator.name} logged in." in html
