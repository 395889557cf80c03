"""Fixtures of the help pages: a client whose every request chooses its language afresh."""

import pytest
from flask import g
from flask.testing import FlaskClient

from tests.conftest import make_app
from uitleen.extensions import db


class FreshLocaleClient(FlaskClient):
    """The test app context stays pushed, so flask-babel's cached locale in `g` would
    outlive a request; in production every request has its own. Forget it before each."""

    def open(self, *args, **kwargs):
        g.pop("_flask_babel", None)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = FreshLocaleClient
    try:
        yield app.test_client()
    finally:
        app.test_client_class = None


@pytest.fixture(scope="module")
def translated_app(database_url, catalogues):
    """An app that has the help page's translations, compiled from the catalogues."""
    app = make_app(database_url, BABEL_TRANSLATION_DIRECTORIES=catalogues)
    app.test_client_class = FreshLocaleClient
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def translated(app, translated_app):
    """A client of that app (after `app` emptied the tables and reset the rate limits)."""
    # flask-babel caches catalogues per language on its one Domain object, for all apps:
    # forget them, so neither app sees the other's.
    domain = translated_app.extensions["babel"].instance.domain_instance
    domain.cache.clear()
    with translated_app.app_context():
        yield translated_app.test_client()
        db.session.remove()
    domain.cache.clear()
