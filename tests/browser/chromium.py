"""Debian's Chromium for every browser test, started the one way this project allows.

Driven by Playwright with its executable path set (never Playwright's own download),
with the flags the machines need. Without Chromium a browser test skips with a message;
CI sets UITLEEN_REQUIRE_BROWSER=1 so a missing browser fails there instead.
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def chromium_path() -> str | None:
    """Debian's Chromium, or the one CHROMIUM points at."""
    for candidate in (
        os.environ.get("CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def chromium_or_skip(path: str | None, required: bool) -> str:
    """The browser to drive; without one, skip (or fail where it is required, as in CI)."""
    if path is None:
        message = (
            "No Chromium found (looked for $CHROMIUM, /usr/bin/chromium, chromium on PATH): "
            "install it with `apt-get install chromium` to run the browser tests."
        )
        if required:
            pytest.fail(message)
        pytest.skip(message)
    return path


# Per module, not per session: Playwright's sync API allows one running instance per
# thread, and other test packages start their own.
@pytest.fixture(scope="module")
def browser():
    path = chromium_or_skip(chromium_path(), os.environ.get("UITLEEN_REQUIRE_BROWSER") == "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
