"""An exchanges round in the console over HTTP: created with the form (the
policy's knobs, nothing of the other kinds), reviewed with both names and
what each teaches the other, approved in bulk, previewed and published; the
published results, their CSV and a member's partners page show it
(tests/browser/test_exchange_round.py drives the same pages in chromium)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.store.models import Member, Proposal, Round
from tests.console_env import post_form, sign_in
from tests.service_env import MEMBER
from tests.test_console_rounds import create, decide

EXCHANGES = {"kind": "exchanges", "seed": "2", "south_south_bonus": "0.2"}


@pytest.fixture
def client(svc):
    with TestClient(svc.app, base_url="http://127.0.0.1") as c:
        sign_in(c, svc.keys["admin"])
        yield c


def rows(svc, round_id, status=None):
    with Session(svc.app.state.engine) as session:
        query = select(Proposal).where(Proposal.round_id == round_id)
        if status:
            query = query.where(Proposal.status == status)
        return session.exec(query.order_by(Proposal.id)).all()


def name(svc, member_id):
    with Session(svc.app.state.engine) as session:
        return session.get(Member, member_id).name


def test_the_form_offers_exchanges_with_the_policy_knobs(svc, client):
    page = client.get("/console/rounds").text
    assert 'name="kind" value="exchanges"' in page and "Reciprocal exchanges" in page
    # The circles' options are refused for exchanges when they differ from
    # their defaults; a form sends its fields' defaults, which is fine.
    round_id = create(svc, client, {**EXCHANGES, "objective": "stable", "max_per_member": "5"})
    with Session(svc.app.state.engine) as session:
        stored = session.get(Round, round_id)
    assert stored.kind == "exchanges" and stored.options["south_south_bonus"] == 0.2
    assert "max_per_member" not in stored.options and stored.objective is None
    bad = post_form(
        client, "/console/rounds", {**EXCHANGES, "history_penalty": "-1"}, page="/console/rounds"
    )
    assert bad.status_code == 422
    assert re.search(r'<p class="error" id="e-history_penalty">[^<]+</p>', bad.text)


def test_review_approve_in_bulk_publish_and_see_it(svc, client):
    round_id = create(svc, client, EXCHANGES)
    found = rows(svc, round_id)
    page = client.get(f"/console/rounds/{round_id}").text
    assert "Reciprocal exchanges" in page and "Proven optimal" in page
    left_out = client.get(f"/console/rounds/{round_id}/left-out").text
    assert "left nobody out" not in left_out and "who have a reciprocal partner" in left_out
    assert 'name="lock"' not in page  # an exchange has no direction to lock
    first = found[0]
    a, b = first.members
    for m in (a, b):
        assert name(svc, m["member"]) in page
    assert page.count("teaches: ") == 2 * len(found)
    assert "partner" in page
    ids = [str(p.id) for p in found[:2]]
    approved = decide(client, round_id, {"ids": ids, "action": "approve"}, page=page)
    assert approved.status_code == 303, approved.text
    assert [p.id for p in rows(svc, round_id, "approved")] == [int(i) for i in ids]
    preview = client.get(f"/console/rounds/{round_id}/publish?undecided=withdraw").text
    words = f"{name(svc, a['member'])} and {name(svc, b['member'])} teach each other"
    assert words in re.sub(r"</?bdi>", "", preview)
    published = post_form(
        client,
        f"/console/rounds/{round_id}/publish",
        {"undecided": "withdraw", "confirm": "yes"},
        page=f"/console/rounds/{round_id}/publish?undecided=withdraw",
    )
    assert published.status_code == 303, published.text
    shown = re.sub(r"</?bdi>", "", client.get(published.headers["location"]).text)
    assert words in shown and f"{name(svc, a['member'])} teaches " in shown
    data = client.get(f"/console/rounds/{round_id}/published.csv").content.decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(data)))
    assert [(r["proposal"], r["type"], r["role"], r["member_id"]) for r in table] == [
        (str(p.id), "exchange", "partner", m["member"]) for p in found[:2] for m in p.members
    ]
    hub = svc.client.get("/v1/published", headers=svc.as_("hub")).json()["items"]
    assert [i["proposal_id"] for i in hub] == [int(i) for i in ids]


def test_a_member_sees_its_exchange_partner(svc, client):
    round_id = create(svc, client, EXCHANGES)
    mine = [p for p in rows(svc, round_id) if MEMBER in {m["member"] for m in p.members}]
    assert mine, "the demo member has no exchange in this round"
    page = client.get(f"/console/rounds/{round_id}").text
    decide(client, round_id, {"ids": [str(mine[0].id)], "action": "approve"}, page=page)
    answer = svc.client.post(
        f"/v1/rounds/{round_id}/publish", json={"undecided": "withdraw"}, headers=svc.as_("admin")
    )
    assert answer.status_code == 200
    partner = next(m["member"] for m in mine[0].members if m["member"] != MEMBER)
    where = f"/console/partners/{MEMBER}"
    with TestClient(svc.app, base_url="http://127.0.0.1") as member:
        sign_in(member, svc.keys["member"])
        page = member.get(where).text
        assert f"Your exchange partner: {name(svc, partner)}" in page
        assert "You teach" in page and "You learn" in page
        mine_page = f"/console/my-feedback/{MEMBER}"
        assert f'href="{mine_page}#p{mine[0].id}"' in page  # feedback is given there
        sent = post_form(
            member,
            f"{mine_page}/{mine[0].id}",
            {"met": "yes", "usefulness": "5", "continued": "yes", "comment": "we swapped notes"},
            page=mine_page,
        )
        assert sent.status_code == 303, sent.text
    feedback = svc.client.get(f"/v1/rounds/{round_id}/feedback", headers=svc.as_("admin"))
    assert [(f["proposal_id"], f["usefulness"]) for f in feedback.json()["items"]] == [
        (mine[0].id, 5)
    ]
