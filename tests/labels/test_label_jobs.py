"""Large runs are drawn by a separate worker process: the request returns at once, other
requests are served meanwhile, and job folders do not pile up."""

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time

import pypdf
import pytest
from flask import g
from sqlalchemy import func, select

from tests.devices.factories import make_device
from tests.labels.pdfcodes import decode_all, decode_cells
from uitleen.audit.models import Event
from uitleen.devices.service import label_url
from uitleen.extensions import db
from uitleen.labels import jobs, render, service
from uitleen.labels.formats import load_format

L7160 = load_format("L7160")


@pytest.fixture
def large_from(app, jobs_dir, monkeypatch):
    """Treat runs of more than `count` labels as large; forbid drawing in this process."""

    def configure(count: int) -> None:
        monkeypatch.setitem(app.config, "LABELS_INLINE_MAX", count)

    def refuse(*args, **kwargs):
        raise AssertionError("a large run was drawn inside the web process")

    monkeypatch.setattr(render, "write_labels", refuse)
    monkeypatch.setattr(service, "render_labels", refuse)
    return configure


def devices(count: int):
    made = [make_device() for _ in range(count)]
    db.session.commit()
    return made


def wait_for(client, location: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = client.get(location)
        assert page.status_code == 200
        if "Refresh" not in page.headers:
            return page.get_data(as_text=True)
        time.sleep(0.1)
    raise AssertionError("the job did not finish")


def test_a_large_selection_becomes_a_job_with_a_status_page_and_a_download(
    client, login_as, large_from, jobs_dir
):
    large_from(2)
    login_as("volunteer")
    chosen = devices(3)
    response = client.post(
        "/labels/",
        data={"tags": " ".join(d.asset_tag for d in chosen), "format": "L7160", "start": "2"},
    )
    assert response.status_code == 303
    location = response.headers["Location"]
    [folder] = list(jobs_dir.iterdir())
    assert location.endswith(f"/labels/jobs/{folder.name}")
    assert int((folder / "pid").read_text().split()[1]) != os.getpid()

    page = wait_for(client, location)
    assert "De labels zijn klaar" in page
    download = client.get(f"{location}/labels.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert decode_all(L7160, download.data) == [label_url(d.public_token) for d in chosen]
    download.close()
    assert not (folder / "input.json").exists()  # the worker cleaned up its input


def test_other_requests_are_served_while_a_worker_draws(client, login_as, large_from, jobs_dir):
    large_from(1)
    login_as("volunteer")
    chosen = devices(2)
    response = client.post(
        "/labels/", data={"device_id": [str(d.id) for d in chosen], "format": "L7160"}
    )
    assert response.status_code == 303  # returned before the worker could have drawn
    [folder] = list(jobs_dir.iterdir())
    pid = int((folder / "pid").read_text().split()[1])
    try:
        os.kill(pid, signal.SIGSTOP)  # hold the worker mid-run
    except ProcessLookupError:
        pytest.fail("the worker had already finished")
    try:
        status = client.get(response.headers["Location"])
        assert status.headers["Refresh"] == "2"
        assert "Bezig met de labels" in status.get_data(as_text=True)
        assert client.get("/login").status_code in (200, 302)
        assert client.get("/labels/").status_code == 200
    finally:
        os.kill(pid, signal.SIGCONT)
    assert "De labels zijn klaar" in wait_for(client, response.headers["Location"])


def test_the_api_waits_for_the_worker_and_leaves_no_files(
    client, api_headers, large_from, jobs_dir
):
    large_from(1)
    chosen = devices(3)
    response = client.post(
        "/api/v1/labels",
        json={"format": "L7160", "device_ids": [d.id for d in chosen]},
        headers=api_headers("intake"),
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert decode_all(L7160, response.data) == [label_url(d.public_token) for d in chosen]
    response.close()
    assert list(jobs_dir.iterdir()) == []


def test_a_job_is_only_for_the_one_who_started_it(client, login_as, large_from, make_user):
    large_from(1)
    login_as("volunteer")
    chosen = devices(2)
    location = client.post(
        "/labels/", data={"device_id": [str(d.id) for d in chosen], "format": "L7160"}
    ).headers["Location"]
    wait_for(client, location)

    # The tests keep one app context, so flask-login's cached user must go when switching.
    g.pop("_login_user", None)
    login_as("volunteer")  # a colleague
    assert client.get(location).status_code == 404
    assert client.get(f"{location}/labels.pdf").status_code == 404
    g.pop("_login_user", None)
    login_as("coordinator")
    download = client.get(f"{location}/labels.pdf")
    assert download.status_code == 200
    download.close()


def test_too_many_running_jobs_is_a_503_and_logs_nothing(
    app, client, api_headers, large_from, monkeypatch
):
    large_from(1)
    monkeypatch.setitem(app.config, "LABELS_MAX_RUNNING", 0)
    chosen = devices(2)
    headers = api_headers()
    before = db.session.scalar(select(func.count()).select_from(Event))
    response = client.post(
        "/api/v1/labels",
        json={"format": "L7160", "device_ids": [d.id for d in chosen]},
        headers=headers,
    )
    assert response.status_code == 503 and response.json["code"] == "busy"
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Event)) == before


def test_a_failing_worker_is_reported_not_waited_for_forever(app, jobs_dir, tmp_path):
    job_input = {
        "format_path": str(tmp_path / "missing.toml"),
        "start": 1,
        "help_text": "",
        "phone_text": "",
        "labels": [["UIT-00001", "HTTPS://X/H/ABC", None]],
    }
    job = jobs.start("0123456789abcdef", None, "Missing", job_input)
    done = jobs.wait(job.id)
    assert done.state == jobs.FAILED
    assert "missing.toml" in done.error


def test_old_job_folders_are_removed(app, jobs_dir):
    old, fresh = jobs_dir / "00000000000000aa", jobs_dir / "00000000000000bb"
    for folder in (old, fresh):
        folder.mkdir(parents=True)
        (folder / "labels.pdf").write_bytes(b"%PDF")
    hours_ago = time.time() - jobs.KEEP_SECONDS - 60
    os.utime(old, (hours_ago, hours_ago))
    assert jobs.cleanup() == 1
    assert not old.exists() and fresh.exists()


def test_unknown_or_malformed_job_ids_are_not_found(client, login_as, jobs_dir):
    login_as("volunteer")
    assert client.get("/labels/jobs/0123456789abcdef").status_code == 404
    assert client.get("/labels/jobs/..%2F..%2Fetc").status_code == 404


def test_with_the_shipped_settings_a_run_of_400_labels_goes_to_the_worker(
    client, login_as, jobs_dir, monkeypatch
):
    def refuse(*args, **kwargs):
        raise AssertionError("a large run was drawn inside the web process")

    monkeypatch.setattr(service, "render_labels", refuse)
    login_as("volunteer")
    chosen = devices(4)
    response = client.post(
        "/labels/",
        data={"device_id": [str(d.id) for d in chosen], "format": "L7160", "copies": "100"},
    )
    assert jobs.inline_max() < 400 and response.status_code == 303
    wait_for(client, response.headers["Location"])
    download = client.get(response.headers["Location"] + "/labels.pdf")
    pages = pypdf.PdfReader(io.BytesIO(download.data)).pages
    assert len(pages) == -(-400 // 21)
    [first_page] = decode_cells(L7160, download.data, pages=1)
    assert first_page == dict.fromkeys(range(1, 22), label_url(chosen[0].public_token))
    download.close()


def fake_job(folder, pid_line: str) -> str:
    folder.mkdir(parents=True)
    (folder / "pid").write_text(pid_line)
    meta = {"owner_id": None, "count": 1, "format_name": "L7160", "created": time.time()}
    (folder / "meta.json").write_text(json.dumps(meta))
    return folder.name


def test_a_worker_that_died_without_a_result_is_failed(app, jobs_dir):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])  # noqa: S603
    dead.wait()  # reaped: its pid is free
    job_id = fake_job(jobs_dir / "00000000000000cc", f"{socket.gethostname()} {dead.pid}")
    assert jobs.get(job_id).state == jobs.FAILED


def test_a_job_on_another_host_counts_as_running_until_its_cpu_limit(app, jobs_dir):
    job_id = fake_job(jobs_dir / "00000000000000dd", "other-host 1")
    assert jobs.get(job_id).state == jobs.RUNNING
    assert [job.id for job in jobs.running()] == [job_id]
    long_ago = time.time() - jobs.MAX_SECONDS - 120
    os.utime(jobs_dir / job_id / "pid", (long_ago, long_ago))
    assert jobs.get(job_id).state == jobs.FAILED


def test_the_api_says_so_when_the_worker_fails(
    client, api_headers, large_from, jobs_dir, monkeypatch
):
    large_from(1)
    chosen = devices(2)
    real_input = service.PrintRun.job_input

    def broken_input(run):
        return real_input(run) | {"format_path": str(jobs_dir / "gone.toml")}

    monkeypatch.setattr(service.PrintRun, "job_input", broken_input)
    response = client.post(
        "/api/v1/labels",
        json={"format": "L7160", "device_ids": [d.id for d in chosen]},
        headers=api_headers(),
    )
    assert response.status_code == 500 and response.json["code"] == "labels_failed"
    assert "mislukt" in response.json["message"]
    assert list(jobs_dir.iterdir()) == []
