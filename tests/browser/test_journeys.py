"""Journeys through the console in chromium: sign-in and sign-out, the
redirect to sign-in and back, CSRF, hub and member keys, Arabic, keys."""

from __future__ import annotations

import httpx
import pytest

from tests.browser.support import HOW, shot, sign_in
from tests.service_env import MEMBER

expect = pytest.importorskip("playwright.sync_api", reason=HOW).expect


def test_sign_in_and_out(page, live):
    page.goto("/")
    expect(page).to_have_url(f"{live.url}/console/sign-in")
    sign_in(page, live)
    expect(page).to_have_url(f"{live.url}/console/overview")
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
    expect(page.get_by_text("Signed in as test-admin")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live.url}/console/sign-in")
    page.goto("/console/overview")
    expect(page).to_have_url(f"{live.url}/console/sign-in?next=/console/overview")


def test_a_page_without_a_session_leads_to_sign_in_and_back(page, live):
    page.goto("/console/keys?sort=role&dir=desc")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    sign_in(page, live)
    expect(page).to_have_url(f"{live.url}/console/keys?sort=role&dir=desc")


def test_a_form_without_its_csrf_token_is_refused(page, live):
    sign_in(page, live)
    page.goto("/console/keys")
    page.locator("form[action='/console/keys'] input[name=csrf_token]").evaluate("e => e.remove()")
    page.get_by_label("Name", exact=True).fill("forged")
    page.get_by_role("button", name="Create the key").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("This form has expired")
    shot(page, "refused-csrf-en")
    page.goto("/console/keys")
    expect(page.get_by_role("cell", name="forged")).to_have_count(0)


def test_a_hub_key_does_not_sign_in(page, live):
    sign_in(page, live, "hub")
    expect(page.get_by_role("alert")).to_contain_text("Hub keys are for machines")
    expect(page).to_have_url(f"{live.url}/console/sign-in")


def test_a_member_key_cannot_open_admin_pages(page, live):
    sign_in(page, live, "member")
    expect(page).to_have_url(f"{live.url}/console/profile/{MEMBER}")
    nav = page.get_by_role("navigation", name="Pages")
    expect(nav.get_by_role("link")).to_have_text(
        ["My profile", "My recommendations", "My partners", "My feedback"]
    )
    for admin_page in ("/console/overview", "/console/keys", "/console/rounds"):
        page.goto(admin_page)
        expect(page.get_by_role("heading", level=1)).to_have_text("Not for this key")


def test_switching_to_arabic_mirrors_the_layout(page, live):
    sign_in(page, live)
    page.get_by_role("link", name="العربية").click()
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    expect(page.get_by_role("heading", level=1)).to_have_text("نظرة عامة")
    nav = page.get_by_role("navigation", name="الصفحات")
    expect(nav.get_by_role("link", name="المفاتيح")).to_be_visible()
    # Mirrored: the navigation is on the right of the content.
    side = page.locator("nav.side").bounding_box()
    main = page.locator("main").bounding_box()
    assert side["x"] > main["x"]
    # Remembered across pages.
    page.goto("/console/keys")
    expect(page.get_by_role("heading", level=1)).to_have_text("المفاتيح")


def test_a_key_is_shown_once_and_revoked(page, live):
    sign_in(page, live)
    page.goto("/console/keys")
    page.get_by_label("Name", exact=True).fill("Kenya coalition")
    page.get_by_label("Role").select_option("member")
    page.get_by_label("Member id").fill(MEMBER)
    page.get_by_role("button", name="Create the key").click()
    key = page.get_by_label("The new key").input_value()
    assert key.startswith("pm_")
    mine = f"{live.url}/v1/members/{MEMBER}"
    assert httpx.get(mine, headers={"X-API-Key": key}).status_code == 200
    page.goto("/console/keys")
    assert key not in page.content()
    page.get_by_role("link", name="Revoke the key Kenya coalition").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revoke a key")
    page.get_by_role("button", name="Revoke the key").click()
    row = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Kenya coalition", exact=True)
    )
    expect(row).to_contain_text("Revoked")
    assert httpx.get(mine, headers={"X-API-Key": key}).status_code == 401


def test_api_docs_render_from_this_server_alone(page, live):
    # The page fixture fails the test if any request leaves 127.0.0.1.
    page.goto("/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("peermatch")
    expect(page.locator(".opblock").first).to_be_visible()
    shot(page, "api-docs", full_page=False)
