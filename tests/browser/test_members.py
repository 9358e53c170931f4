"""The member pages in chromium: search and filter the list, edit a
profile's level, see every problem next to its field, delete a member
after its confirmation page; screenshots in English and Arabic."""

from __future__ import annotations

import httpx
import pytest

from tests.browser.support import HOW, shot, sign_in
from tests.service_env import MEMBER

expect = pytest.importorskip("playwright.sync_api", reason=HOW).expect


def _member(live, member_id):
    return httpx.get(
        f"{live.url}/v1/members/{member_id}", headers={"X-API-Key": live.keys["admin"]}
    )


def test_search_filter_edit_a_level_and_delete(page, live):
    sign_in(page, live)
    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Members")
    page.get_by_label("Region").select_option("africa")
    page.get_by_label("Theme", exact=True).select_option("youth_adult_literacy")
    page.get_by_label("Theme as").select_option("needs")
    page.get_by_role("button", name="Search").click()
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows.first).to_be_visible()
    shot(page, "members-filtered-en")
    page.get_by_label("Id or name").fill("kenya")
    page.get_by_label("Region").select_option("")
    page.get_by_label("Theme", exact=True).select_option("")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=_member(live, MEMBER).json()["name"]).click()
    expect(page).to_have_url(f"{live.url}/console/members/{MEMBER}")
    expect(
        page.get_by_text("Shown to the secretariat, to the member and to its published partners.")
    ).to_be_visible()
    shot(page, "member-profile-en")

    need = page.get_by_label("Needs: 4.6 Youth and adult literacy")
    need.select_option("3")
    page.get_by_role("button", name="Save the profile").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    assert _member(live, MEMBER).json()["needs"]["youth_adult_literacy"] == 3

    page.get_by_label("Languages", exact=True).fill("en, xx")
    page.get_by_label("Contact email").fill("nobody")
    page.get_by_label("Mentor capacity").fill("99")
    page.get_by_role("button", name="Save the profile").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was saved")
    expect(page.locator("#e-languages")).to_contain_text("xx: unknown ISO 639-1 language code")
    expect(page.locator("#e-contact_email")).to_be_visible()
    expect(page.locator("#e-mentor_capacity")).to_be_visible()
    shot(page, "member-problems-en")

    page.goto(f"/console/members/{MEMBER}")
    page.get_by_role("link", name="Delete this member…").click()
    expect(page.get_by_text("This cannot be undone")).to_be_visible()
    shot(page, "member-delete-en")
    page.get_by_role("button", name="Delete the member").click()
    expect(page.get_by_role("status")).to_contain_text(f"“{MEMBER}” deleted")
    assert _member(live, MEMBER).status_code == 404


def test_the_member_pages_in_arabic(page, live):
    sign_in(page, live)
    page.goto("/console/language?lang=ar&next=/console/members")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    shot(page, "members-ar")
    page.goto(f"/console/members/{MEMBER}")
    expect(page.locator("legend").first).not_to_have_text("The organisation")
    shot(page, "member-profile-ar")
