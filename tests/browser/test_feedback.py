"""Feedback in chromium: a member answers on its exchange with the themes it
learned and whether the relation went on; an admin imports a CSV of answers
collected offline with mistakes, reads every problem, fixes the file and
applies it. In English and Arabic, checked with axe."""

from __future__ import annotations

import httpx
import pytest

from tests.browser.support import HOW, serious_violations, shot, sign_in
from tests.feedback_env import published_exchange
from tests.service_env import MEMBER

expect = pytest.importorskip("playwright.sync_api", reason=HOW).expect



@pytest.fixture
def live(fresh_live):
    """Without the demo's archived rounds: the member's only exchange is the
    one published here."""
    return fresh_live

def _published(live) -> dict:
    """A published mentoring round (all its proposals) and an exchange of
    the member's; returns the member's pair."""
    with httpx.Client(base_url=live.url, headers={"X-API-Key": live.keys["admin"]}) as api:
        draft = api.post("/v1/rounds", json={"kind": "mentoring", "seed": 1}).json()
        publish = api.post(f"/v1/rounds/{draft['id']}/publish", json={"undecided": "approve"})
        assert publish.status_code == 200
    published_exchange(live.server.config.app.state.engine)
    return next(p for p in draft["proposals"] if MEMBER in {m["member"] for m in p["members"]})


def _answers(live, round_id: int) -> list[dict]:
    url = f"{live.url}/v1/rounds/{round_id}/feedback"
    return httpx.get(url, headers={"X-API-Key": live.keys["admin"]}).json()["items"]


def test_a_member_answers_with_themes_learned_and_whether_it_went_on(page, live):
    _published(live)
    sign_in(page, live, "member")
    page.get_by_role("navigation", name="Pages").get_by_role("link", name="My feedback").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My feedback")
    card = page.locator("section.card", has_text="Exchange with")
    card.get_by_role("button", name="Send feedback").click()  # nothing chosen: refused
    card = page.locator("section.card", has_text="Exchange with")
    expect(card.get_by_text("Say whether you met")).to_be_visible()
    card.get_by_role("group", name="Did it meet its goal?").get_by_label("Yes").check()
    card.get_by_label("4", exact=True).check()
    card.get_by_role("checkbox", name="Tax justice").check()
    card.get_by_label("Another theme (optional)").select_option("mel")
    card.get_by_role("group", name="Did it go on after the round?").get_by_label("Yes").check()
    card.get_by_label("Comment (optional)").fill("Budget templates both ways.")
    card.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_text("your feedback is saved")).to_be_visible()
    card = page.locator("section.card", has_text="Exchange with")
    expect(card.get_by_role("checkbox", name="Tax justice")).to_be_checked()
    assert serious_violations(page) == []
    shot(page, "member-feedback-en")
    answers = [a for r in (1, 2) for a in _answers(live, r)]  # the mentoring, the exchanges
    assert [(a["member"], a["themes_learned"], a["continued"]) for a in answers] == [
        (MEMBER, ["tax_justice", "mel"], True)
    ]
    page.goto(f"/console/language?lang=ar&next=/console/my-feedback/{MEMBER}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_have_text("ملاحظاتي")
    assert serious_violations(page) == []
    shot(page, "member-feedback-ar")


def _upload(page, data: bytes) -> None:
    page.goto("/console/feedback/import")
    file = {"name": "feedback.csv", "mimeType": "text/csv", "buffer": data}
    page.locator("#f-document").set_input_files(file)
    page.locator("form[action='/console/feedback/import'] button[type=submit]").click()
    page.wait_for_load_state()


def test_an_admin_imports_feedback_with_mistakes_then_the_fixed_file(page, live):
    pair = _published(live)
    # The example's relation ids are the test network's; here they are this round's.
    rows = [
        "relation,member,met,usefulness,themes_learned,continued,comment",
        f"{pair['id']},{MEMBER},yes,4,teachers,yes,Three calls.",
        f"{pair['id']},{pair['mentor']},maybe,4,teacher,,",
        f"{pair['id']},{MEMBER},no,2,,,twice",
    ]
    sign_in(page, live)
    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Import feedback").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import feedback")
    _upload(page, "\n".join(rows).encode())
    expect(page.get_by_role("alert")).to_contain_text("Problems: 3.")
    problems = page.get_by_role("table", name="Problems, in the file's order")
    expect(problems.get_by_role("row")).to_have_count(4)
    expect(problems).to_contain_text("did you mean 'teachers'?")
    expect(problems).to_contain_text("already on line 2")
    expect(page.get_by_role("button", name="Apply the import")).to_have_count(0)
    assert serious_violations(page) == []
    shot(page, "feedback-import-problems-en")
    assert _answers(live, pair["round_id"]) == []

    fixed = rows[:2] + [f"{pair['id']},{pair['mentor']},no,4,teachers,,"]
    _upload(page, "\n".join(fixed).encode())
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.locator("ul.counts")).to_contain_text("2 Added")
    expect(page.get_by_role("table", name="Answers in the file")).to_contain_text(MEMBER)
    shot(page, "feedback-import-preview-en")
    page.get_by_role("button", name="Apply the import").click()
    expect(page.get_by_role("status")).to_contain_text("Feedback imported: 2 added")
    assert len(_answers(live, pair["round_id"])) == 2

    page.goto("/console/language?lang=ar&next=/console/feedback/import")
    _upload(page, "\n".join(rows).encode())
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("alert")).to_be_visible()
    assert serious_violations(page) == []
    shot(page, "feedback-import-problems-ar")
