"""Publishing a round in chromium: a draft made over HTTP with approved,
declined and undecided proposals; the preview, the choice for the undecided,
the confirmation; the Hub then sees exactly the approved pairs. The members
left out with their options, the CSV for a mail merge, and a lock added and
removed. Screenshots of each page in English and Arabic."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from tests.browser.support import HOW, serious_violations, shot, sign_in

expect = pytest.importorskip("playwright.sync_api", reason=HOW).expect


def api(live, role="admin"):
    return httpx.Client(base_url=live.url, headers={"X-API-Key": live.keys[role]})


def draft(live) -> dict:
    """A draft: the first two proposals approved, the third declined, the
    rest undecided."""
    with api(live) as admin:
        doc = admin.post("/v1/rounds", json={"kind": "mentoring", "seed": 1}).json()
        for n, p in enumerate(doc["proposals"][:3]):
            decision = "approve" if n < 2 else "decline"
            url = f"/v1/rounds/{doc['id']}/proposals/{p['id']}/decision"
            assert admin.post(url, json={"decision": decision}).status_code == 200
    return doc


def test_publish_a_round_choosing_to_withdraw_the_undecided(page, live):
    doc = draft(live)
    rid, approved = doc["id"], doc["proposals"][:2]
    sign_in(page, live)
    page.goto(f"/console/rounds/{rid}/publish")
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish the round")
    undecided = len(doc["proposals"]) - 3
    expect(page.get_by_role("heading", name=f"Undecided proposals: {undecided}")).to_be_visible()
    expect(page.get_by_role("button", name="Publish the round")).to_have_count(0)
    page.get_by_label("Withdraw them: they are not published").check()
    page.get_by_role("button", name="Show what this publishes").click()
    expect(page.locator("#will-publish tbody tr")).to_have_count(2)
    expect(page.locator("#will-withdraw tbody tr")).to_have_count(undecided)
    assert serious_violations(page) == []
    shot(page, "publish-preview-en")
    # Publishing asks for the confirmation first.
    page.get_by_role("button", name="Publish the round").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish the round")
    with api(live) as admin:
        assert admin.get(f"/v1/rounds/{rid}").json()["status"] == "draft"
    page.get_by_label("I checked these lists").check()
    page.get_by_role("button", name="Publish the round").click()
    expect(page).to_have_url(f"{live.url}/console/rounds/{rid}/published")
    expect(page.get_by_role("status")).to_contain_text(f"Round {rid} is published")
    shot(page, "published-en")
    with api(live, "hub") as hub:
        items = hub.get("/v1/published").json()["items"]
    assert [i["proposal_id"] for i in items] == [p["id"] for p in approved]
    # The CSV for a mail merge: a row per member of each pair.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this round's results").click()
    data = download.value.path().read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [(r["proposal"], r["member_id"]) for r in rows] == [
        (str(p["id"]), m) for p in approved for m in (p["mentor"], p["mentee"])
    ]


def test_the_members_left_out_and_what_would_include_them(page, live):
    doc = draft(live)
    options = [u for u in doc["summary"]["unmatched"] if u["options"]]
    sign_in(page, live)
    page.goto(f"/console/rounds/{doc['id']}/left-out")
    expect(page.locator("#left-out tbody tr")).to_have_count(len(doc["summary"]["unmatched"]))
    expect(page.locator("ul.options li")).to_have_count(sum(len(u["options"]) for u in options))
    shot(page, "left-out-en")


def test_a_lock_is_added_and_removed(page, live):
    doc = draft(live)
    with api(live) as admin:
        before = admin.get("/v1/locks?limit=1000").json()["items"]
    locked = {(x["mentor"], x["mentee"]) for x in before}
    mentor, mentee = next(
        (p["mentor"], p["mentee"])
        for p in doc["proposals"]
        if (p["mentor"], p["mentee"]) not in locked
    )
    sign_in(page, live)
    page.get_by_role("navigation", name="Pages").get_by_role(
        "link", name="Locks and exclusions"
    ).click()
    page.get_by_label("Mentor", exact=True).fill(mentor)
    page.get_by_label("Mentee", exact=True).fill(mentee)
    page.get_by_label("Why").fill("they asked to continue")
    page.get_by_role("button", name="Add the lock").click()
    expect(page.get_by_role("status")).to_have_text("Stored.")
    row = page.locator("tbody tr").filter(has_text="they asked to continue")
    expect(row).to_contain_text("test-admin")
    shot(page, "constraints-en")
    with api(live) as admin:
        assert admin.get("/v1/locks").json()["total"] == len(before) + 1
    row.get_by_role("link", name="Remove").click()
    page.get_by_role("button", name="Remove").click()
    expect(page.get_by_role("status")).to_have_text("Removed.")
    expect(page.locator("tbody tr").filter(has_text="they asked to continue")).to_have_count(0)
    with api(live) as admin:
        assert admin.get("/v1/locks?limit=1000").json()["items"] == before


def test_the_pages_in_arabic(page, live):
    doc = draft(live)
    sign_in(page, live)
    page.goto("/console/language?lang=ar&next=/console/constraints")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    for path, name in (
        (f"/console/rounds/{doc['id']}/publish?undecided=withdraw", "publish-preview-ar"),
        (f"/console/rounds/{doc['id']}/left-out", "left-out-ar"),
        ("/console/constraints", "constraints-ar"),
    ):
        page.goto(path)
        assert serious_violations(page) == [], path
        shot(page, name)
