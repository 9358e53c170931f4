"""The import journey in chromium, as the issue asks: sign in; import a
survey with mistakes, read the problems, fix the file, preview again,
apply; the members page shows the new members; search and filter; edit a
profile's level; delete a member after its confirmation. Then the same
previews in Arabic, with axe."""

from __future__ import annotations

import httpx
import pytest

from tests.browser.support import HOW, serious_violations, shot, sign_in
from tests.test_console_import import BROKEN, FIXED

expect = pytest.importorskip("playwright.sync_api", reason=HOW).expect


def _upload(page, text: str, name: str = "survey.csv") -> None:
    page.goto("/console/import")
    file = {"name": name, "mimeType": "text/csv", "buffer": text.encode()}
    page.locator("#f-document").set_input_files(file)
    page.locator("form[action='/console/import'] button[type=submit]").click()
    page.wait_for_load_state()


def _member(live, member_id):
    return httpx.get(
        f"{live.url}/v1/members/{member_id}", headers={"X-API-Key": live.keys["admin"]}
    )


def test_import_with_mistakes_fix_apply_then_find_edit_and_delete(page, live):
    sign_in(page, live)
    page.get_by_role("navigation", name="Pages").get_by_role(
        "link", name="Import", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import")
    _upload(page, BROKEN)
    expect(page.get_by_role("alert")).to_contain_text("Problems: 5.")
    problems = page.get_by_role("table", name="Problems, in the file's order")
    expect(problems.get_by_role("row")).to_have_count(6)  # the header and 5 problems
    expect(problems).to_contain_text("line 3 (id 'xx-net')")
    expect(problems).to_contain_text("unknown ISO 3166-1 alpha-2 country code")
    expect(page.get_by_role("button", name="Apply the import")).to_have_count(0)
    shot(page, "import-problems-en")
    assert _member(live, "tz-net").status_code == 404

    _upload(page, FIXED)  # the fixed file
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.locator("ul.counts")).to_contain_text("2 Added")
    expect(page.get_by_role("table", name="Changed (1)")).to_contain_text("Mentor capacity")
    shot(page, "import-preview-en")
    assert _member(live, "tz-net").status_code == 404  # a preview writes nothing
    page.get_by_role("button", name="Apply the import").click()
    expect(page.get_by_role("status")).to_contain_text("Imported: 2 added, 1 changed")
    page.get_by_role("link", name="See the members, last changed first").click()
    table = page.get_by_role("table")
    expect(table).to_contain_text("Tanzania Network")
    expect(table).to_contain_text("Uganda Network")

    page.get_by_label("Id or name").fill("network")
    page.get_by_label("Region").select_option("africa")
    page.get_by_label("Theme", exact=True).select_option("youth_adult_literacy")
    page.get_by_label("Theme as").select_option("needs")
    page.get_by_role("button", name="Search").click()
    expect(table.get_by_role("row")).to_have_count(2)  # the header and Uganda
    shot(page, "members-en")
    page.get_by_role("link", name="Uganda Network").click()
    page.get_by_label("Expertise: 4.c Teachers").select_option("2")
    page.get_by_role("button", name="Save the profile").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    assert _member(live, "ug-net").json()["expertise"] == {"teachers": 2}

    page.get_by_role("link", name="Delete this member…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete a member")
    page.get_by_role("button", name="Delete the member").click()
    expect(page.get_by_role("status")).to_contain_text("“ug-net” deleted")
    assert _member(live, "ug-net").status_code == 404


def test_the_import_previews_in_arabic(page, live):
    sign_in(page, live)
    page.goto("/console/language?lang=ar&next=/console/import")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    found = {"import": serious_violations(page)}
    _upload(page, BROKEN)
    expect(page.get_by_role("alert")).to_be_visible()
    found["problems"] = serious_violations(page)
    shot(page, "import-problems-ar")
    _upload(page, FIXED)
    expect(page.locator("ul.counts")).to_be_visible()
    found["preview"] = serious_violations(page)
    shot(page, "import-preview-ar")
    page.goto("/console/members?q=coalition&region=africa")
    shot(page, "members-filtered-ar")
    assert {k: v for k, v in found.items() if v} == {}
