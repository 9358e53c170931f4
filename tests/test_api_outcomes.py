"""GET /v1/outcomes and /v1/outcomes/comments over HTTP: rounds published
through the API on top of the demo's synthetic history, feedback stored as
the feedback endpoints store it (with the answering side, set directly in
the store), the Hub's view without small groups, and the comments for
admins only."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from service.store.models import Feedback, Proposal
from tests.api import problem, publish_round
from tests.service_env import start_service


def _give(svc, proposals, *, comment_every=2):
    """Feedback by each mentee (pairs) or each member (circles): met on every
    other relation, usefulness cycling 1–5, a comment on every other one."""
    rows = []
    with Session(svc.app.state.engine) as session:
        k = 0
        for p in proposals:
            row = session.get(Proposal, p["id"])
            who = [row.mentee] if row.kind == "pair" else [m["member"] for m in row.members]
            for member in who:
                rows.append(
                    Feedback(
                        proposal_id=row.id,
                        author="test-admin",
                        member_id=member,
                        met=k % 2 == 0,
                        usefulness=k % 5 + 1,
                        themes_learned=[],
                        continued=True if k % 3 == 0 else None,
                        comment=f"note {k}" if k % comment_every == 0 else "",
                    )
                )
                k += 1
        given = [(f.proposal_id, f.comment) for f in rows]
        session.add_all(rows)
        session.commit()
    return given


@pytest.fixture
def history(svc):
    mentoring, pairs = publish_round(svc, "mentoring", approve=12)
    circles, groups = publish_round(svc, "circles", approve=2)
    given = _give(svc, pairs + groups)
    return {"mentoring": (mentoring, pairs), "circle": (circles, groups), "feedback": given}


def _format(document, name):
    return next(f for f in document["formats"] if f["format"] == name)


def _round(document, name, round_id):
    """The group of round ``round_id`` within format ``name``."""
    rounds = next(g for g in _format(document, name)["groupings"] if g["grouping"] == "round")
    return next(g for g in rounds["groups"] if g["key"] == str(round_id))


def test_the_admin_sees_every_group(svc, history):
    answer = svc.client.get("/v1/outcomes", headers=svc.as_("admin"))
    assert answer.status_code == 200
    doc = answer.json()
    assert doc["audience"] == "admin" and doc["left_out"] == 0 and doc["min_answers"] == 5
    round_id, pairs = history["mentoring"]
    mine = _round(doc, "mentoring", round_id)
    # One answer by each mentee of the new round.
    assert (mine["relations"], mine["answered"], mine["answers"]) == (len(pairs),) * 3
    for f in doc["formats"]:
        overall = f["overall"]
        for grouping in f["groupings"]:
            if grouping["grouping"] != "theme":
                assert sum(g["relations"] for g in grouping["groups"]) == overall["relations"]
                assert sum(g["answers"] for g in grouping["groups"]) == overall["answers"]
    circles_id, groups = history["circle"]
    members = sum(len(p["members"]) for p in groups)
    circles = _round(doc, "circle", circles_id)
    assert circles["relations"] == members == circles["answers"]
    small = [
        g
        for f in doc["formats"]
        for grouping in f["groupings"]
        for g in grouping["groups"]
        if 0 < g["answers"] < 5
    ]
    assert small, "the history has small groups"
    for g in small:
        assert g["share_met"] is None and g["share_met_interval"] is None
        assert g["verdict"] == "Too few answers to tell (fewer than 5)."
    big = _format(doc, "mentoring")["overall"]
    assert big["enough"] and big["share_met_interval"]["low"] <= big["share_met"]


def test_the_hub_sees_no_group_small_enough_to_identify_a_member(svc, history):
    admin = svc.client.get("/v1/outcomes", headers=svc.as_("admin")).json()
    hub = svc.client.get("/v1/outcomes", headers=svc.as_("hub")).json()
    assert hub["audience"] == "hub"
    small = sum(
        1
        for f in admin["formats"]
        for grouping in f["groupings"]
        for g in grouping["groups"]
        if 0 < g["relations"] < 5
    )
    assert small > 0 and hub["left_out"] >= small
    for f in hub["formats"]:
        for grouping in f["groupings"]:
            assert all(g["relations"] == 0 or g["relations"] >= 5 for g in grouping["groups"])
    assert "note 0" not in str(hub) and "test-admin" not in str(hub)


def test_the_answer_is_in_the_readers_language(svc, history):
    doc = svc.client.get("/v1/outcomes?lang=ar", headers=svc.as_("hub")).json()
    assert doc["lang"] == "ar"
    assert _format(doc, "mentoring")["label"] != "Mentoring pairs"
    french = svc.client.get(
        "/v1/outcomes", headers={**svc.as_("admin"), "Accept-Language": "fr"}
    ).json()
    assert french["lang"] == "fr"


def test_an_empty_history_is_a_valid_empty_document(tmp_path):
    empty = start_service("sqlite", tmp_path, demo=False)
    try:
        admin = empty.as_("admin")
        doc = empty.client.get("/v1/outcomes", headers=admin).json()
        assert [f["format"] for f in doc["formats"]] == ["mentoring", "exchange", "circle"]
        assert all(f["overall"]["relations"] == 0 for f in doc["formats"])
        assert all(not d["enough"] for d in doc["differences"])
        comments = empty.client.get("/v1/outcomes/comments", headers=admin).json()
        assert comments == {"total": 0, "limit": 50, "offset": 0, "items": []}
    finally:
        empty.client.close()
        empty.app.state.engine.dispose()


def test_admins_read_the_comments_filtered(svc, history):
    commented = [(p, c) for p, c in history["feedback"] if c]
    admin = svc.as_("admin")
    everything = svc.client.get("/v1/outcomes/comments?limit=500", headers=admin)
    assert everything.status_code == 200
    page = everything.json()
    assert {c for _, c in commented} <= {c["comment"] for c in page["items"]}
    first = page["items"][0]
    assert first["round"] == history["circle"][0]  # newest round first
    assert first["side"] in {"anchor", "learner"} and first["author"] == "test-admin"

    mentoring_id, pairs = history["mentoring"]
    by_round = svc.client.get(
        f"/v1/outcomes/comments?round_id={mentoring_id}&limit=500", headers=admin
    ).json()
    mine = {p["id"] for p in pairs}
    assert by_round["total"] == sum(1 for p, _ in commented if p in mine)
    assert {c["format"] for c in by_round["items"]} == {"mentoring"}
    assert {c["side"] for c in by_round["items"]} == {"mentee"}
    circles = svc.client.get("/v1/outcomes/comments?format=circle&limit=500", headers=admin).json()
    assert circles["total"] >= sum(1 for p, _ in commented if p not in mine)
    assert {c["format"] for c in circles["items"]} == {"circle"}
    both = svc.client.get(
        f"/v1/outcomes/comments?format=circle&round_id={mentoring_id}", headers=admin
    ).json()
    assert both["total"] == 0

    theme = history["circle"][1][0]["theme"]
    by_theme = svc.client.get(
        f"/v1/outcomes/comments?theme={theme}&limit=500", headers=admin
    ).json()
    assert by_theme["total"] >= 1 and all(theme in c["themes"] for c in by_theme["items"])

    paged = svc.client.get("/v1/outcomes/comments?limit=2&offset=1", headers=admin)
    assert paged.json()["items"] == page["items"][1:3]
    assert paged.json()["total"] == page["total"]


def test_the_hub_may_not_read_comments(svc, history):
    problem(svc.client.get("/v1/outcomes/comments", headers=svc.as_("hub")), 403)
    problem(svc.client.get("/v1/outcomes", headers=svc.as_("member")), 403)


def test_a_bad_filter_is_a_problem(svc):
    body = problem(
        svc.client.get("/v1/outcomes/comments?format=chat", headers=svc.as_("admin")), 422
    )
    assert "format" in str(body)


def test_feedback_given_later_shows_at_once(svc, history):
    before = svc.client.get("/v1/outcomes", headers=svc.as_("admin")).json()
    with Session(svc.app.state.engine) as session:
        row = session.exec(select(Feedback).order_by(Feedback.id)).first()
        row.usefulness = 5 if row.usefulness != 5 else 1
        session.add(row)
        session.commit()
    after = svc.client.get("/v1/outcomes", headers=svc.as_("admin")).json()
    assert after != before  # the memo is per database state
