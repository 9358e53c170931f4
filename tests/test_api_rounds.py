"""Rounds over HTTP: draft → decisions → re-run → publish, the published
view, feedback and the audit trail; the same pairs as the CLI."""

import json

import pytest
from typer.testing import CliRunner

from service.cli import app as cli
from tests.api import problem
from tests.service_env import MEMBER


def create(svc, **options):
    response = svc.client.post(
        "/v1/rounds", json={"kind": "mentoring", **options}, headers=svc.as_("admin")
    )
    assert response.status_code == 201, response.text
    return response.json()


def decide(svc, round_id, proposal_id, decision, note=""):
    return svc.client.post(
        f"/v1/rounds/{round_id}/proposals/{proposal_id}/decision",
        json={"decision": decision, "note": note},
        headers=svc.as_("admin"),
    )


def pairs_of(round_doc, statuses=("proposed", "approved")):
    return sorted(
        (p["mentor"], p["mentee"]) for p in round_doc["proposals"] if p["status"] in statuses
    )


def test_a_round_is_the_cli_round(svc):
    draft = create(svc, seed=3)
    assert draft["status"] == "draft" and draft["revision"] == 1
    out = CliRunner().invoke(cli, ["match", "--demo", "--seed", "3", "--format", "json"])
    doc = json.loads(out.stdout)
    assert pairs_of(draft) == sorted((p["mentor"], p["mentee"]) for p in doc["pairs"])
    assert draft["summary"]["total_score"] == doc["summary"]["total_score"]
    assert draft["input_sha256"] == doc["summary"]["input_sha256"]
    assert draft["summary"]["optimal"] is True
    assert all(p["reasons"] for p in draft["proposals"])
    again = create(svc, seed=3)
    assert pairs_of(again) == pairs_of(draft) and again["id"] != draft["id"]


def test_review_rerun_publish(svc):
    draft = create(svc, seed=1)
    rid = draft["id"]
    first, second, third = draft["proposals"][:3]
    assert decide(svc, rid, first["id"], "approve").json()["status"] == "approved"
    assert decide(svc, rid, second["id"], "pin", "agreed at the meeting").status_code == 200
    assert decide(svc, rid, third["id"], "decline").json()["status"] == "declined"
    rerun = svc.client.post(f"/v1/rounds/{rid}/rerun", headers=svc.as_("admin"))
    assert rerun.status_code == 200, rerun.text
    doc = rerun.json()
    assert doc["revision"] == 5  # three decisions and a re-run
    live = pairs_of(doc)
    assert (first["mentor"], first["mentee"]) in live
    assert (second["mentor"], second["mentee"]) in live
    assert (third["mentor"], third["mentee"]) not in live
    # Running it again with nothing new decided proposes the same pairs.
    rerun2 = svc.client.post(f"/v1/rounds/{rid}/rerun", headers=svc.as_("admin")).json()
    assert pairs_of(rerun2) == live
    current = [p for p in rerun2["proposals"] if p["status"] == "proposed"]
    decide(svc, rid, current[0]["id"], "approve")
    published = svc.client.post(
        f"/v1/rounds/{rid}/publish", json={"undecided": "withdraw"}, headers=svc.as_("admin")
    )
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    assert published.json()["counts"]["approved"] == 3  # "pin" is "approve"
    assert (
        svc.client.post(
            f"/v1/rounds/{rid}/publish", json={"undecided": "withdraw"}, headers=svc.as_("admin")
        ).status_code
        == 409
    )
    assert decide(svc, rid, first["id"], "decline").status_code == 409
    shown = svc.client.get("/v1/published", headers=svc.as_("hub")).json()
    assert len(shown["pairs"]) == 3
    assert {(p["mentor"], p["mentee"]) for p in shown["pairs"]} >= {
        (first["mentor"], first["mentee"])
    }


def test_approvals_beyond_capacity_conflict(svc):
    draft = create(svc, seed=1)
    rid = draft["id"]
    by_mentor = {}
    for p in draft["proposals"]:
        by_mentor.setdefault(p["mentor"], []).append(p)
    mentor, proposals = next((m, ps) for m, ps in sorted(by_mentor.items()) if len(ps) >= 2)
    svc.client.patch(f"/v1/members/{mentor}", json={"mentor_capacity": 1}, headers=svc.as_("admin"))
    assert decide(svc, rid, proposals[0]["id"], "approve").status_code == 200
    body = decide(svc, rid, proposals[1]["id"], "approve")
    assert body.status_code == 409
    assert "mentor_capacity" in body.json()["detail"]


def test_published_partners_and_feedback(svc):
    draft = create(svc, seed=1)
    rid = draft["id"]
    mine = [p for p in draft["proposals"] if MEMBER in (p["mentor"], p["mentee"])]
    other = next(p for p in draft["proposals"] if MEMBER not in (p["mentor"], p["mentee"]))
    for p in [*mine, other]:
        assert decide(svc, rid, p["id"], "approve").status_code == 200
    svc.client.post(
        f"/v1/rounds/{rid}/publish", json={"undecided": "withdraw"}, headers=svc.as_("admin")
    )
    me = svc.as_("member")
    own = svc.client.get(f"/v1/members/{MEMBER}/published", headers=me).json()
    assert len(own["pairs"]) == len(mine)
    assert svc.client.get("/v1/published", headers=me).status_code == 403
    feedback = {"met": True, "usefulness": 4, "comment": "good"}
    if mine:
        ok = svc.client.post(f"/v1/proposals/{mine[0]['id']}/feedback", json=feedback, headers=me)
        assert ok.status_code == 201, ok.text
    not_mine = svc.client.post(f"/v1/proposals/{other['id']}/feedback", json=feedback, headers=me)
    assert not_mine.status_code == 404
    bad = svc.client.post(
        f"/v1/proposals/{other['id']}/feedback",
        json={**feedback, "usefulness": 9},
        headers=svc.as_("admin"),
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "usefulness"
    svc.client.post(
        f"/v1/proposals/{other['id']}/feedback",
        json={**feedback, "met": False, "usefulness": 2},
        headers=svc.as_("admin"),
    )
    outcomes = svc.client.get(f"/v1/rounds/{rid}", headers=svc.as_("admin")).json()["outcomes"]
    assert outcomes["feedback"] == len(mine[:1]) + 1
    assert outcomes["met"] == len(mine[:1])


def test_publishing_adds_history_so_the_next_round_prefers_new_pairs(svc):
    draft = create(svc, seed=1)
    first = draft["proposals"][0]
    decide(svc, draft["id"], first["id"], "approve")
    svc.client.post(
        f"/v1/rounds/{draft['id']}/publish",
        json={"undecided": "withdraw"},
        headers=svc.as_("admin"),
    )
    export = svc.client.get("/v1/members/export", headers=svc.as_("admin")).json()
    assert {
        "mentor": first["mentor"],
        "mentee": first["mentee"],
        "round": f"round-{draft['id']}",
    } in export["history"]
    later = create(svc, seed=1)
    assert later["input_sha256"] != draft["input_sha256"]


def test_circles_round(svc):
    response = svc.client.post(
        "/v1/rounds",
        json={"kind": "circles", "themes": ["digital_advocacy", "budget_tracking"], "seed": 2},
        headers=svc.as_("admin"),
    )
    assert response.status_code == 201, response.text
    doc = response.json()
    circles = doc["proposals"]
    assert circles and all(p["kind"] == "circle" for p in circles)
    assert all(4 <= len(p["members"]) <= 8 for p in circles)
    decide(svc, doc["id"], circles[0]["id"], "approve")
    decide(svc, doc["id"], circles[1]["id"], "decline")
    rerun = svc.client.post(f"/v1/rounds/{doc['id']}/rerun", headers=svc.as_("admin")).json()
    declined = {m["member"] for m in circles[1]["members"]}
    fresh = [p for p in rerun["proposals"] if p["status"] == "proposed"]
    assert all(
        not (p["theme"] == circles[1]["theme"] and {m["member"] for m in p["members"]} == declined)
        for p in fresh
    )
    bad = svc.client.post(
        "/v1/rounds",
        json={"kind": "circles", "themes": ["budget_trackin"]},
        headers=svc.as_("admin"),
    )
    assert bad.status_code == 422 and "budget_tracking" in bad.text


def _rounds(svc) -> list[dict]:
    return svc.client.get("/v1/rounds", headers=svc.as_("admin")).json()["rounds"]


def test_bad_round_options(svc):
    admin = svc.as_("admin")
    # The demo's synthetic history is there from the start (archived rounds).
    before = _rounds(svc)
    for body in (
        {"kind": "matching"},
        {"kind": "mentoring", "objective": "best"},
        {"kind": "mentoring", "seed": -1},
        {"kind": "mentoring", "surprise": 1},
        {"kind": "circles", "size": [5, 3]},
        # Strict like a member update: no conversion of near misses.
        {"kind": "mentoring", "seed": True},
        {"kind": "mentoring", "seed": "7"},
        {"kind": "mentoring", "seed": 7.0},
        {"kind": "mentoring", "coverage_first": "false"},
        {"kind": "mentoring", "coverage_first": 0},
        {"kind": "mentoring", "south_south_bonus": "0.2"},
        {"kind": "circles", "size": ["4", "8"]},
        {"kind": "circles", "max_per_member": 2.0},
        {"kind": "circles", "themes": [1]},
    ):
        response = svc.client.post("/v1/rounds", json=body, headers=admin)
        assert response.status_code == 422, (body, response.text)
    assert _rounds(svc) == before  # no round was created
    # A whole number is still a fine bonus.
    assert create(svc, seed=7, south_south_bonus=1)["options"]["south_south_bonus"] == 1
    assert svc.client.get("/v1/rounds/999", headers=admin).status_code == 404
    assert decide(svc, 999, 1, "approve").status_code == 404


def test_every_write_is_audited_without_secrets(svc):
    admin = svc.as_("admin")
    before = svc.client.get("/v1/audit", headers=admin).json()["total"]
    draft = create(svc, seed=1)
    decide(svc, draft["id"], draft["proposals"][0]["id"], "approve")
    svc.client.patch(f"/v1/members/{MEMBER}", json={"description": "x"}, headers=svc.as_("member"))
    records = svc.client.get("/v1/audit", headers=admin).json()
    assert records["total"] == before + 3
    actions = [(r["actor"], r["action"]) for r in records["records"][:3]]
    assert actions == [
        ("test-member", "member.update"),
        ("test-admin", "proposal.approve"),
        ("test-admin", "round.create"),
    ]
    text = json.dumps(records)
    assert all(key not in text for key in svc.keys.values())


def test_rerun_names_the_approved_pair_that_no_longer_fits(svc):
    draft = create(svc, seed=1)
    rid = draft["id"]
    approved = draft["proposals"][0]
    assert decide(svc, rid, approved["id"], "approve").status_code == 200
    mentor = approved["mentor"]
    changed = svc.client.patch(
        f"/v1/members/{mentor}", json={"mentor_capacity": 0}, headers=svc.as_("admin")
    )
    assert changed.status_code == 200, changed.text
    rerun = svc.client.post(f"/v1/rounds/{rid}/rerun", headers=svc.as_("admin"))
    assert rerun.status_code == 409, rerun.text
    (error,) = rerun.json()["errors"]
    assert error["where"].startswith(f"proposal {approved['id']} ({mentor} mentors")
    assert f"Decline proposal {approved['id']}" in error["message"]
    assert "Remove the lock" not in error["message"]


def test_publish_refuses_an_approved_pair_the_profiles_no_longer_allow(svc):
    draft = create(svc, seed=1)
    rid = draft["id"]
    approved = draft["proposals"][0]
    assert decide(svc, rid, approved["id"], "approve").status_code == 200
    admin = svc.as_("admin")
    patch = {"mentor_capacity": 0}
    changed = svc.client.patch(f"/v1/members/{approved['mentor']}", json=patch, headers=admin)
    assert changed.status_code == 200, changed.text
    refused = svc.client.post(
        f"/v1/rounds/{rid}/publish", json={"undecided": "withdraw"}, headers=admin
    )
    assert refused.status_code == 409, refused.text
    assert f"Decline proposal {approved['id']}" in refused.text
    assert svc.client.get(f"/v1/rounds/{rid}", headers=admin).json()["status"] == "draft"
    assert decide(svc, rid, approved["id"], "decline").status_code == 200
    other = next(p for p in draft["proposals"] if p["mentor"] != approved["mentor"])
    assert decide(svc, rid, other["id"], "approve").status_code == 200
    assert (
        svc.client.post(
            f"/v1/rounds/{rid}/publish", json={"undecided": "withdraw"}, headers=admin
        ).status_code
        == 200
    )


def test_feedback_reveals_no_draft_and_is_one_per_author(svc):
    admin = svc.as_("admin")
    draft = svc.client.post("/v1/rounds", json={"kind": "mentoring", "seed": 1}, headers=admin)
    mine = next(p for p in draft.json()["proposals"] if MEMBER in (p["mentor"], p["mentee"]))
    feedback = {"met": True, "usefulness": 5}
    url = f"/v1/proposals/{mine['id']}/feedback"
    assert svc.client.post(url, json=feedback, headers=svc.as_("member")).status_code == 404
    rid = draft.json()["id"]
    svc.client.post(
        f"/v1/rounds/{rid}/proposals/{mine['id']}/decision",
        json={"decision": "approve"},
        headers=admin,
    )
    svc.client.post(f"/v1/rounds/{rid}/publish", json={"undecided": "withdraw"}, headers=admin)
    first = svc.client.post(url, json=feedback, headers=svc.as_("member"))
    again = svc.client.post(url, json={**feedback, "usefulness": 2}, headers=svc.as_("member"))
    assert (first.status_code, again.status_code) == (201, 200)
    outcomes = svc.client.get(f"/v1/rounds/{rid}", headers=admin).json()["outcomes"]
    assert outcomes == {"feedback": 1, "met": 1, "mean_usefulness": 2.0}


def test_circles_rerun_keeps_every_circle_that_fits(svc):
    admin = svc.as_("admin")
    doc = svc.client.post("/v1/rounds", json={"kind": "circles", "seed": 1}, headers=admin).json()
    circles = doc["proposals"]
    svc.client.post(
        f"/v1/rounds/{doc['id']}/proposals/{circles[0]['id']}/decision",
        json={"decision": "decline"},
        headers=admin,
    )
    rerun = svc.client.post(f"/v1/rounds/{doc['id']}/rerun", headers=admin).json()
    fresh = [p for p in rerun["proposals"] if p["status"] == "proposed"]
    assert len(fresh) >= len(circles) - 1
    assert rerun["summary"]["circles"] == len(fresh)


def test_a_mentoring_round_of_an_empty_network(svc):
    admin = svc.as_("admin")
    ids = [m["id"] for m in svc.client.get("/v1/members/export", headers=admin).json()["members"]]
    for member_id in ids:
        assert svc.client.delete(f"/v1/members/{member_id}", headers=admin).status_code == 204
    response = svc.client.post("/v1/rounds", json={"kind": "mentoring", "seed": 1}, headers=admin)
    assert response.status_code == 201, response.text
    assert response.json()["summary"]["pairs"] == 0


@pytest.mark.parametrize("value", ["NaN", "Infinity"])
def test_a_bonus_that_is_not_a_number_says_so(svc, value):
    body = b'{"kind": "mentoring", "south_south_bonus": ' + value.encode() + b"}"
    response = svc.client.post(
        "/v1/rounds", content=body, headers={**svc.as_("admin"), "content-type": "application/json"}
    )
    assert "finite number" in json.dumps(problem(response, 422)["errors"])


def test_an_option_of_the_other_round_kind_is_refused(svc):
    admin = svc.as_("admin")
    before = _rounds(svc)  # the demo's archived synthetic history
    for body, field in (
        ({"kind": "mentoring", "size": [4, 6]}, "size"),
        ({"kind": "circles", "south_south_bonus": 0.3}, "south_south_bonus"),
    ):
        errors = problem(svc.client.post("/v1/rounds", json=body, headers=admin), 422)["errors"]
        assert [e["field"] for e in errors] == [field]
    assert _rounds(svc) == before  # no round was created
    full_form = {"kind": "circles", "objective": "welfare", "south_south_bonus": 0.15, "seed": 1}
    assert svc.client.post("/v1/rounds", json=full_form, headers=admin).status_code == 201
