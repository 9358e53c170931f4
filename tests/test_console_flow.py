"""The Flow page over HTTP: the flow map of the published rounds with its
figures, the members by name, for admins only."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from service.console.flow import NAMES_SHOWN
from tests.api import publish_round
from tests.console_env import sign_in


@pytest.fixture
def admin(svc):
    with TestClient(svc.app, base_url="http://127.0.0.1") as client:
        sign_in(client, svc.keys["admin"])
        yield client


def test_nothing_published_yet(admin):
    response = admin.get("/console/flow")
    assert response.status_code == 200
    assert "Nothing published yet" in response.text and "<img" not in response.text
    assert "Knowledge deserts" not in response.text  # every need would be one
    assert 'href="/console/flow"' in response.text  # in the navigation


def test_the_rounds_their_figures_and_the_members(svc, admin):
    mentoring, _ = publish_round(svc, "mentoring", approve=4)
    circles, _ = publish_round(svc, "circles", approve=2)
    doc = svc.client.get("/v1/flow", headers=svc.as_("admin")).json()
    page = admin.get("/console/flow").text
    figures = re.findall(r'<img class="figure" src="data:image/svg\+xml;base64,', page)
    assert len(figures) == 2  # the regions, the last round's graph
    rows = re.findall(r'<th scope="row">Round (\d+) <span class="hint">\(#(\d+)\)</span>', page)
    assert rows == [("1", str(mentoring)), ("2", str(circles))]
    flows = doc["cumulative"]["indicators"]["flows"]
    assert f'<td class="num">{flows:,}</td>' in page
    # Members by name: the brokers, and the first of those never reached.
    assert all(f"<bdi>{escape(b['name'])}</bdi>" in page for b in doc["brokers"])
    url = f"/v1/flow/members?status=never_reached&limit={NAMES_SHOWN}"
    never = svc.client.get(url, headers=svc.as_("admin")).json()
    assert never["items"] and all(f"<bdi>{escape(m['name'])}</bdi>" in page for m in never["items"])
    assert f"({never['total']:,})" in page
    # The deserts with the most members in need, and how many there are.
    section = page[page.index('id="deserts-h"') : page.index('id="brokers-h"')]
    shown = section.count('<tr><th scope="row">')
    assert shown == min(NAMES_SHOWN, len(doc["deserts"]))
    if len(doc["deserts"]) > shown:
        assert f"of {len(doc['deserts']):,}; GET /v1/flow has them all" in section
    # Another round chosen: the graph is that round's.
    first = admin.get(f"/console/flow?round={mentoring}").text
    assert f'<option value="{mentoring}" selected' in first
    assert "Graph of the ties of round 1" in first and "Graph of the ties of round 2" in page


def test_for_admins_only(svc):
    with TestClient(svc.app, base_url="http://127.0.0.1") as client:
        sign_in(client, svc.keys["member"])
        assert client.get("/console/flow").status_code == 403
