"""Every console page in English and Arabic: a screenshot for the
artifacts, and no serious or critical axe-core violation (WCAG 2.1 A/AA)."""

from __future__ import annotations

import pytest

from tests.browser.support import HOW, serious_violations, shot, sign_in

PAGES = {
    "admin": [
        "/console/overview",
        "/console/keys",
        "/console/keys/revoke?name=test-hub",
        "/console/constraints",
        "/console/constraints/remove?kind=locked&a=ke-coalition&b=sn-coalition",
        "/console/rounds/1/publish",  # the demo history's archived round 1: no longer a draft
        "/console/members",
        "/console/members/ke-coalition",
        "/console/members/new",
        "/console/members/ke-coalition/delete",
        "/console/import",
        "/console/feedback/import",
        "/console/capacity-map",
        "/console/flow",  # nothing published: the page says so (test_flow.py: two rounds)
        "/console/outcomes",
        "/console/rounds",  # the review table: tests/browser/test_rounds.py
        "/console/profile",  # refused: not an admin's page
    ],
    "member": [
        "/console/profile/ke-coalition",
        "/console/recommendations/ke-coalition",
        "/console/partners/ke-coalition",
        "/console/my-feedback/ke-coalition",
    ],
}
"""The pages each role opens; a new page is added here."""

expect = pytest.importorskip("playwright.sync_api", reason=HOW).expect


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_page_is_accessible_in_both_directions(page, live, lang):
    page.goto(f"/console/language?lang={lang}&next=/console/sign-in")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    found = {}
    found["sign-in"] = serious_violations(page)
    shot(page, f"sign-in-{lang}")
    sign_in(page, live, "hub")
    found["sign-in refused"] = serious_violations(page)
    for role, paths in PAGES.items():
        page.context.clear_cookies(name="console_session")
        sign_in(page, live, role)
        for path in paths:
            page.goto(path)
            name = f"{role}-{path.removeprefix('/console/').split('?')[0].replace('/', '-')}-{lang}"
            found[name] = serious_violations(page)
            shot(page, name)
    assert {k: v for k, v in found.items() if v} == {}
