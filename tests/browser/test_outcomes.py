"""An officer reads what works (the analysis, its figure), the comments
behind it and filters the audit trail, in chromium, in English and Arabic;
the page passes axe in both directions."""

from __future__ import annotations

import httpx
import pytest

from tests.browser.support import HOW, serious_violations, shot, sign_in
from tests.service_env import MEMBER

expect = pytest.importorskip("playwright.sync_api", reason=HOW).expect


def _published_with_feedback(live) -> int:
    """A mentoring round of 8 pairs with an answer on each (the member's own
    with a comment): enough answers for the format's intervals."""
    with httpx.Client(base_url=live.url) as api:
        admin = {"X-API-Key": live.keys["admin"]}
        draft = api.post("/v1/rounds", json={"kind": "mentoring", "seed": 1}, headers=admin).json()
        mine = next(p for p in draft["proposals"] if MEMBER in {m["member"] for m in p["members"]})
        chosen = [mine] + [p for p in draft["proposals"] if p["id"] != mine["id"]][:7]
        for p in chosen:
            url = f"/v1/rounds/{draft['id']}/proposals/{p['id']}/decision"
            assert api.post(url, json={"decision": "approve"}, headers=admin).status_code == 200
        url = f"/v1/rounds/{draft['id']}/publish"
        assert api.post(url, json={"undecided": "withdraw"}, headers=admin).status_code == 200
        feedback = {"met": True, "usefulness": 5, "comment": "Two calls; a budget template shared."}
        member = {"X-API-Key": live.keys["member"]}
        url = f"/v1/proposals/{mine['id']}/feedback"
        assert api.post(url, json=feedback, headers=member).status_code == 201
        for k, p in enumerate(chosen[1:]):
            given = {"met": k % 3 != 0, "usefulness": 2 + k % 4}
            url = f"/v1/proposals/{p['id']}/feedback"
            assert api.post(url, json=given, headers=admin).status_code == 201
        return draft["id"]


def test_an_admin_reads_what_works_and_filters_the_audit(page, live):
    round_id = _published_with_feedback(live)
    sign_in(page, live)
    page.get_by_role("navigation", name="Pages").get_by_role(
        "link", name="Outcomes & audit"
    ).click()
    figure = page.get_by_role("img", name="Share of answers saying the goal was met", exact=False)
    expect(figure).to_be_visible()
    mentoring = page.locator("#outcomes-mentoring")
    expect(mentoring.locator("tr.total")).to_contain_text("Mentoring pairs")
    page.get_by_label("Within each format, group by").select_option("round")
    page.get_by_role("button", name="Show").click()
    expect(mentoring.locator("caption")).to_contain_text("By round")
    # The new round: 8 pairs, each answered once.
    row = mentoring.get_by_role("row", name=f"Round {round_id}")
    expect(row).to_contain_text("8")
    page.get_by_label("Round", exact=True).select_option(str(round_id))
    page.get_by_role("button", name="Filter").first.click()
    expect(page.get_by_text("Comments found: 1")).to_be_visible()
    expect(page.get_by_role("cell", name="Two calls; a budget template shared.")).to_be_visible()
    page.get_by_label("Format", exact=True).select_option("circle")
    page.get_by_role("button", name="Filter").first.click()
    expect(page.get_by_text("Comments found: 0")).to_be_visible()
    assert serious_violations(page) == []
    page.goto("/console/outcomes")
    shot(page, "outcomes-en")

    page.get_by_label("Action").select_option("round.publish")
    page.get_by_role("button", name="Filter").last.click()
    rows = page.get_by_role("table", name="Who did what, newest first").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("round.publish")

    page.goto("/console/language?lang=ar&next=/console/outcomes")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", name="ما الذي ينجح، ولمن", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="سجل التدقيق", exact=True)).to_be_visible()
    expect(mentoring.locator("tr.total")).to_contain_text("أزواج الإرشاد")
    assert serious_violations(page) == []
    shot(page, "outcomes-ar")
