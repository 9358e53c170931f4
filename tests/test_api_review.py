"""Reviewing a round over HTTP: stable proposal ids across re-runs,
decisions that reach later rounds (never again, lock), locks and exclusions
added directly, publishing that never drops undecided proposals silently,
bulk decisions and decisions made on a stale view."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from service.usecases.keys import create_key
from tests.api import problem
from tests.service_env import MEMBER

OTHER = "af-coalition"


def create(svc, seed=1, kind="mentoring"):
    response = svc.client.post("/v1/rounds", json={"kind": kind, "seed": seed}, headers=_admin(svc))
    assert response.status_code == 201, response.text
    return response.json()


def _admin(svc):
    return svc.as_("admin")


def decide(svc, rid, pid, headers=None, **body):
    return svc.client.post(
        f"/v1/rounds/{rid}/proposals/{pid}/decision", json=body, headers=headers or _admin(svc)
    )


def rerun(svc, rid):
    response = svc.client.post(f"/v1/rounds/{rid}/rerun", headers=_admin(svc))
    assert response.status_code == 200, response.text
    return response.json()


def pair(p):
    return (p["mentor"], p["mentee"])


def current(doc, statuses=("proposed", "approved")):
    return [p for p in doc["proposals"] if p["status"] in statuses]


def publish(svc, rid, **body):
    return svc.client.post(f"/v1/rounds/{rid}/publish", json=body or None, headers=_admin(svc))


def preview(svc, rid, **params):
    response = svc.client.get(
        f"/v1/rounds/{rid}/publish-preview", params=params, headers=_admin(svc)
    )
    assert response.status_code == 200, response.text
    return response.json()


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(choices=st.lists(st.sampled_from(["approve", "decline", None]), min_size=4, max_size=12))
def test_a_pair_proposed_again_keeps_its_id(svc, choices):
    draft = create(svc, seed=len(choices))
    rid = draft["id"]
    for p, choice in zip(draft["proposals"], choices, strict=False):
        if choice:
            decide(svc, rid, p["id"], decision=choice)
    before = {pair(p): p["id"] for p in draft["proposals"]}
    for _ in range(2):
        doc = rerun(svc, rid)
        live = current(doc)
        assert len({pair(p) for p in live}) == len(live)
        for p in live:
            if pair(p) in before:
                assert p["id"] == before[pair(p)], pair(p)
        before |= {pair(p): p["id"] for p in live}


def test_a_circle_proposed_again_keeps_its_id(svc):
    draft = create(svc, seed=2, kind="circles")
    rid = draft["id"]
    key = lambda p: (p["theme"], p["language"], frozenset(m["member"] for m in p["members"]))  # noqa: E731
    before = {key(p): p["id"] for p in draft["proposals"]}
    decide(svc, rid, draft["proposals"][0]["id"], decision="decline")
    again = [p for p in current(rerun(svc, rid)) if key(p) in before]
    assert again and all(p["id"] == before[key(p)] for p in again)


def test_never_again_needs_a_note_and_reaches_the_next_round(svc):
    draft = create(svc)
    rid, first = draft["id"], draft["proposals"][0]
    refused = problem(decide(svc, rid, first["id"], decision="decline", never_again=True), 422)
    assert "note" in str(refused["errors"])
    refused = problem(decide(svc, rid, first["id"], decision="approve", never_again=True), 422)
    answer = decide(
        svc, rid, first["id"], decision="decline", never_again=True, note="already works with them"
    )
    assert answer.status_code == 200 and answer.json()["status"] == "declined"
    listed = svc.client.get("/v1/exclusions", headers=_admin(svc)).json()
    (stored,) = [x for x in listed["items"] if {x["member_a"], x["member_b"]} == set(pair(first))]
    assert stored["created_by"] == "test-admin" and stored["note"] == "already works with them"
    assert stored["round_id"] == rid and stored["created_at"]
    assert pair(first) not in {pair(p) for p in create(svc)["proposals"]}
    assert pair(first) not in {pair(p) for p in current(rerun(svc, rid))}


def test_a_lock_for_later_rounds_is_carried_into_the_next_round(svc):
    draft = create(svc, seed=4)
    rid = draft["id"]
    # The last pair of the round: likely not the best pair of the next one.
    chosen = draft["proposals"][-1]
    answer = decide(svc, rid, chosen["id"], decision="approve", lock=True, note="board asked")
    assert answer.status_code == 200 and answer.json()["status"] == "approved"
    locks = svc.client.get("/v1/locks", headers=_admin(svc)).json()["items"]
    (lock,) = [x for x in locks if pair(x) == pair(chosen)]
    assert lock["created_by"] == "test-admin" and lock["round_id"] == rid
    for seed in (1, 2, 3):
        assert pair(chosen) in {pair(p) for p in create(svc, seed=seed)["proposals"]}
    # Declining a locked pair would make the round's re-run contradict itself.
    refused = problem(decide(svc, rid, chosen["id"], decision="decline"), 409)
    assert f"DELETE /v1/locks/{chosen['mentor']}/{chosen['mentee']}" in refused["detail"]
    gone = svc.client.delete(
        f"/v1/locks/{chosen['mentor']}/{chosen['mentee']}", headers=_admin(svc)
    )
    assert gone.status_code == 204
    assert decide(svc, rid, chosen["id"], decision="decline").status_code == 200
    assert pair(chosen) not in {pair(p) for p in current(rerun(svc, rid))}


def test_pin_is_a_deprecated_alias_of_approve(svc):
    draft = create(svc)
    answer = decide(svc, draft["id"], draft["proposals"][0]["id"], decision="pin")
    assert answer.json()["status"] == "approved"
    schema = svc.app.openapi()["components"]["schemas"]["DecisionIn"]
    assert "deprecated alias" in schema["properties"]["decision"]["description"]


def test_publish_refuses_undecided_proposals_until_told_what_to_do(svc):
    draft = create(svc)
    rid = draft["id"]
    first, *rest = draft["proposals"]
    decide(svc, rid, first["id"], decision="approve")
    refused = problem(publish(svc, rid), 409)
    assert refused["type"].endswith("/problems/undecided-proposals")
    assert [e["proposal_id"] for e in refused["errors"]] == [p["id"] for p in rest]
    assert [e["members"] for e in refused["errors"]] == [list(pair(p)) for p in rest]
    assert svc.client.get(f"/v1/rounds/{rid}", headers=_admin(svc)).json()["status"] == "draft"
    shown = preview(svc, rid)
    assert shown["choice_needed"] and len(shown["undecided"]) == len(rest)
    planned = preview(svc, rid, undecided="withdraw")
    assert not planned["choice_needed"]
    done = publish(svc, rid, undecided="withdraw")
    assert done.status_code == 200, done.text
    statuses = {p["id"]: p["status"] for p in done.json()["proposals"]}
    assert [p["id"] for p in planned["published"]] == [
        i for i, s in statuses.items() if s == "approved"
    ]
    assert [p["id"] for p in planned["withdrawn"]] == [
        i for i, s in statuses.items() if s == "withdrawn"
    ]


def test_publish_approving_the_undecided_publishes_what_the_preview_says(svc):
    draft = create(svc, seed=2)
    rid = draft["id"]
    decide(svc, rid, draft["proposals"][0]["id"], decision="decline")
    planned = preview(svc, rid, undecided="approve")
    assert planned["withdrawn"] == []
    assert publish(svc, rid, undecided="approve").status_code == 200
    shown = svc.client.get("/v1/published", headers=svc.as_("hub")).json()["items"]
    assert [x["proposal_id"] for x in shown] == [p["id"] for p in planned["published"]]
    assert len(shown) == len(draft["proposals"]) - 1


def test_bulk_decisions_are_all_or_nothing(svc):
    draft = create(svc)
    rid = draft["id"]
    a, b, c = draft["proposals"][:3]
    excluded = svc.client.get("/v1/exclusions", headers=_admin(svc)).json()["total"]
    url = f"/v1/rounds/{rid}/decisions"
    bad = [
        {"proposal_id": a["id"], "decision": "approve"},
        {"proposal_id": 999_999, "decision": "approve"},
        {"proposal_id": b["id"], "decision": "decline"},
        {"proposal_id": c["id"], "decision": "decline", "never_again": True, "note": "no"},
        {"proposal_id": 999_998, "decision": "decline"},
    ]
    refused = problem(svc.client.post(url, json={"decisions": bad}, headers=_admin(svc)), 409)
    assert [e["field"] for e in refused["errors"]] == ["decisions.1", "decisions.4"]
    after = svc.client.get(f"/v1/rounds/{rid}", headers=_admin(svc)).json()
    assert after["revision"] == draft["revision"]
    assert {p["status"] for p in after["proposals"]} == {"proposed"}
    assert svc.client.get("/v1/exclusions", headers=_admin(svc)).json()["total"] == excluded
    good = svc.client.post(url, json={"decisions": bad[:1] + bad[2:4]}, headers=_admin(svc))
    assert good.status_code == 200, good.text
    assert [p["status"] for p in good.json()] == ["approved", "declined", "declined"]
    assert svc.client.get("/v1/exclusions", headers=_admin(svc)).json()["total"] == excluded + 1


def test_a_decision_on_a_stale_view_is_refused_with_what_changed(svc):
    with Session(svc.app.state.engine) as session:
        other = {"X-API-Key": create_key(session, name="officer-b", role="admin", member_id=None)}
        session.commit()
    draft = create(svc)
    rid, seen = draft["id"], draft["revision"]
    a, b = draft["proposals"][:2]
    tag = {"If-Match": f'"{seen}"'}
    assert decide(svc, rid, a["id"], {**other, **tag}, decision="approve").status_code == 200
    stale = problem(decide(svc, rid, b["id"], {**_admin(svc), **tag}, decision="decline"), 409)
    assert stale["type"].endswith("/problems/stale-revision")
    assert f"proposals {a['id']}" in stale["detail"]
    assert [(e["object_id"], e["actor"]) for e in stale["errors"]] == [(str(a["id"]), "officer-b")]
    bulk = svc.client.post(
        f"/v1/rounds/{rid}/decisions",
        json={"decisions": [{"proposal_id": b["id"], "decision": "decline"}]},
        headers={**_admin(svc), **tag},
    )
    problem(bulk, 409)
    fresh = svc.client.get(f"/v1/rounds/{rid}", headers=_admin(svc)).json()["revision"]
    assert fresh == seen + 1
    tag = {"If-Match": f'"{fresh}"'}
    assert decide(svc, rid, b["id"], {**_admin(svc), **tag}, decision="decline").status_code == 200
    assert decide(svc, rid, b["id"], decision="approve").status_code == 200  # no If-Match
    problem(decide(svc, rid, b["id"], {**_admin(svc), "If-Match": "seven"}, decision="pin"), 422)


def test_locks_and_exclusions_added_directly_are_checked_and_audited(svc):
    admin = _admin(svc)
    post = svc.client.post
    unknown = problem(
        post("/v1/locks", json={"mentor": "zz-none", "mentee": OTHER}, headers=admin), 422
    )
    assert unknown["errors"][0]["field"] == "mentor"
    problem(post("/v1/exclusions", json={"member_a": OTHER, "member_b": OTHER}, headers=admin), 422)
    made = post(
        "/v1/exclusions",
        json={"member_a": OTHER, "member_b": MEMBER, "note": "same funder"},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    assert made.json()["member_a"] == OTHER and made.json()["note"] == "same funder"
    problem(
        post("/v1/exclusions", json={"member_a": MEMBER, "member_b": OTHER}, headers=admin), 409
    )
    for mentor, mentee in ((MEMBER, OTHER), (OTHER, MEMBER)):
        problem(post("/v1/locks", json={"mentor": mentor, "mentee": mentee}, headers=admin), 409)
    draft = create(svc)
    first = draft["proposals"][0]
    lock = {"mentor": first["mentor"], "mentee": first["mentee"], "note": "agreed"}
    assert post("/v1/locks", json=lock, headers=admin).status_code == 201
    # The mentor's capacity is taken by its locks; one more is over it.
    others = [p for p in draft["proposals"] if p["mentor"] != first["mentor"]]
    member = svc.client.get(f"/v1/members/{first['mentor']}", headers=admin).json()
    for p in others[: member["mentor_capacity"]]:
        post("/v1/locks", json={"mentor": first["mentor"], "mentee": p["mentee"]}, headers=admin)
    over = post(
        "/v1/locks",
        json={"mentor": first["mentor"], "mentee": others[-1]["mentee"]},
        headers=admin,
    )
    assert "capacity" in str(problem(over, 409)).lower()
    actions = [r["action"] for r in svc.client.get("/v1/audit", headers=admin).json()["items"]]
    assert "exclusion.create" in actions and "locked.create" in actions


def test_a_refused_bulk_decision_does_not_count_against_the_next(svc):
    draft = create(svc)
    rid = draft["id"]
    by_mentor = {}
    for p in draft["proposals"]:
        by_mentor.setdefault(p["mentor"], []).append(p)
    mentor, (a, b, *_) = next((m, ps) for m, ps in sorted(by_mentor.items()) if len(ps) >= 2)
    admin = _admin(svc)
    svc.client.patch(f"/v1/members/{mentor}", json={"mentor_capacity": 1}, headers=admin)
    excluded = {"member_a": a["mentor"], "member_b": a["mentee"], "note": "fell out"}
    assert svc.client.post("/v1/exclusions", json=excluded, headers=admin).status_code == 201
    # a's lock contradicts the exclusion: refused, so a takes no capacity from b.
    decisions = [
        {"proposal_id": a["id"], "decision": "approve", "lock": True},
        {"proposal_id": b["id"], "decision": "approve"},
    ]
    url = f"/v1/rounds/{rid}/decisions"
    refused = problem(svc.client.post(url, json={"decisions": decisions}, headers=admin), 409)
    assert [e["field"] for e in refused["errors"]] == ["decisions.0"]
    assert "exclusion" in refused["errors"][0]["message"]
