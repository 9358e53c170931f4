"""An officer reads the capacity map in chromium, regrouped, in English and
in Arabic (mirrored)."""

from __future__ import annotations

import pytest

from tests.browser.support import HOW, shot, sign_in

expect = pytest.importorskip("playwright.sync_api", reason=HOW).expect


def test_an_admin_reads_the_capacity_map_in_english_and_arabic(page, live):
    sign_in(page, live)
    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Capacity map").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Capacity map")
    heatmap = page.get_by_role("img", name="Heatmap of experts")
    expect(heatmap).to_be_visible()
    assert heatmap.evaluate("img => img.naturalWidth") > 0
    expect(page.get_by_role("columnheader", name="Africa")).to_be_visible()
    shot(page, "capacity-map-en")
    page.get_by_label("Group by").select_option("north_south")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(f"{live.url}/console/capacity-map?by=north_south")
    expect(page.get_by_role("columnheader", name="Global South")).to_be_visible()
    page.goto("/console/language?lang=ar&next=/console/capacity-map")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_have_text("خريطة القدرات")
    expect(page.get_by_role("columnheader", name="أفريقيا")).to_be_visible()
    shot(page, "capacity-map-ar")
