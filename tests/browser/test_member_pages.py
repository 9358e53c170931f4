"""A member's journey in chromium: it signs in, edits its profile, reads its
recommendations, finds its published partner's contact, gives feedback, and
is refused another member's pages; in English and Arabic."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.browser.support import HOW, shot, sign_in
from tests.service_env import MEMBER

expect = pytest.importorskip("playwright.sync_api", reason=HOW).expect


def _publish_with_member(live) -> str:
    """Publish a mentoring round with the member's pairs; return a partner's
    contact email, given to it first."""
    with httpx.Client(base_url=live.url, headers={"X-API-Key": live.keys["admin"]}) as api:
        draft = api.post("/v1/rounds", json={"kind": "mentoring", "seed": 1}).json()
        mine = [p for p in draft["proposals"] if MEMBER in {m["member"] for m in p["members"]}]
        for p in mine:
            url = f"/v1/rounds/{draft['id']}/proposals/{p['id']}/decision"
            assert api.post(url, json={"decision": "approve"}).status_code == 200
        partner = next(m["member"] for m in mine[0]["members"] if m["member"] != MEMBER)
        email = f"contact@{partner}.example.org"
        assert api.patch(f"/v1/members/{partner}", json={"contact_email": email}).is_success
        publish = api.post(f"/v1/rounds/{draft['id']}/publish", json={"undecided": "withdraw"})
        assert publish.status_code == 200
    return email


def test_a_member_sees_and_edits_only_its_own_data(page, live):
    email = _publish_with_member(live)
    sign_in(page, live, "member")
    expect(page).to_have_url(f"{live.url}/console/profile/{MEMBER}")
    expect(page.get_by_text("only the secretariat changes them")).to_be_visible()
    page.get_by_label("Email of the contact person").fill("desk@kenya.example.org")
    page.get_by_role("button", name="Save my profile").click()
    expect(page.get_by_role("status")).to_contain_text("Your profile is saved")
    expect(page.get_by_label("Email of the contact person")).to_have_value("desk@kenya.example.org")
    shot(page, "member-profile-en")

    page.get_by_role("navigation", name="Pages").get_by_role(
        "link", name="My recommendations"
    ).click()
    expect(page.get_by_role("table")).to_contain_text("shared theme:")
    shot(page, "member-recommendations-en")

    page.get_by_role("link", name="My partners").click()
    expect(page.get_by_role("link", name=email)).to_be_visible()
    shot(page, "member-partners-en")
    page.locator("section.card").first.get_by_role(
        "link", name="Give or change your feedback"
    ).click()
    expect(page).to_have_url(re.compile(rf"/console/my-feedback/{MEMBER}#p\d+$"))
    expect(page.get_by_role("button", name="Send feedback").first).to_be_visible()
    page.go_back()

    page.goto("/console/profile/sn-coalition")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not for this key")
    page.goto("/console/partners/sn-coalition")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not for this key")

    page.goto(f"/console/language?lang=ar&next=/console/partners/{MEMBER}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_have_text("شركائي")
    shot(page, "member-partners-ar")
    for section in ("profile", "recommendations"):
        page.goto(f"/console/{section}/{MEMBER}")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        shot(page, f"member-{section}-ar")
