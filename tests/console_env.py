"""Helpers for the console's HTTP tests (without a browser): read a form's
CSRF token from a page, and sign a test client in with a key."""

from __future__ import annotations

import re

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(page_html: str) -> str:
    found = CSRF.search(page_html)
    assert found, "the page has no form with a CSRF token"
    return found[1]


def sign_in(client, key: str, *, next_path: str | None = None):
    """Sign ``client`` in with ``key`` through the sign-in form; returns the
    sign-in POST's answer (not followed)."""
    page = client.get("/console/sign-in")
    data = {"key": key, "csrf_token": csrf_of(page.text)}
    if next_path is not None:
        data["next"] = next_path
    return client.post("/console/sign-in", data=data, follow_redirects=False)


def post_form(client, path: str, data: dict, *, page: str):
    """POST ``data`` to ``path`` with the CSRF token of the form on ``page``."""
    token = csrf_of(client.get(page).text)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)
