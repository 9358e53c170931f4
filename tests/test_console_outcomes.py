"""The outcomes and audit page over HTTP: the feedback on each published
round, and the audit trail filtered by actor, action and dates, paged in the
database."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.store.models import AuditRecord
from service.usecases.audit import list_audit
from tests.api import publish_round
from tests.console_env import sign_in
from tests.service_env import MEMBER


@pytest.fixture
def admin(svc):
    with TestClient(svc.app, base_url="http://127.0.0.1") as client:
        sign_in(client, svc.keys["admin"])
        yield client


def _actions(page: str) -> list[str]:
    return re.findall(r"<td><code>([\w.]+)</code></td>", page)


def test_feedback_per_published_round_with_the_comments(svc, admin):
    round_id, chosen = publish_round(svc, "mentoring", approve=2)
    mine = next(p for p in chosen if MEMBER in {m["member"] for m in p["members"]})
    given = {"met": True, "usefulness": 4, "comment": "We met <twice>"}
    url = f"/v1/proposals/{mine['id']}/feedback"
    assert svc.client.post(url, json=given, headers=svc.as_("member")).status_code == 201
    other = next(p for p in chosen if p["id"] != mine["id"])
    silent = {"met": False, "usefulness": 1}
    url = f"/v1/proposals/{other['id']}/feedback"
    assert svc.client.post(url, json=silent, headers=svc.as_("admin")).status_code == 201
    api = svc.client.get(f"/v1/rounds/{round_id}", headers=svc.as_("admin")).json()["outcomes"]
    assert api == {"feedback": 2, "met": 1, "mean_usefulness": 2.5}
    page = admin.get("/console/outcomes").text
    section = page[page.index(f'id="r{round_id}-h"') : page.index('id="audit-h"')]
    facts = re.findall(r"<dd>([^<]*)</dd>", section)
    assert facts[1:5] == [str(len(chosen)), "2", "1", "2.5"]
    assert "We met &lt;twice&gt;" in section  # escaped
    # The comment is listed; the feedback without one is counted, not listed.
    assert section.count("test-member") == 1 and "test-admin" not in section


def test_the_audit_is_filtered_by_action_actor_and_dates(svc, admin):
    publish_round(svc, "mentoring", approve=1)
    everything = admin.get("/console/outcomes").text
    assert "round.publish" in _actions(everything) and len(set(_actions(everything))) > 1
    only = admin.get("/console/outcomes?action=round.publish").text
    assert set(_actions(only)) == {"round.publish"}
    assert '<option value="round.publish" selected>' in only
    assert "Records found: 1" in only
    nobody = admin.get("/console/outcomes?actor=test-member").text
    assert _actions(nobody) == []
    today = datetime.now(UTC).date()
    within = admin.get(f"/console/outcomes?from={today}&to={today}&action=round.publish").text
    assert _actions(within) == ["round.publish"]
    before = today - timedelta(days=1)
    outside = admin.get(f"/console/outcomes?to={before}&action=round.publish").text
    assert _actions(outside) == []


def test_a_bad_date_is_shown_by_its_field_and_left_out(admin):
    answer = admin.get("/console/outcomes?from=31/12/2026&action=round.publish")
    assert answer.status_code == 422
    assert 'id="e-from"' in answer.text and "YYYY-MM-DD" in answer.text
    backwards = admin.get("/console/outcomes?from=2026-03-02&to=2026-03-01")
    assert "The end date comes before the start date" in backwards.text


def test_the_audit_pages_in_the_database(svc, admin):
    with Session(svc.app.state.engine) as session:
        start = datetime(2026, 1, 1, tzinfo=UTC)
        for k in range(120):
            session.add(
                AuditRecord(
                    at=start + timedelta(minutes=k),
                    actor=f"officer-{k % 3}",
                    role="admin",
                    action="bench.write",
                    object_type="member",
                    object_id=f"m{k}",
                    detail={},
                )
            )
        session.commit()
        expected = list_audit(session, limit=50, offset=50, action="bench.write", actor="officer-1")
    assert expected.total == 40
    page = admin.get("/console/outcomes?action=bench.write&actor=officer-1&page=1").text
    assert "Page 1 of 1" not in page and "Records found: 40" in page
    assert len(_actions(page)) == 40
    second = admin.get("/console/outcomes?action=bench.write&page=2").text
    assert "Page 2 of 3" in second and len(_actions(second)) == 50
    following = re.search(r'href="([^"]*)" rel="next"', second)[1]
    assert "action=bench.write" in following and "page=3" in following
    by_actor = admin.get("/console/outcomes?action=bench.write&sort=actor&dir=asc").text
    assert re.findall(r"<bdi>(officer-\d)</bdi>", by_actor)[:40] == ["officer-0"] * 40


def test_only_admins_open_it(svc):
    with TestClient(svc.app, base_url="http://127.0.0.1") as client:
        assert client.get("/console/outcomes", follow_redirects=False).status_code == 303
        sign_in(client, svc.keys["member"])
        assert client.get("/console/outcomes").status_code == 403
