"""A setting printed on labels must fit every shipped format at 6 pt or more (issue 15)."""

import pytest

from uitleen.errors import Invalid
from uitleen.settings import service as settings


def test_a_phone_number_too_long_for_a_label_is_refused_with_the_longest_that_fits(app):
    with pytest.raises(Invalid) as refused:
        settings.put(None, "org_phone", "+31 (0)20 123 45 67")
    [message] = refused.value.errors["org_phone"]
    assert "Avery L7651" in message
    assert "6 pt" in message or "6 punt" in message
    assert "“+31 (0)20 12" in message  # the longest beginning of this number that fits


def test_a_phone_number_that_fits_is_stored(app):
    settings.put(None, "org_phone", "020 765 4321")
    assert settings.get("org_phone") == "020 765 4321"


def test_the_settings_form_says_it_at_the_field_and_saves_nothing(client, login_as):
    from uitleen.settings.views import GENERAL_KEYS

    login_as("coordinator")
    form = {key: str(value) for key, value in settings.get_many(GENERAL_KEYS).items()}
    response = client.post("/settings/", data=form | {"org_phone": "+31 (0)20 123 45 67"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="e-org_phone"' in page and "Avery L7651" in page
    assert settings.get("org_phone") == "020 123 4567"
