"""Fixtures for the console's browser tests: Playwright for Python driving
the system's chromium (Debian's package; never a browser Playwright would
download) against the real app on a fresh data directory.

    apt-get install -y chromium fonts-noto-core   # once (.ci/run does it)
    python -m pytest tests/browser

The browser is ``chromium`` on PATH, or ``$PEERMATCH_CHROMIUM``; without
one (or without the ``playwright`` package) these tests skip and say how to
run them. Every page refuses requests that leave 127.0.0.1: a test that
makes one fails. Screenshots go to ``$PEERMATCH_ARTIFACTS`` (default
``tests/artifacts/``, not committed).

Reuse: the fixtures ``live`` (the server: ``.url``, ``.keys[role]``) and
``page`` (a 1366×768 tab), and the helpers of ``tests/browser/support.py``
(``sign_in``, ``shot``, ``serious_violations``)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.support import HOW
from tests.service_env import LiveServer, start_service

VIEWPORT = {"width": 1366, "height": 768}
"""A laptop screen: the console must be usable on it."""
LOCAL_HOSTS = frozenset({"127.0.0.1"})


def chromium() -> str | None:
    """The chromium binary to drive: ``$PEERMATCH_CHROMIUM``, else on PATH."""
    chosen = os.environ.get("PEERMATCH_CHROMIUM")
    if chosen:
        return chosen if Path(chosen).exists() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    binary = chromium()
    if binary is None:
        pytest.skip(HOW)
    sync_api = pytest.importorskip("playwright.sync_api", reason=HOW)
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=binary)
        yield launched
        launched.close()


@pytest.fixture
def live(tmp_path):
    """The real app (the demo network with its synthetic history, a key per
    role) under uvicorn on a free port of 127.0.0.1, on a fresh data directory."""
    yield from _live(tmp_path)


@pytest.fixture
def fresh_live(tmp_path):
    """As ``live``, without the synthetic history: for a module whose tests
    count the rounds they publish (``def live(fresh_live)`` there)."""
    yield from _live(tmp_path, history=False)


def _live(tmp_path, **options):
    service = start_service("sqlite", tmp_path, **options)
    with LiveServer(service.app) as server:
        server.keys = service.keys
        yield server
    service.client.close()
    service.app.state.engine.dispose()
    service.app.state.auth_engine.dispose()


@pytest.fixture
def page(browser, live):
    """A new tab (own cookies) on a laptop-sized screen, English unless the
    test switches; any request that leaves 127.0.0.1 is blocked and fails
    the test, as does an error in the browser's console (a script error, a
    load the security policy refused)."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB", base_url=live.url)
    left: list[str] = []

    def guard(route):
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            left.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    yield tab
    context.close()
    assert left == [], f"requests left 127.0.0.1: {left}"
    # Refused forms answer 4xx on purpose: the browser logs those loads.
    assert [e for e in errors if "status of 4" not in e] == [], "the browser logged errors"
