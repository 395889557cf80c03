"""An app that reads the staging catalogues, so household documents come out translated."""

from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from uitleen.extensions import babel

STAGING = Path(__file__).parents[2] / "uitleen" / "translations" / "staging"
TOPICS = ("documents", "reminders")


def compile_staging(directory: Path) -> Path:
    """Merge the staging topics per language into messages.mo files under directory."""
    for po in sorted((STAGING / TOPICS[0]).glob("*.po")):
        lang = po.stem
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=lang)
        for topic in TOPICS[1:]:
            with (STAGING / topic / f"{lang}.po").open("rb") as handle:
                for message in read_po(handle, locale=lang):
                    if message.id:
                        catalog[message.id] = message
        target = directory / lang / "LC_MESSAGES"
        target.mkdir(parents=True)
        with (target / "messages.mo").open("wb") as handle:
            write_mo(handle, catalog)
    return directory


@pytest.fixture
def translated_app(app, app_factory, tmp_path):
    """The app (same database) with household languages compiled from staging."""
    # Flask-Babel caches loaded catalogues per locale on the shared Babel object, across
    # apps: start and end with an empty cache so no app sees the other's catalogues.
    babel.domain_instance.cache.clear()
    yield app_factory(BABEL_TRANSLATION_DIRECTORIES=str(compile_staging(tmp_path / "tr")))
    babel.domain_instance.cache.clear()
