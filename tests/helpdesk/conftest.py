"""Fixtures of the help pages: a client whose every request chooses its language afresh."""

import pytest
from flask import g
from flask.testing import FlaskClient


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
