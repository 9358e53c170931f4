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
from tests.service_env import MEMBER, start_service


@pytest.fixture
def admin(svc):
    with TestClient(svc.app, base_url="http://127.0.0.1") as client:
        sign_in(client, svc.keys["admin"])
        yield client


def _actions(page: str) -> list[str]:
    return re.findall(r"<td><code>([\w.]+)</code></td>", page)


def _feedback(svc, chosen, answers):
    for proposal, (member, given) in zip(chosen, answers, strict=False):
        url = f"/v1/proposals/{proposal['id']}/feedback"
        assert svc.client.post(url, json=given, headers=svc.as_(member)).status_code == 201


def test_the_outcome_analysis_with_its_figure_and_comments(svc, admin):
    round_id, chosen = publish_round(svc, "mentoring", approve=6)
    mine = next(p for p in chosen if MEMBER in {m["member"] for m in p["members"]})
    others = [p for p in chosen if p["id"] != mine["id"]]
    _feedback(
        svc, [mine], [("member", {"met": True, "usefulness": 4, "comment": "We met <twice>"})]
    )
    _feedback(
        svc,
        others[:5],
        [("admin", {"met": k % 2 == 0, "usefulness": k + 1}) for k in range(5)],
    )
    page = admin.get("/console/outcomes?by=round").text
    works = page[page.index('id="works-h"') : page.index('id="comments-h"')]
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in works and 'role="img"' in works
    mentoring = works[works.index('id="outcomes-mentoring"') :]
    mentoring = mentoring[: mentoring.index("</table>")]
    assert "Mentoring pairs · By round" in mentoring
    row = re.search(rf"<bdi>Round {round_id}</bdi></th>(.*?)</tr>", mentoring, re.S)[1]
    cells = re.findall(r"<td class=\"num\">(?:<bdi dir=\"ltr\">)?([^<]*)", row)
    # 6 answers on the round's pairs: met 1 (mine) + 3 (k = 0, 2, 4) = 4 of 6;
    # usefulness (4 + 1 + 2 + 3 + 4 + 5) / 6 = 3.2.
    assert cells[0] == str(len(chosen)) and cells[2] == "6"
    assert cells[3].strip() == "67%" and cells[4].strip() == "3.2"
    by_region = admin.get("/console/outcomes?by=region").text
    assert "By region" in by_region and "Same region" in by_region
    kept = admin.get(f"/console/outcomes?c_format=mentoring&c_round={round_id}").text
    comments = kept[kept.index('id="comments-h"') : kept.index('id="audit-h"')]
    assert "We met &lt;twice&gt;" in comments and "Comments found: 1" in comments
    assert f'<option value="{round_id}" selected>' in comments
    none = admin.get(f"/console/outcomes?c_format=circle&c_round={round_id}").text
    assert "Comments found: 0" in none


def test_the_comments_page(svc, admin):
    round_id, chosen = publish_round(svc, "mentoring", approve=25)
    _feedback(
        svc,
        chosen[:25],
        [("admin", {"met": True, "usefulness": 3, "comment": f"c{k}"}) for k in range(25)],
    )
    first = admin.get(f"/console/outcomes?c_round={round_id}").text
    assert "Comments found: 25" in first and "Page 1 of 2" in first
    following = re.search(r'href="([^"]*c_page=2[^"]*)" rel="next"', first)[1]
    assert f"c_round={round_id}" in following
    second = admin.get(following.replace("&amp;", "&")).text
    assert "Page 2 of 2" in second and second.count("<td><bdi>c") == 5


def test_an_empty_history_shows_empty_tables(tmp_path):
    empty = start_service("sqlite", tmp_path, demo=False)
    try:
        with TestClient(empty.app, base_url="http://127.0.0.1") as client:
            sign_in(client, empty.keys["admin"])
            page = client.get("/console/outcomes")
            assert page.status_code == 200
            assert "No answer yet." in page.text and "No comment yet." in page.text
    finally:
        empty.app.state.engine.dispose()


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
    audit = second[second.index('id="audit-h"') :]
    following = re.search(r'href="([^"]*)" rel="next"', audit)[1]
    assert "action=bench.write" in following and "page=3" in following
    by_actor = admin.get("/console/outcomes?action=bench.write&sort=actor&dir=asc").text
    assert re.findall(r"<bdi>(officer-\d)</bdi>", by_actor)[:40] == ["officer-0"] * 40


def test_only_admins_open_it(svc):
    with TestClient(svc.app, base_url="http://127.0.0.1") as client:
        assert client.get("/console/outcomes", follow_redirects=False).status_code == 303
        sign_in(client, svc.keys["member"])
        assert client.get("/console/outcomes").status_code == 403
