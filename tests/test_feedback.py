"""Feedback over HTTP on every published format — a mentoring pair, a
reciprocal exchange, a learning circle (per member) — from either side and
from the secretariat, on published and archived rounds; sending again
replaces only the same author's answer for the same side."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from service.store.models import AuditRecord
from tests.api import problem, publish_round
from tests.feedback_env import OTHER, archive, relations
from tests.service_env import MEMBER

ANSWER = {"met": True, "usefulness": 4, "comment": "two calls"}


@pytest.fixture
def rel(svc):
    return relations(svc)


def send(svc, proposal_id, role, **body):
    return svc.client.post(
        f"/v1/proposals/{proposal_id}/feedback",
        json={**ANSWER, **body},
        headers=svc.as_(role),
    )


def answers(svc, round_id, **query):
    url = f"/v1/rounds/{round_id}/feedback"
    return svc.client.get(url, params=query, headers=svc.as_("admin")).json()["items"]


def test_a_member_answers_on_each_format_as_itself(svc, rel):
    themes = {"themes_learned": ["teachers", "tax_justice"], "continued": True}
    for proposal_id in (rel.pair["id"], rel.circle["id"], rel.exchange):
        sent = send(svc, proposal_id, "member", **themes)
        assert sent.status_code == 201, sent.text
        body = sent.json()
        assert body["member"] == MEMBER and body["author"] == "test-member"
        assert body["themes_learned"] == ["teachers", "tax_justice"]
        assert body["continued"] is True and body["updated_at"] is None
    listed = answers(svc, rel.round_of(rel.exchange, svc), lang="fr")
    assert [(a["proposal_id"], a["member"]) for a in listed] == [(rel.exchange, MEMBER)]
    assert listed[0]["themes_learned_labels"] == ["4.c Personnel enseignant", "Justice fiscale"]


def test_an_old_client_sending_only_met_usefulness_comment_still_works(svc, rel):
    sent = send(svc, rel.pair["id"], "member")
    assert sent.status_code == 201
    assert sent.json()["themes_learned"] == [] and sent.json()["continued"] is None
    assert sent.json()["member"] == MEMBER


def test_sending_again_replaces_the_authors_answer_for_that_side_and_keeps_the_others(svc, rel):
    pair = rel.pair["id"]
    partner = next(m["member"] for m in rel.pair["members"] if m["member"] != MEMBER)
    first = send(svc, pair, "member", themes_learned=["teachers"], continued=False).json()
    # The secretariat records both sides' answers, and one whose side it does not know.
    for member in (MEMBER, partner, None):
        sent = send(svc, pair, "admin", member=member, usefulness=2)
        assert sent.status_code == 201, sent.text
    again = send(svc, pair, "member", usefulness=5)  # an old client: themes are kept
    assert again.status_code == 200
    body = again.json()
    assert body["id"] == first["id"] and body["usefulness"] == 5
    assert body["themes_learned"] == ["teachers"] and body["continued"] is False
    assert body["updated_at"] is not None
    cleared = send(svc, pair, "member", usefulness=5, themes_learned=[], continued=None).json()
    assert cleared["themes_learned"] == [] and cleared["continued"] is None
    listed = answers(svc, rel.round_of(pair, svc))
    assert sorted((a["author"], a["member"] or "", a["usefulness"]) for a in listed) == sorted(
        [
            ("test-admin", "", 2),
            ("test-admin", MEMBER, 2),
            ("test-admin", partner, 2),
            ("test-member", MEMBER, 5),
        ]
    )
    with Session(svc.app.state.engine) as session:
        actions = session.exec(
            select(AuditRecord.action).where(AuditRecord.object_id == str(pair))
        ).all()
    assert actions.count("feedback.create") == 4 and actions.count("feedback.update") == 2


def test_a_circle_takes_one_answer_per_member(svc, rel):
    circle = rel.circle["id"]
    members = [m["member"] for m in rel.circle["members"]]
    refused = problem(send(svc, circle, "admin"), 422)
    assert refused["errors"][0]["field"] == "member"
    assert all(m in refused["errors"][0]["message"] for m in members)
    for member in members:
        assert send(svc, circle, "admin", member=member).status_code == 201
    assert send(svc, circle, "member").status_code == 201
    listed = answers(svc, rel.round_of(circle, svc))
    assert sorted(a["member"] for a in listed if a["author"] == "test-admin") == sorted(members)
    assert [a["member"] for a in listed if a["author"] == "test-member"] == [MEMBER]


def test_an_exchange_takes_either_partners_answer(svc, rel):
    assert send(svc, rel.exchange, "admin", member=OTHER).status_code == 201
    assert send(svc, rel.exchange, "member").status_code == 201
    refused = problem(send(svc, rel.exchange, "admin", member="ng-coalition"), 422)
    assert refused["errors"] == [
        {
            "where": "body",
            "field": "member",
            "value": "ng-coalition",
            "message": f"'ng-coalition' is not part of relation {rel.exchange}; "
            f"its members: {MEMBER}, {OTHER}",
        }
    ]


def test_an_archived_rounds_answers_stay_editable(svc, rel):
    archive(svc, rel.round_of(rel.pair["id"], svc))
    assert send(svc, rel.pair["id"], "member").status_code == 201
    edited = send(svc, rel.pair["id"], "member", met=False, themes_learned=["teachers"])
    assert edited.status_code == 200 and edited.json()["met"] is False


def test_unknown_themes_are_named_by_index_with_the_closest_key(svc, rel):
    sent = send(svc, rel.pair["id"], "member", themes_learned=["teachers", "teacher", "zzzz"])
    body = problem(sent, 422)
    assert [(e["field"], e["value"]) for e in body["errors"]] == [
        ("themes_learned.1", "teacher"),
        ("themes_learned.2", "zzzz"),
    ]
    assert "did you mean 'teachers'?" in body["errors"][0]["message"]
    assert "GET /v1/taxonomy" in body["errors"][1]["message"]
    assert answers(svc, rel.round_of(rel.pair["id"], svc)) == []


def test_a_member_key_answers_only_as_itself_and_only_on_its_relations(svc, rel):
    as_other = problem(send(svc, rel.pair["id"], "member", member=OTHER), 422)
    assert as_other["errors"][0]["field"] == "member"
    assert f"write '{MEMBER}'" in as_other["errors"][0]["message"]
    for hidden in (rel.not_mine["id"], rel.draft, 999999):
        problem(send(svc, hidden, "member"), 404)
    problem(send(svc, rel.draft, "admin"), 409)
    problem(send(svc, rel.pair["id"], "hub"), 403)


@pytest.mark.parametrize(
    "body",
    [
        {"continued": "yes"},
        {"themes_learned": "teachers"},
        {"member": "Not an id!"},
        {"usefulness": 6},
    ],
)
def test_the_new_fields_are_validated_at_the_edge(svc, rel, body):
    problem(send(svc, rel.pair["id"], "member", **body), 422)


def test_a_published_exchanges_rounds_partners_each_answer(svc):
    _, chosen = publish_round(svc, "exchanges", approve=1)
    exchange = chosen[0]
    assert exchange["kind"] == "exchange"
    partners = [m["member"] for m in exchange["members"]]
    for member in partners:
        sent = send(svc, exchange["id"], "admin", member=member, themes_learned=["mel"])
        assert sent.status_code == 201, sent.text
    listed = answers(svc, exchange["round_id"])
    assert sorted(a["member"] for a in listed) == sorted(partners)


def test_an_answer_on_a_theme_since_dropped_from_the_taxonomy_keeps_its_key(svc, rel):
    from service.store.models import Feedback

    sent = send(svc, rel.pair["id"], "member", themes_learned=["teachers"])
    assert sent.status_code == 201
    with Session(svc.app.state.engine) as session:  # as stored under an older taxonomy
        row = session.get(Feedback, sent.json()["id"])
        row.themes_learned = ["a_theme_since_dropped"]
        session.add(row)
        session.commit()
    listed = answers(svc, rel.pair["round_id"], lang="fr")
    assert [a["themes_learned_labels"] for a in listed] == [["a_theme_since_dropped"]]
    again = send(svc, rel.pair["id"], "member")  # re-sent without themes: they are kept
    assert again.status_code == 200, again.text
    assert again.json()["themes_learned_labels"] == ["a_theme_since_dropped"]
