"""A coordinator opens the demo report in chromium, in English and in Arabic:
the two sections drawn from the history (what works, how knowledge flowed)
show their figures without fetching anything, laid out right to left in
Arabic. Screenshots of both sections go to the artifacts."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from service.cli import app
from service.translations import gettext_for
from tests.browser.support import HOW, artifacts, serious_violations

expect = pytest.importorskip("playwright.sync_api", reason=HOW).expect

SECTIONS = ("what-works", "knowledge-flow")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_history_sections_read_in_chromium(browser, tmp_path, lang):
    path = tmp_path / f"report-{lang}.html"
    result = CliRunner().invoke(app, ["report", "--demo", "--lang", lang, "--out", str(path)])
    assert result.exit_code == 0, result.output
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    outside: list[str] = []

    def guard(route):
        outside.append(route.request.url)
        route.abort()

    context.route("http*://**", guard)  # the file itself and data: images only
    page = context.new_page()
    page.goto(path.as_uri())
    t = gettext_for(lang).gettext
    works, flow = (page.locator(f"section#{s}") for s in SECTIONS)
    expect(works.get_by_role("heading", level=2)).to_have_text(t("What works"))
    expect(flow.get_by_role("heading", level=2)).to_have_text(t("How knowledge flowed"))
    outcomes = works.get_by_role("img", name=t(
        "Outcomes by format and direction, each with the range it likely lies in"
    ))  # fmt: skip
    expect(outcomes).to_be_visible()
    assert outcomes.bounding_box()["width"] > 600
    for image in flow.get_by_role("img").all():
        expect(image).to_be_visible()
        assert image.evaluate("img => img.naturalWidth") > 400
    assert flow.get_by_role("img").count() == 2
    if lang == "ar":  # headings start at the right edge
        box = works.get_by_role("heading", level=2).bounding_box()
        section = works.bounding_box()
        assert abs((box["x"] + box["width"]) - (section["x"] + section["width"])) < 2
    assert serious_violations(page) == []
    for name in SECTIONS:
        page.locator(f"section#{name}").screenshot(path=artifacts() / f"report-{lang}-{name}.png")
    context.close()
    assert outside == []
