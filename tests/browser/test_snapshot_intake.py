"""A volunteer takes a laptop in from its hardware snapshot and reads in its nwipe log:
from the intake page to `wiped` in four actions, without typing a single field."""

from __future__ import annotations

import json
import re

import pytest

from tests.browser.test_journeys import fresh_wipe_log, local_now, path_of
from tests.devices import snapshots as samples

SERIAL = "5CQ6VZ9"  # not the journeys' laptop: this live server is shared with them
DISK = "TW0XXM305508539G9999"


@pytest.fixture(scope="module")
def volunteer(browsing):
    tab = browsing.tab()
    tab.login("volunteer")
    return tab


def snapshot_file(tmp_path) -> str:
    """The Dell sample with one disk, under another serial (see samples.with_serial)."""
    snapshot = samples.with_serial(samples.dell(), SERIAL)
    snapshot = samples.with_disks(snapshot, samples.disks(snapshot)[:1])
    snapshot = samples.with_disk_serials(snapshot, DISK)
    path = tmp_path / f"20250123-11_44_29_{snapshot['uuid']}.json"
    path.write_text(json.dumps(snapshot))
    return str(path)


def wipe_log_file(tmp_path, asset_tag: str, after) -> str:
    """The DoD Short sample log, rewritten for this laptop: its tag, serial and disk."""
    text = fresh_wipe_log(asset_tag, after).decode("utf-8")
    text = text.replace("PF0XK2LM", SERIAL).replace("S3YJNX0K812345", DISK)
    path = tmp_path / f"nwipe_{asset_tag}.log"
    path.write_text(text)
    return str(path)


def test_snapshot_and_wipe_log_reach_wiped_in_four_actions(volunteer, tmp_path):
    tab, page = volunteer, volunteer.page
    tab.goto("/devices/new")  # where intake starts
    assert "workbench-script" in page.inner_text("main")

    # 1-2: choose the snapshot and read it in.
    page.set_input_files("#f-snapshot", snapshot_file(tmp_path))
    tab.submit("form[action='/devices/snapshots'] button[type=submit]")
    registered = local_now()
    match = re.fullmatch(r"/devices/(\d+)", path_of(tab))
    assert match, page.url
    main = page.inner_text("main")
    asset_tag = page.locator("h1").inner_text().split(" ")[0]
    assert "Dell Latitude E7240" in page.locator("h1").inner_text()
    assert DISK in main and "SMART: goed" in main

    # 3-4: choose the nwipe log on the device page and read it in.
    page.set_input_files("#f-wipe-log", wipe_log_file(tmp_path, asset_tag, registered))
    tab.submit(f"form[action='/devices/{match.group(1)}/wipe/import'] button[type=submit]")

    # Four actions, none of them typing: two file choices and two clicks.
    assert "Gewist" in page.locator("p.lead").inner_text(), page.inner_text("main")[:1500]
