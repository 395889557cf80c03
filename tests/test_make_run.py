"""`make run` gives labels the address the server listens on (issue 15).

The real `uitleen` is swapped for a stand-in that reports how it was started, so the
test checks the Makefile's wiring without migrating or serving anything.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from uitleen.config import development_base_url, lan_address

ROOT = Path(__file__).resolve().parents[1]
STAND_IN = '#!/bin/sh\n[ "$1" = run ] && echo "RUN base=$UITLEEN_BASE_URL args=$*"\nexit 0\n'

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def make_run(tmp_path: Path, *args: str, **env: str) -> str:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "uitleen").write_text(STAND_IN)
    (bin_dir / "uitleen").chmod(0o755)
    (bin_dir / "python").symlink_to(sys.executable)
    environment = {k: v for k, v in os.environ.items() if k != "UITLEEN_BASE_URL"} | env
    done = subprocess.run(
        ["make", "-s", "-o", "migrate", "run", f"BIN={bin_dir}", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    [line] = [line for line in done.stdout.splitlines() if line.startswith("RUN ")]
    return line


def test_labels_follow_the_port(tmp_path):
    assert make_run(tmp_path, "PORT=5301") == (
        "RUN base=http://127.0.0.1:5301 args=run --host 127.0.0.1 --port 5301"
    )


def test_host_0000_gives_labels_this_machines_network_address(tmp_path):
    line = make_run(tmp_path, "HOST=0.0.0.0")
    assert line == f"RUN base=http://{lan_address()}:5000 args=run --host 0.0.0.0 --port 5000"


def test_a_given_base_url_wins(tmp_path):
    line = make_run(tmp_path, "PORT=5301", UITLEEN_BASE_URL="https://hulp.uitleen.nl")
    assert line.startswith("RUN base=https://hulp.uitleen.nl args=")


def test_development_base_url():
    assert development_base_url("127.0.0.1", 5301) == "http://127.0.0.1:5301"
    assert development_base_url("::1", "5000") == "http://[::1]:5000"
    everywhere = "0.0.0.0"  # noqa: S104 - what make run HOST=0.0.0.0 passes on
    assert development_base_url(everywhere, 5000) == f"http://{lan_address()}:5000"
    assert lan_address().count(".") == 3
