"""An officer reads the outcomes of a published round and filters the audit
trail by action in chromium, in English and Arabic."""

from __future__ import annotations

import httpx
import pytest

from tests.browser.support import HOW, shot, sign_in
from tests.service_env import MEMBER

expect = pytest.importorskip("playwright.sync_api", reason=HOW).expect


def _published_with_feedback(live) -> None:
    with httpx.Client(base_url=live.url) as api:
        admin = {"X-API-Key": live.keys["admin"]}
        draft = api.post("/v1/rounds", json={"kind": "mentoring", "seed": 1}, headers=admin).json()
        mine = next(p for p in draft["proposals"] if MEMBER in {m["member"] for m in p["members"]})
        url = f"/v1/rounds/{draft['id']}/proposals/{mine['id']}/decision"
        assert api.post(url, json={"decision": "approve"}, headers=admin).status_code == 200
        url = f"/v1/rounds/{draft['id']}/publish"
        assert api.post(url, json={"undecided": "withdraw"}, headers=admin).status_code == 200
        feedback = {"met": True, "usefulness": 5, "comment": "Two calls; a budget template shared."}
        member = {"X-API-Key": live.keys["member"]}
        url = f"/v1/proposals/{mine['id']}/feedback"
        assert api.post(url, json=feedback, headers=member).status_code == 201


def test_an_admin_reads_outcomes_and_filters_the_audit(page, live):
    _published_with_feedback(live)
    sign_in(page, live)
    page.get_by_role("navigation", name="Pages").get_by_role(
        "link", name="Outcomes & audit"
    ).click()
    expect(page.get_by_role("cell", name="Two calls; a budget template shared.")).to_be_visible()
    page.get_by_label("Action").select_option("round.publish")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(f"{live.url}/console/outcomes?actor=&action=round.publish&from=&to=")
    rows = page.get_by_role("table", name="Who did what, newest first").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("round.publish")
    shot(page, "outcomes-en")
    page.goto("/console/language?lang=ar&next=" + "/console/outcomes%3Faction%3Dround.publish")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", name="سجل التدقيق", exact=True)).to_be_visible()
    expect(
        page.get_by_role("table", name="من فعل ماذا، الأحدث أولًا").locator("tbody tr")
    ).to_have_count(1)
    shot(page, "outcomes-ar")
