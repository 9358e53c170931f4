"""An exchanges round in chromium: created with the form, reviewed (both
partners and what each teaches the other), two exchanges approved, the rest
withdrawn at publication, and the Hub then sees exactly those two.
Screenshots in English and Arabic, each page checked with axe."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.browser.support import HOW, serious_violations, shot, sign_in

expect = pytest.importorskip("playwright.sync_api", reason=HOW).expect


def test_create_approve_and_publish_an_exchanges_round(page, live):
    found = {}
    sign_in(page, live)
    page.goto("/console/rounds")
    page.get_by_label("Reciprocal exchanges").check()
    page.get_by_label("Seed").fill("4")
    page.get_by_role("button", name="Compute the round").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review a round")
    round_id = int(page.url.rsplit("/", 1)[1])
    expect(
        page.get_by_role("heading", name=f"Round {round_id} · Reciprocal exchanges")
    ).to_be_visible()
    expect(page.get_by_text("Proven optimal")).to_be_visible()
    expect(page.get_by_label("Lock for later rounds (approve)")).to_have_count(0)
    expect(page.locator("ul.people").first).to_contain_text("teaches: ")
    shot(page, "exchanges-review-en")
    found["exchanges-review-en"] = serious_violations(page)

    boxes = page.locator("input.pick")
    approved = [int(boxes.nth(k).get_attribute("value")) for k in range(2)]
    for k in range(2):
        boxes.nth(k).check()
    page.get_by_role("button", name="Approve the chosen").click()
    expect(page.get_by_text("Decisions taken: 2.")).to_be_visible()

    page.get_by_role("link", name="Publish…").click()
    page.get_by_label("Withdraw them: they are not published").check()
    page.get_by_role("button", name="Show what this publishes").click()
    expect(page.locator("#will-publish tbody tr")).to_have_count(2)
    expect(page.locator("#will-publish tbody tr").first).to_contain_text("teach each other")
    found["exchanges-publish-en"] = serious_violations(page)
    page.get_by_label("I checked these lists").check()
    page.get_by_role("button", name="Publish the round").click()
    expect(page).to_have_url(f"{live.url}/console/rounds/{round_id}/published")
    expect(page.get_by_role("status")).to_contain_text(f"Round {round_id} is published")
    expect(page.locator("#published tbody tr")).to_have_count(2)
    shot(page, "exchanges-published-en")
    found["exchanges-published-en"] = serious_violations(page)

    with httpx.Client(base_url=live.url, headers={"X-API-Key": live.keys["hub"]}) as hub:
        items = hub.get("/v1/published").json()["items"]
    assert [(i["type"], i["proposal_id"]) for i in items] == [("exchange", i) for i in approved]

    for path, name in (
        (f"/console/rounds/{round_id}/published", "exchanges-published-ar"),
        (f"/console/rounds/{round_id}", "exchanges-review-ar"),
    ):
        page.goto(f"/console/language?lang=ar&next={path}")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page).to_have_url(re.compile(re.escape(path) + "$"))
        shot(page, name)
        found[name] = serious_violations(page)
    assert found == {name: [] for name in found}
