"""An officer reads the knowledge-flow map in chromium after two published
rounds, picks a round's graph, in English and in Arabic (mirrored)."""

from __future__ import annotations

import httpx
import pytest

from tests.browser.support import HOW, serious_violations, shot, sign_in

expect = pytest.importorskip("playwright.sync_api", reason=HOW).expect



@pytest.fixture
def live(fresh_live):
    """Without the demo's archived rounds: the rounds on the map are the two
    published here."""
    return fresh_live

def publish(live, kind: str, approve: int) -> int:
    """A round of ``kind`` published with its first ``approve`` proposals."""
    with httpx.Client(base_url=live.url, headers={"X-API-Key": live.keys["admin"]}) as admin:
        doc = admin.post("/v1/rounds", json={"kind": kind, "seed": 1}).json()
        for p in doc["proposals"][:approve]:
            url = f"/v1/rounds/{doc['id']}/proposals/{p['id']}/decision"
            assert admin.post(url, json={"decision": "approve"}).status_code == 200
        url = f"/v1/rounds/{doc['id']}/publish"
        assert admin.post(url, json={"undecided": "withdraw"}).status_code == 200
    return doc["id"]


def test_an_admin_reads_the_flow_map_in_english_and_arabic(page, live):
    first = publish(live, "mentoring", 8)
    publish(live, "circles", 3)
    sign_in(page, live)
    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Knowledge flow").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Knowledge flow")
    for name in ("Heatmaps of the flows between regions", "Graph of the ties of round 2"):
        figure = page.get_by_role("img", name=name)
        expect(figure).to_be_visible()
        assert figure.evaluate("img => img.naturalWidth") > 0
    expect(page.get_by_role("row", name="All rounds")).to_be_visible()
    assert serious_violations(page) == []
    shot(page, "flow-en")
    page.get_by_label("Round", exact=True).select_option(str(first))
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(f"{live.url}/console/flow?round={first}")
    expect(page.get_by_role("img", name="Graph of the ties of round 1")).to_be_visible()
    page.goto("/console/language?lang=ar&next=/console/flow")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_have_text("تدفّق المعرفة")
    expect(page.get_by_role("columnheader", name="أفريقيا")).to_be_visible()
    assert serious_violations(page) == []
    shot(page, "flow-ar")
