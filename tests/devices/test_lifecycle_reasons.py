"""Every refused move says why in a plain Dutch sentence; the API answers 409 with it."""

import pytest

from tests.devices.factories import make_device
from uitleen.devices import lifecycle, service
from uitleen.errors import Conflict, Invalid


@pytest.mark.parametrize("source", lifecycle.STATES)
def test_every_refusal_has_a_plain_reason(app, source):
    device = make_device()
    device.state = source  # only to ask the state machine; the test never commits
    allowed = set(lifecycle.allowed_targets(device, "coordinator"))
    for target in lifecycle.STATES:
        if target in allowed:
            continue
        with pytest.raises(Conflict) as refused:
            lifecycle.check(device, target, "coordinator")
        message = refused.value.message
        assert refused.value.code == "transition_not_allowed"
        assert message.startswith("Deze laptop") and message.endswith(".")
        assert str(lifecycle.STATE_NAMES[target]) in message


def test_guarded_moves_say_what_is_missing(app):
    device = make_device(kind="tablet")
    service.transition(None, device, "wiping")
    with pytest.raises(Conflict) as refused:
        service.transition(None, device, "wiped")
    assert refused.value.message.startswith("Deze tablet is nog niet gewist")


def test_moves_that_need_a_note_say_so(app):
    device = make_device()
    for target in ("parts", "lost"):
        with pytest.raises(Invalid) as refused:
            service.transition(None, device, target, "  ")
        assert refused.value.errors["note"]
