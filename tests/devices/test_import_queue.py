"""With UITLEEN_REDIS_URL, a device import is background work on the shared queue.

The upload goes into Redis (any worker, on any machine, can read it), the page follows
the work without JavaScript, and the result, with every refused row, is read back from
Redis by whichever server the browser reaches next. Nothing stays on this server's disk.
"""

import io
import os

import pytest
from flask import g
from rq.job import Job as RqJob

from tests.devices.test_bulk import HEADER, count
from tests.queue import needs_redis, shared_queue, work_off
from uitleen import tasks
from uitleen.devices import bulk
from uitleen.devices.models import Device
from uitleen.labels import job_queue

pytestmark = needs_redis

GOOD = HEADER + "".join(f"laptop,Dell,E7450,QS{n:04d},,,,,,\n" for n in range(250))
BAD = HEADER + "laptop,,X,1,,,,,,\nlaptop,Dell,,2,,,,,,\n"


@pytest.fixture
def queued(app, monkeypatch):
    with shared_queue(app, monkeypatch) as connection:
        yield connection


def upload(client, text: str):
    return client.post(
        "/devices/import",
        data={"file": (io.BytesIO(text.encode()), "apparaten.csv")},
        content_type="multipart/form-data",
    )


def job_of(location: str) -> str:
    return location.rsplit("/", 1)[1]


def test_a_queued_import_is_followed_on_its_page_and_saved_once_the_worker_ran(
    app, client, login_as, queued
):
    login_as("volunteer")
    response = upload(client, GOOD)
    assert response.status_code == 303
    location = response.headers["Location"]
    assert count(Device) == 0  # nothing is saved by the request itself

    waiting = client.get(location)
    assert waiting.headers["Refresh"] == str(tasks.REFRESH_SECONDS)
    assert "Alle 250 regels worden eerst gecontroleerd" in waiting.get_data(as_text=True)
    # The upload waits in Redis, not in this server's spool folder.
    assert list(bulk.spool_dir().iterdir()) == []
    assert len(queued.keys(tasks.FILE_KEY.format("*"))) == 1

    work_off(queued)
    page = client.get(location)
    assert "Refresh" not in page.headers
    assert "Klaar: 250 apparaten ingelezen" in page.get_data(as_text=True)
    assert count(Device) == 250
    assert queued.keys(tasks.FILE_KEY.format("*")) == []  # the upload went with the work
    assert list(bulk.spool_dir().iterdir()) == []
    assert 0 < queued.ttl(f"rq:job:{job_of(location)}") <= tasks.KEEP_SECONDS


def test_the_page_shows_how_many_rows_are_saved(client, login_as, queued):
    login_as("volunteer")
    location = upload(client, GOOD).headers["Location"]
    job = RqJob.fetch(job_of(location), connection=queued)
    job.meta["done"] = 100  # as the work reports it after each batch
    job.save_meta()
    page = client.get(location).get_data(as_text=True)
    assert '<progress max="250" value="100">' in page
    assert "100 van de 250 regels opgeslagen" in page


def test_a_refused_file_shows_every_wrong_row_and_saves_nothing(client, login_as, queued):
    login_as("volunteer")
    location = upload(client, BAD).headers["Location"]
    work_off(queued)
    page = client.get(location)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<td data-label="Regel">2</td><td data-label="Kolom">make</td>' in text
    assert '<td data-label="Regel">3</td><td data-label="Kolom">model</td>' in text
    assert 'type="file"' in text  # the form again, to send the mended file
    assert count(Device) == 0


def test_the_work_speaks_the_language_of_whoever_started_it(client, login_as, queued):
    login_as("volunteer")
    location = client.post(
        "/devices/import?lang=en",  # the language switch in the page's footer
        data={"file": (io.BytesIO(BAD.encode()), "devices.csv")},
        content_type="multipart/form-data",
    ).headers["Location"]
    work_off(queued)
    [first, *_] = tasks.get(job_of(location), "devices.import").result["refused"]["errors"]
    assert first["field"] == "make"
    assert "make" in first["message"] and "verplicht" not in first["message"]
    # The message is kept as it was said to the person who sent the file.
    page = client.get(location).get_data(as_text=True)
    assert first["message"] in page


def test_someone_elses_import_and_a_label_job_are_not_found(app, client, login_as, queued):
    volunteer = login_as("volunteer")
    location = upload(client, GOOD).headers["Location"]
    assert client.get(location).status_code == 200
    # The tests keep one app context, so flask-login's cached user must go when switching.
    g.pop("_login_user", None)
    login_as("volunteer")  # a colleague
    assert client.get(location).status_code == 404
    g.pop("_login_user", None)
    login_as("coordinator")  # coordinators follow every import
    assert client.get(location).status_code == 200
    # An id of another kind of work, and ids that are no ids at all.
    label_job = tasks.queue().enqueue("builtins.print", job_id="0123456789abcdef")
    label_job.meta.update(
        kind=job_queue.KIND, owner_id=volunteer.id, count=1, format_name="L7160", created=0
    )
    label_job.save_meta()
    assert client.get("/devices/import/0123456789abcdef").status_code == 404
    assert client.get("/devices/import/" + "z" * 32).status_code == 404
    assert job_queue.get("0123456789abcdef").owner_id == volunteer.id  # it was a real job
    # And the import is no label run: the label pages neither count nor show it.
    assert [job.id for job in job_queue.running()] == ["0123456789abcdef"]


def test_without_a_worker_the_import_is_refused_and_nothing_waits(
    app, client, login_as, queued, monkeypatch
):
    monkeypatch.setattr(tasks, "workers_listening", lambda: 0)
    login_as("volunteer")
    response = upload(client, GOOD)
    assert response.status_code == 503
    assert "uitleen worker" in response.get_data(as_text=True)
    assert tasks.queue().count == 0
    assert count(Device) == 0


def test_a_crash_in_the_worker_fails_the_work_and_saves_nothing(
    app, client, login_as, queued, monkeypatch
):
    def crash(*args, **kwargs):
        raise RuntimeError("the disk filled up")

    monkeypatch.setattr(bulk, "_insert", crash)
    login_as("volunteer")
    location = upload(client, GOOD).headers["Location"]
    work_off(queued)
    page = client.get(location)
    assert "Het inlezen is mislukt; er is niets opgeslagen" in page.get_data(as_text=True)
    assert "the disk filled up" in tasks.get(job_of(location), "devices.import").error
    assert count(Device) == 0


def test_without_redis_the_import_is_done_in_the_request_as_before(app, client, login_as):
    login_as("volunteer")
    response = upload(client, GOOD)
    assert response.status_code == 302
    assert count(Device) == 250


def test_the_workers_copy_of_an_upload_is_a_spool_file_an_app_start_clears(app, queued, tmp_path):
    upload = tmp_path / "apparaten.csv"
    upload.write_text(GOOD)
    reference = tasks.hand_over(upload)
    with tasks.received(reference, bulk.spool_dir(), suffix=".csv") as copy:
        assert copy.parent == bulk.spool_dir() and copy.read_text() == GOOD
        # Named as the spool files that clean_spool removes once their process is gone
        # (a worker killed mid-import), and kept while it lives.
        assert copy.match("*-*.csv") and copy.name.split("-", 1)[0] == str(os.getpid())
        assert bulk.clean_spool(app) == 0 and copy.exists()
    assert not copy.exists()
    assert queued.get(reference) is None  # the work ended: the Redis copy went too
