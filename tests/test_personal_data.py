"""A member's personal data over HTTP: deleting a member erases it from what
the Hub sees, erases the feedback comments on its pairs and puts a pseudonym
in every record that stays (a scan of every text and JSON column proves it);
an admin exports everything stored about a member as one document."""

import json
import re

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from service.store.models import Round
from service.usecases.keys import create_key
from tests.api import NEW, json_import, problem

CONTACT = {"contact_name": "Wanjiru Forgetme", "contact_email": "wanjiru.forgetme@example.org"}


def _key(svc, name, member_id):
    with Session(svc.app.state.engine) as session:
        key = create_key(session, name=name, role="member", member_id=member_id)
        session.commit()
    return {"X-API-Key": key}


@pytest.fixture
def world(svc):
    """A published mentoring round with feedback and comments, a draft round,
    an exclusion, and the member to delete (``target``, with a key named
    after it) in all of them."""
    admin = svc.as_("admin")
    draft = svc.client.post("/v1/rounds", json={"kind": "mentoring", "seed": 1}, headers=admin)
    draft = draft.json()
    first, other = draft["proposals"][0], draft["proposals"][1]
    target, partner = first["mentee"], first["mentor"]
    name = svc.client.get(f"/v1/members/{target}", headers=admin).json()["name"]
    assert svc.client.patch(f"/v1/members/{target}", json=CONTACT, headers=admin).status_code == 200
    for p in draft["proposals"]:
        note = f"{name} ({target}) asked for this" if p["id"] == first["id"] else "fine"
        if p["id"] == other["id"]:
            note = f"better than with {target}"
        svc.client.post(
            f"/v1/rounds/{draft['id']}/proposals/{p['id']}/decision",
            json={"decision": "approve", "note": note},
            headers=admin,
        )
    assert (
        svc.client.post(
            f"/v1/rounds/{draft['id']}/publish", json={"undecided": "withdraw"}, headers=admin
        ).status_code
        == 200
    )
    third = next(
        m["id"]
        for m in svc.client.get("/v1/members", headers=admin).json()["members"]
        if m["id"] not in (target, partner)
    )
    response = json_import(
        svc, {"schema_version": 1, "members": [], "exclusions": [[target, third]]}
    )
    assert response.status_code == 200, response.text
    own = _key(svc, f"{target}-phone", target)
    theirs = _key(svc, "partner-key", partner)
    url = f"/v1/proposals/{first['id']}/feedback"
    for headers, comment in (
        (own, f"I am {CONTACT['contact_name']}, write to {CONTACT['contact_email']}"),
        (theirs, f"{name} was great"),
        (admin, "the secretariat's view"),
    ):
        body = {"met": True, "usefulness": 4, "comment": comment}
        assert svc.client.post(url, json=body, headers=headers).status_code == 201
    body = {"met": False, "usefulness": 2, "comment": f"kept, though {name} is named"}
    response = svc.client.post(f"/v1/proposals/{other['id']}/feedback", json=body, headers=admin)
    assert response.status_code == 201
    later = svc.client.post("/v1/rounds", json={"kind": "mentoring", "seed": 2}, headers=admin)
    return {
        "target": target,
        "name": name,
        "partner": partner,
        "round": draft["id"],
        "proposal": first["id"],
        "other_proposal": other["id"],
        "draft": later.json()["id"],
        "own_key": own,
    }


def _pairs(published):
    return {(p["mentor"], p["mentee"]) for p in published["pairs"]}


def _delete(svc, member_id):
    return svc.client.delete(f"/v1/members/{member_id}", headers=svc.as_("admin"))


def _pseudonym(svc):
    audit = svc.client.get("/v1/audit", headers=svc.as_("admin")).json()["records"]
    (record,) = [r for r in audit if r["action"] == "member.delete"]
    return record


def test_deletion_leaves_the_published_results_and_keeps_the_counts(svc, world):
    admin, hub = svc.as_("admin"), svc.as_("hub")
    target, partner = world["target"], world["partner"]
    pair = (partner, target)
    assert pair in _pairs(svc.client.get("/v1/published", headers=hub).json())
    mine = svc.client.get(f"/v1/members/{partner}/published", headers=hub).json()
    assert pair in _pairs(mine)
    before = svc.client.get(f"/v1/rounds/{world['round']}", headers=admin).json()
    published_before = len(svc.client.get("/v1/published", headers=hub).json()["pairs"])

    assert _delete(svc, target).status_code == 204

    after = svc.client.get(f"/v1/rounds/{world['round']}", headers=admin).json()
    assert (after["counts"], after["outcomes"]) == (before["counts"], before["outcomes"])
    shown = svc.client.get("/v1/published", headers=hub).json()
    assert len(shown["pairs"]) == published_before - 1
    assert all(target not in p for p in _pairs(shown))
    assert pair not in _pairs(
        svc.client.get(f"/v1/members/{partner}/published", headers=hub).json()
    )
    pseudonym = _pseudonym(svc)["object_id"]
    kept = next(p for p in after["proposals"] if p["id"] == world["proposal"])
    assert (kept["mentor"], kept["mentee"], kept["status"]) == (partner, pseudonym, "approved")
    assert kept["note"] == f"{pseudonym} ({pseudonym}) asked for this"


def test_deletion_erases_comments_and_pseudonymises_the_records(svc, world):
    admin = svc.as_("admin")
    target = world["target"]
    assert _delete(svc, target).status_code == 204
    record = _pseudonym(svc)
    pseudonym = record["object_id"]
    assert re.fullmatch(r"deleted-[0-9a-f]{8}", pseudonym)
    assert record["actor"] == "test-admin"
    assert record["detail"]["proposals_withdrawn"] >= 1
    assert record["detail"]["keys_revoked"] == 1

    data = svc.client.get(f"/v1/rounds/{world['round']}", headers=admin).json()
    assert data["outcomes"]["feedback"] == 4
    with Session(svc.app.state.engine) as session:
        rows = session.execute(sa.text("SELECT proposal_id, author, comment FROM feedback")).all()
    # Only the world's proposals: the demo's synthetic history has its own feedback.
    mine = (world["proposal"], world["other_proposal"])
    comments = {(p, a): c for p, a, c in rows if p in mine}
    assert comments == {
        (world["proposal"], f"{pseudonym}-key1"): "",
        (world["proposal"], "partner-key"): "",
        (world["proposal"], "test-admin"): "",
        (world["other_proposal"], "test-admin"): f"kept, though {pseudonym} is named",
    }
    other = next(p for p in data["proposals"] if p["id"] == world["other_proposal"])
    assert other["note"] == f"better than with {pseudonym}"
    audit = svc.client.get("/v1/audit?limit=1000", headers=admin).json()["records"]
    by_key = [r for r in audit if r["action"] == "feedback.create" and "key1" in r["actor"]]
    assert [r["actor"] for r in by_key] == [f"{pseudonym}-key1"]
    updates = [r for r in audit if r["action"] == "member.update"]
    assert [r["object_id"] for r in updates] == [pseudonym]

    draft = svc.client.get(f"/v1/rounds/{world['draft']}", headers=admin).json()
    withdrawn = [p for p in draft["proposals"] if pseudonym in {m["member"] for m in p["members"]}]
    assert withdrawn and {p["status"] for p in withdrawn} == {"withdrawn"}
    assert {p["note"] for p in withdrawn} == {f"member {pseudonym} was deleted"}
    assert svc.client.get("/v1/members", headers=world["own_key"]).status_code == 401


def _text_values(engine):
    """(table, column, text) of every text and JSON value in the database:
    every column of every table, so a column added later is scanned too."""
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for column in table.columns:
                for (value,) in connection.execute(sa.select(column)):
                    if isinstance(value, str):
                        yield table.name, column.name, value
                    elif isinstance(value, list | dict):
                        yield table.name, column.name, json.dumps(value, ensure_ascii=False)


def _traces(engine, words):
    """Where any of ``words`` occurs, in any case, even inside a longer word
    (no other demo id or name holds the target's)."""
    return sorted(
        {
            (table, column)
            for table, column, text in _text_values(engine)
            if any(w.lower() in text.lower() for w in words)
        }
    )


def test_no_column_holds_a_deleted_member(svc, world):
    engine = svc.app.state.engine
    target = world["target"]
    with Session(engine) as session:
        # A round that left it unmatched (the demo's rounds match it).
        session.add(
            Round(
                kind="mentoring",
                options={},
                taxonomy_version="1",
                input_sha256="0" * 64,
                summary={"unmatched": [{"member": target, "code": "capacity", "reason": "x"}]},
                created_by="test-admin",
            )
        )
        session.commit()
    words = [target, world["name"], *CONTACT.values()]
    found = _traces(engine, words)
    # The scan sees every kind of place the member is stored.
    assert {
        ("member", "id"),
        ("relation", "a"),
        ("proposal", "mentee"),
        ("proposal", "members"),
        ("proposal", "note"),
        ("round", "summary"),
        ("feedback", "comment"),
        ("feedback", "author"),
        ("feedback", "member_id"),
        ("apikey", "name"),
        ("apikey", "member_id"),
        ("auditrecord", "object_id"),
        ("auditrecord", "actor"),
    } <= set(found)
    assert _delete(svc, target).status_code == 204
    assert _traces(engine, words) == []


def test_deletion_is_all_or_nothing(svc, world, monkeypatch):
    from service.usecases import members

    admin = svc.as_("admin")
    export = svc.client.get(f"/v1/members/{world['target']}/data", headers=admin).json()

    def fail_at_the_end(session, *args, **kwargs):
        session.flush()  # every change sent to the database, not committed
        raise RuntimeError("the audit line could not be written")

    monkeypatch.setattr(members, "audit", fail_at_the_end)
    assert _delete(svc, world["target"]).status_code == 500
    again = svc.client.get(f"/v1/members/{world['target']}/data", headers=admin).json()
    assert again == export


def test_export_holds_everything_about_the_member_then_404(svc, world):
    admin = svc.as_("admin")
    target = world["target"]
    response = svc.client.get(f"/v1/members/{target}/data", headers=admin)
    assert response.status_code == 200
    doc = response.json()
    assert doc["member"]["id"] == target
    assert doc["member"]["contact_email"] == CONTACT["contact_email"]
    assert doc["exclusions"] and doc["history"] == [
        {"mentor": world["partner"], "mentee": target, "round": f"round-{world['round']}"}
    ]
    ids = {p["id"] for p in doc["proposals"]}
    assert world["proposal"] in ids and world["other_proposal"] not in ids
    statuses = {p["round"]["round_status"] for p in doc["proposals"]}
    # "archived": the demo's synthetic history may hold it too.
    assert statuses - {"archived"} == {"published", "draft"}
    assert [f["comment"] for f in doc["feedback_given"]] == [
        f"I am {CONTACT['contact_name']}, write to {CONTACT['contact_email']}"
    ]
    received = [f for f in doc["feedback_received"] if f["proposal_id"] == world["proposal"]]
    assert sorted(f["comment"] for f in received) == [
        f"{world['name']} was great",
        "the secretariat's view",
    ]
    assert all("author" not in f for f in doc["feedback_received"])
    assert [f["member"] for f in doc["feedback_given"]] == [world["target"]]
    assert sorted(f["member"] or "" for f in received) == ["", world["partner"]]
    assert [k["name"] for k in doc["api_keys"]] == [f"{target}-phone"]
    assert "key_hash" not in json.dumps(doc)
    actions = {r["action"] for r in doc["audit"]}
    assert {"member.update", "feedback.create"} <= actions
    assert doc["named_in"] == [
        {"proposal_id": world["other_proposal"], "note": f"better than with {target}"},
        {
            "feedback_id": doc["named_in"][1]["feedback_id"],
            "comment": f"kept, though {world['name']} is named",
        },
    ]
    assert "recommendations" in doc["not_stored"]

    _delete(svc, target)
    problem(svc.client.get(f"/v1/members/{target}/data", headers=admin), 404)


def test_the_pseudonym_prefix_is_not_a_member_id(svc):
    admin = svc.as_("admin")
    body = problem(
        svc.client.post("/v1/members", json={**NEW, "id": "deleted-0a1b2c3d"}, headers=admin), 422
    )
    assert "deleted members" in json.dumps(body)


def test_a_published_circle_is_shown_without_a_deleted_member(svc):
    admin, hub = svc.as_("admin"), svc.as_("hub")
    draft = svc.client.post("/v1/rounds", json={"kind": "circles", "seed": 1}, headers=admin)
    draft = draft.json()
    circle = draft["proposals"][0]
    svc.client.post(
        f"/v1/rounds/{draft['id']}/proposals/{circle['id']}/decision",
        json={"decision": "approve"},
        headers=admin,
    )
    assert (
        svc.client.post(
            f"/v1/rounds/{draft['id']}/publish", json={"undecided": "withdraw"}, headers=admin
        ).status_code
        == 200
    )
    gone, *staying = [m["member"] for m in circle["members"]]
    assert _delete(svc, gone).status_code == 204
    (shown,) = svc.client.get("/v1/published", headers=hub).json()["circles"]
    assert [m["member"] for m in shown["members"]] == staying
    assert all(m["name"] for m in shown["members"])
    stored = svc.client.get(f"/v1/rounds/{draft['id']}", headers=admin).json()["proposals"][0]
    assert stored["members"][0]["member"] == _pseudonym(svc)["object_id"]


def test_the_cli_prints_the_same_document(svc, world, monkeypatch):
    from typer.testing import CliRunner

    from service.cli import app as cli
    from service.config import get_settings

    url = svc.app.state.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("PEERMATCH_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        printed = runner.invoke(cli, ["member-data", world["target"]])
        missing = runner.invoke(cli, ["member-data", "zz-nobody"])
    finally:
        get_settings.cache_clear()
    assert printed.exit_code == 0, printed.output
    answer = svc.client.get(f"/v1/members/{world['target']}/data", headers=svc.as_("admin"))
    assert json.loads(printed.stdout) == answer.json()
    assert missing.exit_code == 2 and "zz-nobody" in missing.output
