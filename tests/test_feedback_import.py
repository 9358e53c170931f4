"""Feedback collected offline, imported as CSV over HTTP: all or nothing,
every problem at once with its line, column, value and fix; the example
of docs/feedback.md imports as it is."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from service.store.models import AuditRecord, Feedback
from tests.api import problem
from tests.feedback_env import OTHER, relations
from tests.service_env import MEMBER

EXAMPLE = Path(__file__).parents[1] / "docs" / "feedback-example.csv"
HEADER = "relation,member,met,usefulness,themes_learned,continued,comment\n"


@pytest.fixture
def rel(svc):
    return relations(svc)


def send(svc, text: str | bytes, role="admin", content_type="text/csv"):
    data = text.encode() if isinstance(text, str) else text
    headers = {**svc.as_(role), "content-type": content_type}
    return svc.client.post("/v1/feedback/import", content=data, headers=headers)


def stored(svc):
    with Session(svc.app.state.engine) as session:
        rows = session.exec(select(Feedback).order_by(Feedback.id)).all()
        return [
            (f.proposal_id, f.member_id, f.met, f.usefulness, f.themes_learned, f.continued)
            for f in rows
        ]


def test_the_documented_example_imports_then_changes_nothing(svc, rel):
    # The example's relations are those feedback_env publishes on the demo.
    assert (rel.pair["id"], rel.circle["id"], rel.exchange, rel.not_mine["id"]) == (
        66,
        151,
        312,
        1,
    )
    data = EXAMPLE.read_bytes()
    first = send(svc, b"\xef\xbb\xbf" + data)  # as a spreadsheet saves it
    assert first.status_code == 200, first.text
    assert first.json() == {"answers": 6, "created": 6, "updated": 0, "unchanged": 0}
    partner = rel.pair["mentor"]
    assert stored(svc) == [
        (66, MEMBER, True, 4, ["human_rights_mechanisms"], True),
        (66, partner, True, 5, ["human_rights_mechanisms", "mel"], False),
        (151, MEMBER, False, 2, [], None),
        (151, "id-coalition", True, 4, ["mel"], True),
        (1, None, True, 3, [], None),
        (312, OTHER, True, 5, ["teachers", "tax_justice"], True),
    ]
    again = send(svc, data)
    assert again.json() == {"answers": 6, "created": 0, "updated": 0, "unchanged": 6}
    with Session(svc.app.state.engine) as session:
        actions = session.exec(
            select(AuditRecord.action).where(AuditRecord.action == "feedback.import")
        ).all()
    assert len(actions) == 2


def test_a_line_replaces_only_the_importers_answer_for_that_side(svc, rel):
    pair = rel.pair["id"]
    member_answer = {"met": True, "usefulness": 2, "themes_learned": ["teachers"]}
    url = f"/v1/proposals/{pair}/feedback"
    assert svc.client.post(url, json=member_answer, headers=svc.as_("member")).status_code == 201
    assert send(svc, HEADER + f"{pair},{MEMBER},yes,3,,,\n").json()["created"] == 1
    changed = send(svc, HEADER + f"{pair},{MEMBER},no,5,mel,no,later\n").json()
    assert (changed["created"], changed["updated"]) == (0, 1)
    answers = svc.client.get(
        f"/v1/rounds/{rel.pair['round_id']}/feedback", headers=svc.as_("admin")
    ).json()["items"]
    assert sorted((a["author"], a["usefulness"], a["themes_learned"]) for a in answers) == [
        ("test-admin", 5, ["mel"]),
        ("test-member", 2, ["teachers"]),
    ]
    edited = next(a for a in answers if a["author"] == "test-admin")
    assert edited["updated_at"] is not None and edited["comment"] == "later"


def test_every_problem_is_listed_at_once_and_nothing_is_written(svc, rel):
    pair, circle, draft = rel.pair["id"], rel.circle["id"], rel.draft
    lines = [
        f"{pair},{MEMBER},yes,4,teachers,yes,fine",  # 2: good
        "999999,ke-coalition,yes,4,,,",  # 3: unknown relation
        f"{draft},,yes,4,,,",  # 4: not published
        f"{pair},{OTHER},maybe,6,teacher,perhaps,",  # 5: four bad cells
        f"{circle},,yes,3,,,",  # 6: a circle needs its member
        f"{pair},{MEMBER},no,2,,,",  # 7: the same as line 2
        "x,,yes,1,,,",  # 8: not an id
        f"{pair},{MEMBER},yes",  # 9: too few cells
    ]
    body = problem(send(svc, HEADER + "\n".join(lines) + "\n"), 422)
    assert body["detail"] == "11 problems in the CSV; nothing was written"
    found = [(e["line"], e.get("column"), e["field"], e.get("value")) for e in body["errors"]]
    assert found == [
        (3, 1, "relation", "999999"),
        (4, 1, "relation", str(draft)),
        (5, 2, "member", OTHER),
        (5, 3, "met", "maybe"),
        (5, 4, "usefulness", "6"),
        (5, 5, "themes_learned", "teacher"),
        (5, 6, "continued", "perhaps"),
        (6, 2, "member", None),
        (7, 1, "relation", str(pair)),
        (8, 1, "relation", "x"),
        (9, None, "", None),
    ]
    messages = {(e["line"], e["field"]): e["message"] for e in body["errors"]}
    assert "did you mean 'teachers'?" in messages[(5, "themes_learned")]
    assert "only the relations of published and archived rounds" in messages[(4, "relation")]
    assert "already on line 2" in messages[(7, "relation")]
    assert "name the circle member" in messages[(6, "member")]
    assert "3 cells for 7 columns" in messages[(9, "")]
    assert stored(svc) == []


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (b"", "empty file"),
        (b"relation,met\n1,yes\n", "missing column 'member'"),
        (HEADER.replace("comment", "remark") + "66,,yes,4,,,x\n", "unknown column 'remark'"),
        (HEADER.encode() + b"66,\xff,yes,4,,,\n", "not UTF-8"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(svc, rel, text, says):
    body = problem(send(svc, text), 422)
    assert any(says in e["message"] for e in body["errors"]), body


def test_a_header_alone_imports_nothing(svc, rel):
    assert send(svc, HEADER).json() == {"answers": 0, "created": 0, "updated": 0, "unchanged": 0}


def test_only_admins_import_and_only_csv(svc, rel):
    problem(send(svc, EXAMPLE.read_bytes(), role="member"), 403)
    problem(send(svc, EXAMPLE.read_bytes(), role="hub"), 403)
    problem(send(svc, EXAMPLE.read_bytes(), content_type="application/json"), 415)
    assert stored(svc) == []
