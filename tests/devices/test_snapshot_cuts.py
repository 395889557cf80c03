"""Property: a snapshot cut short anywhere, whole or inside one of its sections, is never a
500 and, unless what is left is still a whole snapshot, saves nothing."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.devices import snapshots as samples
from uitleen.devices.models import Device, HardwareSnapshot, QualityCheck, SnapshotDisk
from uitleen.extensions import db

URL = "/api/v1/devices/snapshots"
FIXTURES = {
    "dell": samples.body(samples.dell()),
    "dell-weak-battery": samples.body(samples.with_battery(samples.dell(), "weak")),
    "vm": samples.VM.read_bytes(),
    "qemu-pc": samples.QEMU.read_bytes(),
}
SECTIONS = ("dmidecode", "smartctl", "inxi")
CUTS = 150  # points per fixture, evenly spread, for the whole body


def saved() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (HardwareSnapshot, Device, SnapshotDisk, QualityCheck)
    )


def send(client, headers, content: bytes):
    before = saved()
    answer = client.post(URL, data=content, headers={**headers, "Content-Type": "application/json"})
    assert answer.status_code < 500, answer.get_data(as_text=True)
    assert answer.is_json
    if answer.status_code != 201:
        assert answer.status_code in (409, 422), answer.json
        assert answer.json["message"] and answer.json["errors"], answer.json
        assert saved() == before, answer.json
    return answer


@pytest.mark.parametrize("name", FIXTURES)
def test_the_whole_body_cut_anywhere_is_a_clear_422(client, api_headers, name):
    headers = api_headers("volunteer")
    content = FIXTURES[name]
    step = max(len(content) // CUTS, 1)
    for end in range(0, len(content) - 1, step):
        answer = send(client, headers, content[:end])
        assert answer.status_code == 422, (end, answer.json)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.sampled_from(sorted(FIXTURES)),
    section=st.sampled_from(SECTIONS),
    share=st.floats(min_value=0, max_value=1, exclude_max=True),
    garbage=st.sampled_from(["", "\ufffd", "\x00", "{", "]", "\udcff", "é"]),
)
def test_a_section_cut_anywhere_never_fails_badly(
    client, api_headers, name, section, share, garbage
):
    headers = api_headers("volunteer")
    snapshot = json.loads(FIXTURES[name])
    text = snapshot["data"][section]
    snapshot["data"][section] = text[: int(len(text) * share)] + garbage
    send(client, headers, json.dumps(snapshot).encode("utf-8", "surrogatepass"))
