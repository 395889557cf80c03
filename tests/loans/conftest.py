"""An app that reads the real catalogues, so household documents come out translated."""

import pytest

from uitleen.extensions import babel


@pytest.fixture
def translated_app(app, app_factory, catalogues):
    """The app (same database) with the household languages compiled from the catalogues."""
    # Flask-Babel caches loaded catalogues per locale on the shared Babel object, across
    # apps: start and end with an empty cache so no app sees the other's catalogues.
    babel.domain_instance.cache.clear()
    yield app_factory(BABEL_TRANSLATION_DIRECTORIES=catalogues)
    babel.domain_instance.cache.clear()
