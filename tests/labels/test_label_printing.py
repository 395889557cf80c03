"""Printing labels from the device page, a selection, the API and the CLI: the QR codes in
the PDF decode to the devices' current label URLs, in the cells asked for."""

import pytest
from sqlalchemy import func, select

from tests.devices.factories import make_device, make_ready_device
from tests.labels.pdfcodes import decode_all, decode_cells
from uitleen.audit.models import Event
from uitleen.audit.service import history
from uitleen.devices.service import label_url
from uitleen.extensions import db
from uitleen.labels.formats import load_format
from uitleen.settings import service as settings

L7160 = load_format("L7160")


def devices(count: int, **changes):
    made = [make_device(**changes) for _ in range(count)]
    db.session.commit()
    return made


def url(device) -> str:
    return label_url(device.public_token)


def event_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Event))


def is_pdf(response) -> bool:
    return response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")


# --- the device page -----------------------------------------------------------------------


def test_device_page_offers_the_formats_and_the_label_url(client, login_as):
    login_as("volunteer")
    [device] = devices(1)
    page = client.get(f"/labels/device/{device.id}").get_data(as_text=True)
    assert "Avery L7160" in page and "Brother DK-11209" in page
    assert url(device) in page
    assert f"/labels/device/{device.id}/rotate" in page


def test_one_label_goes_in_the_chosen_cell_of_a_half_used_sheet(client, login_as):
    login_as("volunteer")
    [device] = devices(1)
    response = client.post(
        f"/labels/device/{device.id}", data={"format": "L7160", "start": "8", "copies": "1"}
    )
    assert response.status_code == 200 and is_pdf(response)
    assert decode_cells(L7160, response.data) == [{8: url(device)}]


def test_copies_fill_the_sheet_and_run_onto_the_next(client, login_as):
    login_as("intake")  # the desk prints labels too: they carry no household data
    [device] = devices(1)
    response = client.post(
        f"/labels/device/{device.id}", data={"format": "L7160", "start": "20", "copies": "3"}
    )
    assert decode_cells(L7160, response.data) == [
        {20: url(device), 21: url(device)},
        {1: url(device)},
    ]


def test_a_roll_prints_one_label_per_page(client, login_as):
    login_as("volunteer")
    [device] = devices(1)
    response = client.post(f"/labels/device/{device.id}", data={"format": "DK-11209"})
    assert decode_all(load_format("DK-11209"), response.data) == [url(device)]


def test_the_label_shows_tag_help_line_and_the_org_phone(client, login_as):
    import io

    import pypdf

    login_as("coordinator")
    settings.put(None, "org_phone", "010 765 4321")
    [device] = devices(1)
    response = client.post(f"/labels/device/{device.id}", data={"format": "L7163"})
    text = pypdf.PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert device.asset_tag in text
    assert "010 765 4321" in text
    assert "Hulp nodig?" in text


# --- a selection ---------------------------------------------------------------------------


def test_selection_by_checked_ids_and_typed_or_scanned_tags(client, login_as):
    login_as("volunteer")
    first, second, third, fourth = devices(4)
    scanned = url(fourth).lower()  # a phone's scanner may hand over any case
    response = client.post(
        "/labels/",
        data={
            "device_id": [str(second.id), str(first.id)],
            "tags": f"{int(third.asset_tag[4:])}\n{scanned}, {first.asset_tag.lower()}",
            "format": "L7160",
            "start": "1",
            "copies": "1",
        },
    )
    assert response.status_code == 200 and is_pdf(response)
    # In the order given; a device chosen twice gets one label.
    assert decode_all(L7160, response.data) == [url(second), url(first), url(third), url(fourth)]


def test_the_print_page_lists_the_devices_checked_in_the_list(client, login_as):
    login_as("volunteer")
    first, second = devices(2)
    page = client.get(f"/labels/?device_id={first.id}&device_id={second.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert first.asset_tag in text and second.asset_tag in text
    assert f'name="device_id" value="{first.id}" checked' in text


def test_a_post_from_the_device_list_without_a_format_asks_for_one(client, login_as):
    login_as("volunteer")
    first, second = devices(2)
    before = event_count()
    page = client.post("/labels/", data={"device_id": [str(first.id), str(second.id)]})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Niet alles is goed ingevuld" not in text
    assert f'name="device_id" value="{second.id}" checked' in text
    assert 'name="format"' in text
    assert event_count() == before  # nothing printed yet


def test_selection_by_state(client, login_as):
    login_as("volunteer")
    ready = [make_ready_device(), make_ready_device()]
    devices(1)  # in intake: not chosen
    db.session.commit()
    response = client.post("/labels/", data={"state": "ready", "format": "L7651"})
    assert decode_all(load_format("L7651"), response.data) == [url(d) for d in ready]


# --- the API and the CLI ---------------------------------------------------------------------


def test_api_returns_a_pdf_for_ids_tags_or_a_state(client, api_headers):
    headers = api_headers("volunteer")
    first, second, third = devices(3)
    response = client.post(
        "/api/v1/labels",
        json={"format": "L7160", "device_ids": [third.id], "tags": [first.asset_tag], "start": 4},
        headers=headers,
    )
    assert response.status_code == 200 and is_pdf(response)
    assert decode_cells(L7160, response.data) == [{4: url(third), 5: url(first)}]

    by_state = client.post(
        "/api/v1/labels", json={"format": "5160", "state": "intake"}, headers=headers
    )
    assert decode_all(load_format("5160"), by_state.data) == [
        url(d) for d in (first, second, third)
    ]


def test_openapi_documents_the_pdf_response(client):
    spec = client.get("/api/openapi.json").json
    operation = spec["paths"]["/api/v1/labels"]["post"]
    assert "application/pdf" in operation["responses"]["200"]["content"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert "format" in str(spec["components"]["schemas"]) and body


def test_cli_writes_the_labels_of_a_state_or_tags(app, tmp_path):
    first, second = devices(2)
    output = tmp_path / "out.pdf"
    result = app.test_cli_runner().invoke(
        args=[
            "labels",
            "--format",
            "L7160",
            "--tag",
            second.asset_tag,
            "--tag",
            first.asset_tag,
            "--start",
            "3",
            "-o",
            str(output),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "2 labels" in result.output
    assert decode_cells(L7160, output.read_bytes()) == [{3: url(second), 4: url(first)}]
    assert not (tmp_path / "out.pdf.part").exists()

    result = app.test_cli_runner().invoke(
        args=["labels", "--format", "L7160", "--state", "intake", "-o", str(output)]
    )
    assert result.exit_code == 0, result.output
    assert decode_all(L7160, output.read_bytes()) == [url(first), url(second)]


def test_cli_refuses_an_unknown_tag_and_writes_nothing(app, tmp_path):
    devices(1)
    before = event_count()
    output = tmp_path / "out.pdf"
    result = app.test_cli_runner().invoke(
        args=["labels", "--format", "L7160", "--tag", "UIT-99999", "-o", str(output)]
    )
    assert result.exit_code != 0
    assert "UIT-99999" in result.output
    assert not output.exists() and event_count() == before


def test_cli_asks_for_a_choice_of_devices(app, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["labels", "--format", "L7160", "-o", str(tmp_path / "x.pdf")]
    )
    assert result.exit_code != 0 and "--state" in result.output


# --- the audit log ---------------------------------------------------------------------------


def test_printing_is_logged_once_per_device_and_once_per_job(client, login_as):
    user = login_as("volunteer")
    first, second = devices(2)
    client.post(
        "/labels/",
        data={"device_id": [str(first.id), str(second.id)], "format": "L7160", "copies": "2"},
    )
    db.session.expire_all()
    [job] = db.session.scalars(select(Event).where(Event.verb == "label.print_job")).all()
    assert job.actor_id == user.id
    assert job.data == {
        "format": "L7160",
        "start": 1,
        "copies": 2,
        "count": 4,
        "device_ids": [first.id, second.id],
    }
    for device in (first, second):
        [printed] = [e for e in history("devices", device.id) if e.verb == "label.printed"]
        assert printed.data == {"job": job.subject_id, "format": "L7160"}
        assert printed.actor_id == user.id


# --- bad input changes nothing -------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"format": "A4-FANTASY"}, "format", "L7160"),  # the message lists the real ones
        ({"format": "../labels/L7160"}, "format", "L7160"),
        ({"format": "L7160", "start": 22}, "start", "21"),
        ({"format": "DK-11209", "start": 2}, "start", "1 tot en met 1"),
        ({"format": "L7160", "start": 0}, "start", "1"),
        ({"format": "L7160", "tags": ["UIT-99999", "nonsense"]}, "tags", "UIT-99999, nonsense"),
        ({"format": "L7160", "device_ids": [999999]}, "device_ids", "999999"),
        ({"format": "L7160", "state": "flying"}, "state", "ready"),
        ({"format": "L7160", "copies": 101}, "copies", "100"),
    ],
)
def test_api_bad_input_is_a_422_naming_the_field(client, api_headers, body, field, words):
    headers = api_headers("volunteer")
    [device] = devices(1)
    body = {"tags": [device.asset_tag], **body}
    before = event_count()
    response = client.post("/api/v1/labels", json=body, headers=headers)
    assert response.status_code == 422, response.json
    assert words in " ".join(response.json["errors"][field])
    db.session.expire_all()
    assert event_count() == before


def test_nothing_chosen_says_how_to_choose(client, api_headers):
    response = client.post("/api/v1/labels", json={"format": "L7160"}, headers=api_headers())
    assert response.status_code == 422
    assert "Kies minstens één apparaat" in response.json["errors"]["device_ids"][0]


def test_form_with_an_unknown_tag_comes_back_with_what_was_typed(client, login_as):
    login_as("volunteer")
    [device] = devices(1)
    before = event_count()
    response = client.post(
        "/labels/", data={"tags": f"{device.asset_tag}\nUIT-77777", "format": "L7160"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "UIT-77777" in page and "kennen we niet" in page
    assert device.asset_tag in page  # the textarea keeps what was typed
    db.session.expire_all()
    assert event_count() == before


def test_device_form_with_a_start_off_the_sheet_says_the_range(client, login_as):
    login_as("volunteer")
    [device] = devices(1)
    response = client.post(f"/labels/device/{device.id}", data={"format": "L7163", "start": "15"})
    assert response.status_code == 422
    assert "1 tot en met 14" in response.get_data(as_text=True)
    assert 'value="15"' in response.get_data(as_text=True)


def test_a_broken_format_file_is_named_not_a_crash(client, api_headers, app, tmp_path, monkeypatch):
    (tmp_path / "BROKEN.toml").write_text('name = "Broken"\nmedia = "sheet"\n')
    monkeypatch.setitem(app.config, "UITLEEN_LABELS_DIR", str(tmp_path))
    [device] = devices(1)
    response = client.post(
        "/api/v1/labels",
        json={"format": "BROKEN", "tags": [device.asset_tag]},
        headers=api_headers(),
    )
    assert response.status_code == 422
    assert "BROKEN.toml" in response.json["errors"]["format"][0]


def test_every_wrong_field_is_named_at_once(client, api_headers):
    response = client.post(
        "/api/v1/labels",
        json={"format": "L7160", "start": 30, "tags": ["UIT-55555"], "device_ids": [999999]},
        headers=api_headers(),
    )
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"start", "tags", "device_ids"}
    assert "UIT-55555" in response.json["errors"]["tags"][0]


def test_ids_no_device_can_have_are_unknown_devices(client, api_headers, login_as):
    response = client.post(
        "/api/v1/labels",
        json={"format": "L7160", "device_ids": [2**40, -3]},
        headers=api_headers(),
    )
    assert response.status_code == 422
    assert "1099511627776, -3" in response.json["errors"]["device_ids"][0]
    login_as("volunteer")
    page = client.get(f"/labels/?device_id={2**40}")
    assert page.status_code == 200 and "1099511627776" in page.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/labels/", "/labels/device/{id}"])
def test_print_pages_say_which_labels_only_scan_from_close_by(client, login_as, path):
    login_as("volunteer")
    device = make_device()
    db.session.commit()
    page = client.get(path.format(id=device.id)).get_data(as_text=True)
    [note] = [line for line in page.splitlines() if 'class="hint warning"' in line]
    assert "Avery L7651" in note and "dichtbij" in note
    assert "Avery L7160" not in note


@pytest.mark.parametrize("fmt", ["L7160", "L7163", "5160", "DK-11209", "DK-22205", "99012"])
def test_the_help_line_says_help_in_every_language_where_the_label_has_room(client, login_as, fmt):
    import io

    import pypdf

    login_as("volunteer")
    [device] = devices(1)
    response = client.post(f"/labels/device/{device.id}", data={"format": fmt})
    text = " ".join(pypdf.PdfReader(io.BytesIO(response.data)).pages[0].extract_text().split())
    for word in ("Hulp nodig?", "Help?", "Pomoc?", "Yardım?", "Допомога?"):
        assert word in text, (word, text)
