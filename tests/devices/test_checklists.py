"""The software checklist and the quality check record only answers someone really gave.

Both forms start empty; every item needs an explicit answer, or the explicit
"Alles gedaan" / "Alles in orde" control answers all at once. A refused form keeps what
was typed and says at which item the answer is missing. The audit event says how the
answers were given.
"""

from html.parser import HTMLParser

from sqlalchemy import func, select

from tests.devices.factories import make_qc_device, make_wiped_device, qc_results
from uitleen.audit.service import history
from uitleen.devices.models import Device, QualityCheck, SoftwareInstall
from uitleen.extensions import db
from uitleen.settings import service as settings


class Inputs(HTMLParser):
    """Every <input> and <textarea> of a page, with its attributes and error paragraphs."""

    def __init__(self, html: str):
        super().__init__()
        self.inputs: list[dict] = []
        self.textareas: dict[str, str] = {}
        self._textarea: str | None = None
        self.fieldsets: list[dict] = []
        self._open: dict | None = None
        self._in_error = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "fieldset":
            self._open = {"names": set(), "error": ""}
            self.fieldsets.append(self._open)
        elif tag == "input":
            self.inputs.append(attrs)
            if self._open:
                self._open["names"].add(attrs.get("name"))
        elif tag == "textarea":
            self._textarea = attrs.get("name")
            self.textareas[self._textarea] = ""
        elif tag == "p" and "error" in (attrs.get("class") or "").split():
            self._in_error = True

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "fieldset":
            self._open = None
        elif tag == "p":
            self._in_error = False

    def handle_data(self, data):
        if self._textarea:
            self.textareas[self._textarea] += data
        if self._in_error and self._open:
            self._open["error"] += data

    def checked(self) -> dict[str, str]:
        return {i["name"]: i.get("value") for i in self.inputs if "checked" in i}

    def value(self, name: str) -> str | None:
        return next((i.get("value") for i in self.inputs if i.get("name") == name), None)

    def group(self, name: str) -> dict:
        return next(f for f in self.fieldsets if name in f["names"])


def _installs(device) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(SoftwareInstall)
        .where(SoftwareInstall.device_id == device.id)
    )


def _checks(device) -> int:
    return db.session.scalar(
        select(func.count()).select_from(QualityCheck).where(QualityCheck.device_id == device.id)
    )


def _last(device, verb: str):
    return next((e for e in history("devices", device.id) if e.verb == verb), None)


# --- the software form ---------------------------------------------------------------


def test_software_form_starts_with_nothing_chosen(client, login_as):
    login_as("volunteer")
    device = make_wiped_device()
    db.session.commit()
    page = Inputs(client.get(f"/devices/{device.id}/software").get_data(as_text=True))
    items = settings.get("software_checklist")
    assert page.checked() == {}
    for index in range(len(items)):
        values = [i["value"] for i in page.inputs if i.get("name") == f"item-{index}"]
        assert values == ["done", "not_done", "na"]
        assert all(i["type"] == "radio" for i in page.inputs if i.get("name") == f"item-{index}")
    assert page.value("all_done") is not None  # the explicit control is there, unticked


def test_software_form_without_answers_is_refused_and_records_nothing(client, login_as):
    login_as("volunteer")
    device = make_wiped_device()
    db.session.commit()
    response = client.post(
        f"/devices/{device.id}/software",
        data={"os_name": "Linux Mint", "os_version": "22", "notes": "snel klaar"},
    )
    assert response.status_code == 422
    page = Inputs(response.get_data(as_text=True))
    assert page.value("os_name") == "Linux Mint"
    assert page.textareas["notes"].strip() == "snel klaar"
    for index in range(len(settings.get("software_checklist"))):
        assert "gedaan" in page.group(f"item-{index}")["error"]
    db.session.expire_all()
    assert _installs(device) == 0
    assert db.session.get(Device, device.id).state == "wiped"
    assert _last(device, "software.recorded") is None


def test_software_form_keeps_the_answers_given(client, login_as):
    login_as("volunteer")
    device = make_wiped_device()
    db.session.commit()
    items = settings.get("software_checklist")
    data = {f"item-{i}": "done" for i in range(len(items))}
    data |= {"item-1": "not_done", "item-2": "na", "os_name": "Zorin OS", "notes": "geen wifi"}
    del data["item-4"]
    response = client.post(f"/devices/{device.id}/software", data=data)
    assert response.status_code == 422
    page = Inputs(response.get_data(as_text=True))
    expected = {k: v for k, v in data.items() if k.startswith("item-")}
    assert page.checked() == expected
    assert page.group("item-4")["error"]
    assert not page.group("item-0")["error"]
    assert items[4] in response.get_data(as_text=True)
    assert page.value("os_name") == "Zorin OS"
    db.session.expire_all()
    assert _installs(device) == 0


def test_software_form_per_item_records_exactly_the_answers(client, login_as):
    login_as("volunteer")
    device = make_wiped_device()
    db.session.commit()
    items = settings.get("software_checklist")
    data = {f"item-{i}": "done" for i in range(len(items))}
    data |= {"item-1": "not_done", "item-2": "na", "os_name": "Linux Mint"}
    response = client.post(f"/devices/{device.id}/software", data=data)
    assert response.status_code == 302
    install = db.session.scalars(select(SoftwareInstall)).one()
    assert install.checklist[items[0]] is True
    assert install.checklist[items[1]] is False
    assert install.checklist[items[2]] is None  # n.v.t.
    event = _last(device, "software.recorded")
    assert event.data["answered"] == "per_item"
    assert event.data["missing"] == [items[1]]
    assert event.data["not_applicable"] == [items[2]]
    page = client.get(f"/devices/{device.id}").get_data(as_text=True)
    assert f"n.v.t. {items[2]}" in page


def test_software_form_all_done_at_once_is_logged_as_such(client, login_as):
    login_as("volunteer")
    device = make_wiped_device()
    db.session.commit()
    response = client.post(
        f"/devices/{device.id}/software", data={"os_name": "Linux Mint", "all_done": "1"}
    )
    assert response.status_code == 302
    install = db.session.scalars(select(SoftwareInstall)).one()
    assert install.checklist == dict.fromkeys(settings.get("software_checklist"), True)
    event = _last(device, "software.recorded")
    assert event.data["answered"] == "all_at_once"
    assert event.data["missing"] == []
    db.session.expire_all()
    assert db.session.get(Device, device.id).state == "qc"


def test_software_form_all_done_with_a_contrary_answer_is_refused(client, login_as):
    login_as("volunteer")
    device = make_wiped_device()
    db.session.commit()
    response = client.post(
        f"/devices/{device.id}/software",
        data={"os_name": "Linux Mint", "all_done": "1", "item-0": "done", "item-3": "not_done"},
    )
    assert response.status_code == 422
    page = Inputs(response.get_data(as_text=True))
    assert page.checked() == {"all_done": "1", "item-0": "done", "item-3": "not_done"}
    assert page.group("item-3")["error"]
    db.session.expire_all()
    assert _installs(device) == 0


def test_software_form_all_done_kept_when_another_field_is_wrong(client, login_as):
    login_as("volunteer")
    device = make_wiped_device()
    db.session.commit()
    response = client.post(f"/devices/{device.id}/software", data={"all_done": "1"})
    assert response.status_code == 422
    assert Inputs(response.get_data(as_text=True)).checked() == {"all_done": "1"}
    assert _installs(device) == 0


def test_software_answers_follow_their_item_when_the_list_changes(client, login_as):
    """A coordinator reorders and renames items while a volunteer has the form open."""
    login_as("volunteer")
    device = make_wiped_device()
    db.session.commit()
    drawn = settings.get("software_checklist")
    page = Inputs(client.get(f"/devices/{device.id}/software").get_data(as_text=True))
    data = {i["name"]: i["value"] for i in page.inputs if i.get("name", "").endswith("-name")}
    data |= {f"item-{i}": "done" for i in range(len(drawn))}
    data |= {"item-0": "not_done", "os_name": "Linux Mint"}
    settings.put(None, "software_checklist", list(reversed(drawn)))
    db.session.commit()
    response = client.post(f"/devices/{device.id}/software", data=data)
    assert response.status_code == 302
    install = db.session.scalars(select(SoftwareInstall)).one()
    assert install.checklist[drawn[0]] is False  # the answer given for that item, not item 0
    assert list(install.checklist) == list(reversed(drawn))

    other = make_wiped_device()
    settings.put(None, "software_checklist", ["Nieuw punt", *drawn[1:]])
    db.session.commit()
    response = client.post(f"/devices/{other.id}/software", data=data)
    assert response.status_code == 422
    page = Inputs(response.get_data(as_text=True))
    assert "item-0" not in page.checked()  # the old item's answer is not shown at the new one
    assert page.group("item-0")["error"]
    assert drawn[0] in response.get_data(as_text=True)  # named as no longer on the list
    assert _installs(other) == 0


# --- the quality-check form ----------------------------------------------------------


def test_check_form_starts_with_nothing_chosen(client, login_as):
    login_as("volunteer")
    device = make_qc_device()
    db.session.commit()
    page = Inputs(client.get(f"/devices/{device.id}/check").get_data(as_text=True))
    assert page.checked() == {}
    for index in range(len(settings.get("qc_checklist"))):
        values = [i["value"] for i in page.inputs if i.get("name") == f"item-{index}"]
        assert values == ["pass", "fail", "na"]
    assert page.value("all_pass") is not None


def test_check_form_without_answers_is_refused_and_keeps_input(client, login_as):
    login_as("volunteer")
    device = make_qc_device()
    db.session.commit()
    response = client.post(
        f"/devices/{device.id}/check", data={"item-0": "pass", "item-2": "fail", "notes": "kras"}
    )
    assert response.status_code == 422
    page = Inputs(response.get_data(as_text=True))
    assert page.checked() == {"item-0": "pass", "item-2": "fail"}
    assert page.textareas["notes"].strip() == "kras"
    assert page.group("item-1")["error"] and not page.group("item-0")["error"]
    db.session.expire_all()
    assert _checks(device) == 0
    assert db.session.get(Device, device.id).state == "qc"


def test_check_form_all_pass_at_once_is_logged_as_such(client, login_as):
    login_as("volunteer")
    device = make_qc_device()
    db.session.commit()
    response = client.post(f"/devices/{device.id}/check", data={"all_pass": "1"})
    assert response.status_code == 302
    check = db.session.scalars(select(QualityCheck)).one()
    assert check.passed
    assert check.results == dict.fromkeys(settings.get("qc_checklist"), "pass")
    assert _last(device, "quality_check.recorded").data["answered"] == "all_at_once"


def test_check_form_all_pass_with_a_fail_is_refused(client, login_as):
    login_as("volunteer")
    device = make_qc_device()
    db.session.commit()
    response = client.post(f"/devices/{device.id}/check", data={"all_pass": "1", "item-5": "fail"})
    assert response.status_code == 422
    page = Inputs(response.get_data(as_text=True))
    assert page.checked() == {"all_pass": "1", "item-5": "fail"}
    assert page.group("item-5")["error"]
    db.session.expire_all()
    assert _checks(device) == 0


# --- the API ---------------------------------------------------------------------------


def test_api_software_refuses_a_missing_item(client, api_headers):
    device = make_wiped_device()
    db.session.commit()
    items = settings.get("software_checklist")
    checklist = dict.fromkeys(items[1:], "done")
    response = client.post(
        f"/api/v1/devices/{device.id}/software",
        json={"os_name": "Linux Mint", "checklist": checklist},
        headers=api_headers("volunteer"),
    )
    assert response.status_code == 422
    assert response.json["code"] == "checklist_incomplete"
    assert list(response.json["errors"]) == [f"checklist.{items[0]}"]
    assert items[0] in response.json["message"]
    assert "all_done" in response.json["message"]
    db.session.expire_all()
    assert _installs(device) == 0


def test_api_software_with_no_checklist_names_every_item(client, api_headers):
    device = make_wiped_device()
    db.session.commit()
    response = client.post(
        f"/api/v1/devices/{device.id}/software",
        json={"os_name": "Linux Mint"},
        headers=api_headers("volunteer"),
    )
    assert response.status_code == 422
    items = settings.get("software_checklist")
    assert set(response.json["errors"]) == {f"checklist.{item}" for item in items}
    assert _installs(device) == 0


def test_api_software_answers_and_all_done(client, api_headers):
    headers = api_headers("volunteer")
    items = settings.get("software_checklist")
    device = make_wiped_device()
    db.session.commit()
    checklist = dict.fromkeys(items, "done") | {items[0]: "na", items[1]: False}
    response = client.post(
        f"/api/v1/devices/{device.id}/software",
        json={"os_name": "Linux Mint", "checklist": checklist},
        headers=headers,
    )
    assert response.status_code == 201
    assert response.json["checklist"][items[0]] is None
    assert response.json["checklist"][items[1]] is False
    assert response.json["checklist"][items[2]] is True
    assert _last(device, "software.recorded").data["answered"] == "per_item"

    other = make_wiped_device()
    db.session.commit()
    response = client.post(
        f"/api/v1/devices/{other.id}/software",
        json={"os_name": "Linux Mint", "all_done": True},
        headers=headers,
    )
    assert response.status_code == 201
    assert response.json["checklist"] == dict.fromkeys(items, True)
    assert _last(other, "software.recorded").data["answered"] == "all_at_once"


def test_api_software_all_done_contradicted_is_refused(client, api_headers):
    device = make_wiped_device()
    db.session.commit()
    item = settings.get("software_checklist")[2]
    response = client.post(
        f"/api/v1/devices/{device.id}/software",
        json={"os_name": "Linux Mint", "all_done": True, "checklist": {item: "not_done"}},
        headers=api_headers("volunteer"),
    )
    assert response.status_code == 422
    assert response.json["code"] == "all_at_once_contradicted"
    assert item in response.json["message"]
    assert set(response.json["errors"]) == {"all_done", f"checklist.{item}"}
    assert _installs(device) == 0


def test_api_software_refuses_an_unknown_answer(client, api_headers):
    device = make_wiped_device()
    db.session.commit()
    items = settings.get("software_checklist")
    checklist = dict.fromkeys(items, "done") | {items[0]: "ja hoor"}
    response = client.post(
        f"/api/v1/devices/{device.id}/software",
        json={"os_name": "Linux Mint", "checklist": checklist},
        headers=api_headers("volunteer"),
    )
    assert response.status_code == 422
    assert any(key.startswith(f"checklist.{items[0]}") for key in response.json["errors"])
    assert _installs(device) == 0


def test_api_check_refuses_a_missing_item_and_takes_all_pass(client, api_headers):
    headers = api_headers("volunteer")
    device = make_qc_device()
    db.session.commit()
    results = qc_results()
    del results["Wifi"]
    response = client.post(
        f"/api/v1/devices/{device.id}/quality-checks", json={"results": results}, headers=headers
    )
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["results.Wifi"]
    assert "Wifi" in response.json["message"] and "all_pass" in response.json["message"]
    assert _checks(device) == 0

    contrary = client.post(
        f"/api/v1/devices/{device.id}/quality-checks",
        json={"all_pass": True, "results": {"Scherm": "fail"}},
        headers=headers,
    )
    assert contrary.status_code == 422
    assert "Scherm" in contrary.json["message"]
    assert _checks(device) == 0

    response = client.post(
        f"/api/v1/devices/{device.id}/quality-checks", json={"all_pass": True}, headers=headers
    )
    assert response.status_code == 201 and response.json["passed"]
    assert _last(device, "quality_check.recorded").data["answered"] == "all_at_once"
