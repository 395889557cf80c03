"""workbench-script's own sending path against a real server: its settings.ini (with the
quotes its example puts around the token), its headers, its body, its retry on anything
but 2xx, and the evidence address it prints afterwards.

The request is made the way workbench-script.py's send_snapshot_to_devicehub makes it:
urllib.request.Request(url, data=json.dumps(snapshot).encode("utf-8"), headers={
"Authorization": f"Bearer {token}", "Content-Type": "application/json"}).
"""

import configparser
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import func, select

from tests.browser.live import LiveServer, free_port, fresh_database, live_config
from tests.devices import snapshots as samples


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from flask_migrate import upgrade

    from uitleen import create_app
    from uitleen.auth import service as auth
    from uitleen.extensions import db

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with fresh_database(tmp_path_factory.mktemp("snapshots-live"), "snapshots_live") as database:
        app = create_app(live_config(database, url))
        with app.app_context():
            upgrade()
            user = auth.create_user(
                None, "werkplaats@test.uitleen.nl", "Werkplaats", "volunteer", "x" * 16
            )
            token = auth.create_token(None, user, "workbench")
            db.session.commit()
        with LiveServer(app, port):
            yield app, url, token
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def settings_ini(tmp_path, url: str, token: str):
    """The settings.ini a volunteer writes after the intake page's explanation, with the
    token quoted as in workbench-script's settings.ini.example."""
    path = tmp_path / "settings.ini"
    path.write_text(f"[settings]\nurl = {url}\ntoken = '{token}'\n")
    config = configparser.ConfigParser()
    config.read(path)
    return config.get("settings", "url"), config.get("settings", "token")


def send_like_workbench(snapshot: str, token: str, url: str) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    request = urllib.request.Request(url, data=snapshot.encode("utf-8"), headers=headers)  # noqa: S310 - the test's own http server
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.getcode(), response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        with error:  # its socket, closed
            return error.code, error.read().decode("utf-8")


def evidence_url(url: str, snapshot_uuid: str) -> str:
    """The address workbench-script prints (and shows as a QR code) after a send."""
    parts = urllib.parse.urlparse(url)
    return urllib.parse.urlunparse(
        (parts.scheme, parts.netloc, f"evidence/{snapshot_uuid}", "", "", "")
    )


def test_workbench_script_sends_a_snapshot_and_its_retry(server, tmp_path):
    app, base, token = server
    url, configured_token = settings_ini(tmp_path, f"{base}/api/v1/devices/snapshots", token)
    assert configured_token == f"'{token}'"  # configparser keeps the quotes
    snapshot = json.dumps(samples.dell())  # what main() hands to send_snapshot_to_devicehub

    status, text = send_like_workbench(snapshot, configured_token, url)
    assert status == 201, text
    answer = json.loads(text)
    assert answer["device"]["serial"] == samples.DELL_SERIAL
    assert answer["public_url"].startswith(base) and answer["dhid"].startswith("UIT-")

    # A retry (the first answer lost on a bad line) is a success too, and no second device.
    status, text = send_like_workbench(snapshot, configured_token, url)
    assert status == 201 and json.loads(text)["replayed"] is True

    from uitleen.devices.models import Device, HardwareSnapshot
    from uitleen.extensions import db

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Device)) == 1
        assert db.session.scalar(select(func.count()).select_from(HardwareSnapshot)) == 1

    # The printed evidence address leads to the device (after logging in).
    snapshot_uuid = json.loads(snapshot)["uuid"]
    request = urllib.request.Request(evidence_url(url, snapshot_uuid))  # noqa: S310
    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirected:
        opener.open(request, timeout=30)
    with redirected.value as answer:
        assert answer.code == 302
        assert "/login" in answer.headers["Location"]


def test_workbench_script_hears_what_is_wrong_with_a_vm_snapshot(server, tmp_path):
    _app, base, token = server
    url, configured_token = settings_ini(tmp_path, f"{base}/api/v1/devices/snapshots", token)

    status, text = send_like_workbench(samples.VM.read_text(), configured_token, url)

    assert status == 422
    answer = json.loads(text)
    assert "data.dmidecode" in answer["errors"]
    assert "virtuele machine" in answer["message"]


def test_a_wrong_token_is_refused(server, tmp_path):
    _app, base, _token = server
    url, configured_token = settings_ini(tmp_path, f"{base}/api/v1/devices/snapshots", "uit_wrong")

    status, _text = send_like_workbench(samples.DELL.read_text(), configured_token, url)

    assert status == 401


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
