"""The capacity map page over HTTP: the API's figures, live from the
database, by region, North/South and kind, in the page's language."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from matcher import default_taxonomy
from service.usecases import network_version
from tests.console_env import sign_in
from tests.service_env import MEMBER


@pytest.fixture
def admin(svc):
    with TestClient(svc.app, base_url="http://127.0.0.1") as client:
        sign_in(client, svc.keys["admin"])
        yield client


def _cells(page: str) -> list[str]:
    return [html.unescape(c) for c in re.findall(r"<td class=\"num\">([^<]*)</td>", page)]


@pytest.mark.parametrize("by", ["region", "north_south", "kind"])
def test_the_page_shows_the_apis_figures(svc, admin, by):
    api = svc.client.get(f"/v1/capacity-map?by={by}", headers=svc.as_("admin")).json()
    page = admin.get(f"/console/capacity-map?by={by}").text
    assert 'src="data:image/png;base64,' in page
    needed = [t for t in api["themes"] if t["demand"]["members"]]
    cells = _cells(page)
    for theme in needed:
        label = html.escape(api["labels"]["themes"][theme["theme"]])
        assert label in page
        for count in theme["by_group"].values():
            assert f"{count['supply']['members']}/{count['demand']['members']}" in cells
    summary = api["summary"]
    assert f"{summary['members']} members · {summary['needs']} needs" in page


def test_the_page_is_live_from_the_database(svc, admin):
    before = svc.client.get("/v1/capacity-map", headers=svc.as_("admin")).json()["summary"]
    theme = default_taxonomy().keys[0]
    profile = svc.client.get(f"/v1/members/{MEMBER}", headers=svc.as_("admin")).json()
    needs = {**profile["needs"], theme: 0 if profile["needs"].get(theme) else 3}
    assert (
        svc.client.patch(
            f"/v1/members/{MEMBER}", json={"needs": needs}, headers=svc.as_("admin")
        ).status_code
        == 200
    )
    # Right after a write the API (and the page) may still read the snapshot
    # before it, while the new one is built in the background.
    with Session(svc.app.state.engine) as session:
        svc.app.state.cache.snapshot_at_least(session, network_version(session))
    after = svc.client.get("/v1/capacity-map", headers=svc.as_("admin")).json()["summary"]
    assert after["needs"] != before["needs"]
    page = admin.get("/console/capacity-map").text
    assert f"{after['members']} members · {after['needs']} needs" in page


def test_arabic_is_mirrored_and_labelled(svc, admin):
    admin.cookies.set("console_lang", "ar", path="/console")
    page = admin.get("/console/capacity-map?by=north_south").text
    assert 'dir="rtl"' in page
    api = svc.client.get(
        "/v1/capacity-map?by=north_south", headers={**svc.as_("admin"), "Accept-Language": "ar"}
    ).json()
    for label in api["labels"]["groups"].values():
        assert html.escape(label) in page
    assert "Experts / members in need" not in page


def test_an_unknown_grouping_falls_back_to_regions(admin):
    page = admin.get("/console/capacity-map?by=nonsense")
    assert page.status_code == 200
    assert '<option value="region" selected>' in page.text


def test_only_admins_open_it(svc):
    with TestClient(svc.app, base_url="http://127.0.0.1") as client:
        assert client.get("/console/capacity-map", follow_redirects=False).status_code == 303
        sign_in(client, svc.keys["member"])
        assert client.get("/console/capacity-map").status_code == 403
