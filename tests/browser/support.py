"""What the console's browser tests do on a page: sign in, save a
screenshot, ask axe-core for serious violations (fixtures: conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

HOW = (
    "the console's browser tests need chromium: apt-get install -y chromium "
    "fonts-noto-core (or set PEERMATCH_CHROMIUM to a chromium binary)"
)
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = frozenset({"serious", "critical"})


def artifacts() -> Path:
    """Where screenshots go: ``$PEERMATCH_ARTIFACTS``, else tests/artifacts/."""
    folder = Path(os.environ.get("PEERMATCH_ARTIFACTS") or Path(__file__).parents[1] / "artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sign_in(page, live, role: str = "admin", *, key: str | None = None) -> None:
    """Sign in through the form (in any language) with the test key of
    ``role``, or ``key``."""
    if "/console/sign-in" not in page.url:
        page.goto("/console/sign-in")
    page.locator("#f-key").fill(key or live.keys[role])
    page.locator("form[action='/console/sign-in'] button[type=submit]").click()
    page.wait_for_load_state()


def shot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot of the page (whole, or the screen) as ``<name>.png``
    in the artifacts."""
    path = artifacts() / f"{name}.png"
    page.screenshot(path=path, full_page=full_page)
    return path


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the page,
    one line each (rule, impact, the first elements)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(n["target"]) for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]
