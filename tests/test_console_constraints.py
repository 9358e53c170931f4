"""Locks and exclusions from the console over HTTP: listed with who, why and
when, added through the API's use case (problems next to the fields),
removed after a confirmation."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.store.models import Member, Relation, utcnow
from tests.console_env import post_form, sign_in

PAGE = "/console/constraints"


@pytest.fixture
def client(svc):
    with TestClient(svc.app, base_url="http://127.0.0.1") as c:
        sign_in(c, svc.keys["admin"])
        yield c


def stored(svc, kind: str) -> list[dict]:
    answer = svc.client.get(f"/v1/{kind}?limit=1000", headers=svc.as_("admin")).json()
    return answer["items"]


def pair_of_members(svc) -> tuple[str, str]:
    """A pair a round proposes and no lock holds yet: a lock that fits."""
    locked = {(x["mentor"], x["mentee"]) for x in stored(svc, "locks")}
    doc = svc.client.post(
        "/v1/rounds", json={"kind": "mentoring", "seed": 1}, headers=svc.as_("admin")
    )
    pairs = [(p["mentor"], p["mentee"]) for p in doc.json()["proposals"]]
    return next(pair for pair in pairs if pair not in locked)


def add(client, **data):
    kind = data.get("kind", "locked")
    return post_form(client, PAGE, {"note": "", **data}, page=f"{PAGE}?kind={kind}")


def test_a_lock_added_shows_who_why_and_when_and_reaches_the_api(svc, client):
    mentor, mentee = pair_of_members(svc)
    before = stored(svc, "locks")
    sent = add(client, kind="locked", a=mentor, b=mentee, note="agreed at the <AGM>")
    assert sent.status_code == 303, sent.text
    new = [x for x in stored(svc, "locks") if x not in before]
    assert [(x["mentor"], x["mentee"], x["created_by"], x["note"]) for x in new] == [
        (mentor, mentee, "test-admin", "agreed at the <AGM>")
    ]
    page = client.get(sent.headers["location"])
    assert "agreed at the &lt;AGM&gt;" in page.text and "test-admin" in page.text
    assert " UTC" in page.text  # when


def test_an_exclusion_is_added_and_removed_after_a_confirmation(svc, client):
    mentor, mentee = pair_of_members(svc)
    before = stored(svc, "exclusions")
    sent = add(client, kind="exclusion", a=mentee, b=mentor, note="conflict of interest")
    assert sent.status_code == 303
    new = [x for x in stored(svc, "exclusions") if x not in before]
    assert [(x["member_a"], x["member_b"]) for x in new] == [tuple(sorted((mentor, mentee)))]
    a, b = sorted((mentor, mentee))
    confirm = f"{PAGE}/remove?kind=exclusion&a={a}&b={b}"
    assert client.get(confirm).status_code == 200
    # Opening the confirmation removes nothing.
    assert len(stored(svc, "exclusions")) == len(before) + 1
    removed = post_form(
        client, f"{PAGE}/remove", {"kind": "exclusion", "a": a, "b": b}, page=confirm
    )
    assert removed.status_code == 303
    assert stored(svc, "exclusions") == before
    audit = svc.client.get("/v1/audit", headers=svc.as_("admin")).json()["items"]
    assert [r["action"] for r in audit[:2]] == ["exclusion.delete", "exclusion.create"]


@pytest.mark.parametrize(
    ("a", "b", "field", "words"),
    [
        ("", "sn-coalition", "a", "Write a member id"),
        ("no-such-member", "sn-coalition", "a", "No member has this id"),
        ("sn-coalition", "sn-coalition", "b", "Choose two different members"),
        ("sn-coalition", "bad id!", "b", "Write a member id"),
    ],
)
def test_bad_input_comes_back_with_the_problem_next_to_its_field(svc, client, a, b, field, words):
    before = stored(svc, "locks")
    answer = add(client, kind="locked", a=a, b=b, note="why")
    assert answer.status_code == 422
    assert f'id="e-{field}"' in answer.text and words in answer.text
    assert 'value="why"' in answer.text  # what was typed is kept
    assert stored(svc, "locks") == before


def test_a_pair_stored_twice_is_refused_and_says_so(svc, client):
    mentor, mentee = pair_of_members(svc)
    assert add(client, kind="locked", a=mentor, b=mentee).status_code == 303
    before = stored(svc, "locks")
    again = add(client, kind="locked", a=mentor, b=mentee)
    assert again.status_code == 409
    assert "Nothing was stored" in again.text
    assert stored(svc, "locks") == before


def test_the_list_is_paged(svc, client):
    already = {(x["member_a"], x["member_b"]) for x in stored(svc, "exclusions")}
    with Session(svc.app.state.engine) as session:
        ids = sorted(session.exec(select(Member.id)).all())
        pairs = [(x, y) for x in ids for y in ids if x < y and (x, y) not in already]
        for x, y in pairs[: 60 - len(already)]:
            session.add(Relation(kind="exclusion", a=x, b=y, note="n", created_at=utcnow()))
        session.commit()
    first = client.get(f"{PAGE}?kind=exclusion")
    assert "Exclusions: 60" in first.text and 'rel="next"' in first.text
    second = client.get(f"{PAGE}?kind=exclusion&page=2")
    assert second.text.count("/console/constraints/remove?") == 10


def test_an_unknown_kind_in_the_address_shows_the_locks(client):
    page = client.get(f"{PAGE}?kind=bogus")
    assert page.status_code == 200 and "Add the lock" in page.text
