"""The rounds journey in chromium: create a mentoring round and watch its
progress reach the review, filter, decide in bulk, decline for ever, re-run
(ids kept), and a decision made on a stale view refused while another
officer decided meanwhile. Screenshots in English and Arabic."""

from __future__ import annotations

import re
import threading

import httpx
import pytest

from service.usecases import jobs
from tests.browser.support import HOW, serious_violations, shot, sign_in

expect = pytest.importorskip("playwright.sync_api", reason=HOW).expect


@pytest.fixture
def gate(monkeypatch):
    """Jobs wait for ``gate.set()`` before they run: the progress page is
    seen (and photographed) while the job is under way."""
    opened = threading.Event()
    for name in ("create_round", "rerun_round"):
        real = getattr(jobs, name)

        def held(*args, _real=real, **kwargs):
            assert opened.wait(timeout=60), "the test never opened the gate"
            return _real(*args, **kwargs)

        monkeypatch.setattr(jobs, name, held)
    yield opened
    opened.set()


def proposals(live, round_id):
    answer = httpx.get(
        f"{live.url}/v1/rounds/{round_id}", headers={"X-API-Key": live.keys["admin"]}
    )
    return answer.json()["proposals"]


def in_language(page, lang, path):
    page.goto(f"/console/language?lang={lang}&next={path}")


def second_officer_key(page) -> str:
    page.goto("/console/keys")
    page.get_by_label("Name", exact=True).fill("second-officer")
    page.get_by_label("Role").select_option("admin")
    page.get_by_role("button", name="Create the key").click()
    return page.locator("#new-key").input_value()


def test_create_review_decide_rerun_and_a_stale_view(page, live, gate, browser):
    page.on("dialog", lambda dialog: dialog.accept())  # "Decline the chosen proposals?"
    found = {}
    sign_in(page, live)
    other_key = second_officer_key(page)
    page.goto("/console/rounds")
    shot(page, "rounds-list-en")
    page.get_by_label("Seed").fill("7")
    page.get_by_role("button", name="Compute the round").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Computing a round")
    expect(page.locator("#job-progress progress")).to_be_visible()
    shot(page, "rounds-progress-en")
    found["rounds-progress-en"] = serious_violations(page)
    gate.set()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review a round")
    round_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_text("Proven optimal")).to_be_visible()
    shot(page, "rounds-review-en")
    found["rounds-review-en"] = serious_violations(page)

    before = proposals(live, round_id)
    region = page.locator("#f-region option").nth(1).get_attribute("value")
    page.get_by_label("Region").select_option(region)
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(rf"region={region}"))
    shown = int(page.locator("caption", has_text="proposals shown").inner_text().split()[0])
    assert 4 <= shown < len(before)

    boxes = page.locator("input.pick")
    page.get_by_label("Select all on this page").check()
    assert all(boxes.nth(k).is_checked() for k in range(boxes.count()))
    page.get_by_label("Select all on this page").uncheck()
    assert not any(boxes.nth(k).is_checked() for k in range(boxes.count()))
    approved = [int(boxes.nth(k).get_attribute("value")) for k in range(3)]
    for k in range(3):
        boxes.nth(k).check()
    page.get_by_label("Lock for later rounds (approve)").check()
    page.get_by_role("button", name="Approve the chosen").click()
    expect(page.get_by_text("Decisions taken: 3.")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"region={region}"))  # the filter is kept

    declined = int(page.locator("input.pick").nth(3).get_attribute("value"))
    page.get_by_label(f"Choose proposal {declined}", exact=True).check()
    page.get_by_label("Never propose again (needs a note)").check()
    page.get_by_role("button", name="Decline the chosen").click()
    expect(page.locator("#e-note")).to_be_visible()  # the note is required
    page.get_by_label(f"Choose proposal {declined}", exact=True).check()
    page.get_by_label("Note", exact=True).fill("They work together already")
    page.get_by_label("Never propose again (needs a note)").check()
    page.get_by_role("button", name="Decline the chosen").click()
    expect(page.get_by_text("Decisions taken: 1.")).to_be_visible()

    review = f"/console/rounds/{round_id}"
    in_language(page, "ar", review)
    gate.clear()
    page.locator("form[action$='/rerun'] button").click()
    expect(page.locator("#job-progress progress")).to_be_visible()
    shot(page, "rounds-progress-ar")
    found["rounds-progress-ar"] = serious_violations(page)
    gate.set()
    expect(page).to_have_url(re.compile(rf"/console/rounds/{round_id}$"))
    shot(page, "rounds-review-ar")
    found["rounds-review-ar"] = serious_violations(page)
    after = {p["id"]: p for p in proposals(live, round_id)}
    assert all(after[i]["status"] == "approved" for i in approved)
    pair = (after[declined]["mentor"], after[declined]["mentee"])
    assert after[declined]["status"] == "declined"
    again = [p for p in after.values() if (p["mentor"], p["mentee"]) == pair]
    assert [p["id"] for p in again] == [declined]

    # A second officer decides while the first one still looks at the table.
    in_language(page, "en", review)
    undecided = [p["id"] for p in after.values() if p["status"] == "proposed"]
    context = browser.new_context(base_url=live.url)
    other = context.new_page()
    sign_in(other, live, key=other_key)
    other.goto(f"/console/rounds/{round_id}")
    other.get_by_label(f"Choose proposal {undecided[0]}", exact=True).check()
    other.get_by_role("button", name="Approve the chosen").click()
    expect(other.get_by_text("Decisions taken: 1.")).to_be_visible()

    page.get_by_label(f"Choose proposal {undecided[1]}", exact=True).check()
    page.get_by_role("button", name="Approve the chosen").click()
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text("This round changed since you opened it")
    expect(refusal).to_contain_text(f"proposals {undecided[0]} were decided on")
    expect(refusal).to_contain_text("proposal.approve by second-officer")
    shot(page, "rounds-stale-en")
    found["rounds-stale-en"] = serious_violations(page)
    assert {p["id"]: p["status"] for p in proposals(live, round_id)}[undecided[1]] == "proposed"

    # Once more in Arabic.
    in_language(page, "ar", review)
    other.goto(review)
    other.get_by_label(f"Choose proposal {undecided[2]}", exact=True).check()
    other.get_by_role("button", name="Approve the chosen").click()
    expect(other.get_by_text("Decisions taken: 1.")).to_be_visible()
    context.close()
    page.locator(f"input.pick[value='{undecided[1]}']").check()
    page.locator("button[value=approve]").click()
    expect(page.get_by_role("alert")).to_contain_text(f"proposals {undecided[2]} were decided on")
    shot(page, "rounds-stale-ar")
    found["rounds-stale-ar"] = serious_violations(page)
    page.goto("/console/rounds")
    shot(page, "rounds-list-ar")
    assert {k: v for k, v in found.items() if v} == {}
