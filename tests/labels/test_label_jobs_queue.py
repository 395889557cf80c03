"""With UITLEEN_REDIS_URL, large runs are RQ jobs: state and PDF in Redis, not on a disk.

Needs a Redis server (skipped without one, unless UITLEEN_REQUIRE_REDIS is set, as in CI).
The queue lives in its own Redis database, emptied before and after each test.
"""

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from rq import Worker
from rq.job import Job as RqJob
from rq.job import JobStatus

from tests.devices.factories import make_device
from tests.labels.pdfcodes import decode_all
from tests.queue import QUEUE_REDIS_URL, needs_redis, shared_queue, work_off
from uitleen import tasks
from uitleen.devices.service import label_url
from uitleen.extensions import db
from uitleen.labels import jobs, service
from uitleen.labels.formats import load_format

L7160 = load_format("L7160")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

pytestmark = needs_redis


@pytest.fixture
def queued(app, jobs_dir, monkeypatch):
    """The app with a shared queue; runs above 2 labels are jobs; none drawn in-process."""
    monkeypatch.setitem(app.config, "LABELS_INLINE_MAX", 2)
    monkeypatch.setattr(service, "render_labels", refuse)
    with shared_queue(app, monkeypatch) as connection:
        yield connection


def refuse(*args, **kwargs):
    raise AssertionError("a large run was drawn inside the web process")


def devices(count: int):
    made = [make_device() for _ in range(count)]
    db.session.commit()
    return made


def test_a_large_run_is_a_queued_job_with_no_files_on_this_server(
    client, login_as, queued, jobs_dir
):
    login_as("volunteer")
    chosen = devices(3)
    response = client.post(
        "/labels/", data={"device_id": [str(d.id) for d in chosen], "format": "L7160"}
    )
    assert response.status_code == 303
    location = response.headers["Location"]
    waiting = client.get(location)
    assert waiting.headers["Refresh"] == "2"
    assert "Bezig met de labels" in waiting.get_data(as_text=True)

    job_id = location.rsplit("/", 1)[1]
    assert [job.id for job in jobs.running()] == [job_id]  # waiting counts as running
    work_off(queued)
    assert jobs.running() == []
    page = client.get(location)
    assert "Refresh" not in page.headers
    assert "De labels zijn klaar" in page.get_data(as_text=True)
    download = client.get(f"{location}/labels.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert decode_all(L7160, download.data) == [label_url(d.public_token) for d in chosen]
    download.close()
    assert not jobs_dir.exists()  # nothing on this server's disk
    assert 0 < queued.ttl(f"uitleen:labels:pdf:{job_id}") <= jobs.KEEP_SECONDS


def test_the_page_shows_how_far_the_worker_is(client, login_as, queued, monkeypatch):
    monkeypatch.setattr("uitleen.labels.worker.PROGRESS_EVERY", 1)
    login_as("volunteer")
    chosen = devices(3)
    location = client.post(
        "/labels/", data={"device_id": [str(d.id) for d in chosen], "format": "L7160"}
    ).headers["Location"]
    job = RqJob.fetch(location.rsplit("/", 1)[1], connection=queued)
    job.meta["done"] = 2  # as the worker reports it between labels
    job.save_meta()
    assert "2 van de 3 labels" in client.get(location).get_data(as_text=True)
    work_off(queued)
    assert jobs.get(job.id).done == 3


def test_the_api_waits_for_a_worker_process_and_leaves_nothing_behind(client, api_headers, queued):
    chosen = devices(3)
    env = os.environ | {"UITLEEN_REDIS_URL": QUEUE_REDIS_URL, "DATABASE_URL": "sqlite://"}
    worker = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-c", "from uitleen.cli import main; main()", "worker"],
        env=env,
        cwd=ROOT,
    )
    try:
        response = client.post(
            "/api/v1/labels",
            json={"format": "L7160", "device_ids": [d.id for d in chosen]},
            headers=api_headers("intake"),
        )
    finally:
        worker.send_signal(signal.SIGTERM)  # RQ's warm shutdown
        worker.wait(timeout=30)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert decode_all(L7160, response.data) == [label_url(d.public_token) for d in chosen]
    response.close()
    assert queued.keys("uitleen:labels:pdf:*") == []
    assert queued.keys("rq:job:*") == []


def test_a_job_whose_worker_died_runs_once_more_then_fails_with_a_reason(client, login_as, queued):
    login_as("volunteer")
    chosen = devices(3)
    location = client.post(
        "/labels/", data={"device_id": [str(d.id) for d in chosen], "format": "L7160"}
    ).headers["Location"]
    job_id = location.rsplit("/", 1)[1]

    def die_mid_run():
        """A worker took the job, then went silent (SIGKILL): started, no recent beat."""
        queue = tasks.queue()
        job = queue.dequeue_any([queue], timeout=None, connection=queued)[0]
        assert job.id == job_id
        job.set_status(JobStatus.STARTED)
        long_ago = datetime.now(UTC) - timedelta(minutes=5)
        job.started_at = long_ago
        job.heartbeat(long_ago, ttl=600)
        job.save()

    die_mid_run()
    assert "Bezig met de labels" in client.get(location).get_data(as_text=True)
    assert tasks.queue().get_job_ids() == [job_id]  # back on the queue for another worker

    die_mid_run()
    page = client.get(location)
    assert "mislukt" in page.get_data(as_text=True)
    assert jobs.get(job_id).error == tasks.WORKER_GONE
    assert tasks.queue().get_job_ids() == []


def test_too_many_waiting_jobs_is_a_503(app, client, api_headers, queued, monkeypatch):
    monkeypatch.setitem(app.config, "LABELS_MAX_WAITING", 0)
    chosen = devices(3)
    response = client.post(
        "/api/v1/labels",
        json={"format": "L7160", "device_ids": [d.id for d in chosen]},
        headers=api_headers(),
    )
    assert response.status_code == 503 and response.json["code"] == "busy"


def test_an_unknown_or_foreign_job_id_is_not_found(client, login_as, queued):
    login_as("volunteer")
    tasks.queue().enqueue("builtins.print", "x", job_id="00000000000000ee")
    assert client.get("/labels/jobs/00000000000000ee").status_code == 404
    assert client.get("/labels/jobs/0123456789abcdef").status_code == 404


def test_the_worker_command_says_it_needs_redis(app, monkeypatch):
    monkeypatch.setitem(app.config, "UITLEEN_REDIS_URL", "")
    result = app.test_cli_runner().invoke(args=["worker"])
    assert result.exit_code != 0
    assert "UITLEEN_REDIS_URL is not set" in result.output


def test_a_run_that_fails_in_the_worker_says_so_with_its_reason(app, queued, tmp_path):
    job_input = {
        "format_path": str(tmp_path / "missing.toml"),
        "start": 1,
        "help_text": "",
        "phone_text": "",
        "labels": [["UIT-00001", "HTTPS://X/H/ABC", None]],
    }
    job = jobs.start("0123456789abcdef", None, "Missing", job_input)
    assert job.state == jobs.RUNNING
    work_off(queued)
    done = jobs.wait(job.id)
    assert done.state == jobs.FAILED
    assert "missing.toml" in done.error


def test_a_finished_job_whose_pdf_expired_is_failed_not_offered(client, login_as, queued):
    login_as("volunteer")
    chosen = devices(3)
    location = client.post(
        "/labels/", data={"device_id": [str(d.id) for d in chosen], "format": "L7160"}
    ).headers["Location"]
    work_off(queued)
    job_id = location.rsplit("/", 1)[1]
    queued.delete(f"uitleen:labels:pdf:{job_id}")
    assert jobs.get(job_id).state == jobs.FAILED
    assert client.get(f"{location}/labels.pdf").status_code == 404


def test_without_any_worker_a_large_run_is_refused_with_what_to_do(
    client, api_headers, login_as, queued
):
    Worker.find_by_key("rq:worker:standby", connection=queued).register_death()
    chosen = devices(3)
    response = client.post(
        "/api/v1/labels",
        json={"format": "L7160", "device_ids": [d.id for d in chosen]},
        headers=api_headers(),
    )
    assert response.status_code == 503 and response.json["code"] == "no_worker"
    assert "uitleen worker" in response.json["message"]
    assert tasks.queue().count == 0  # nothing left waiting for nobody
