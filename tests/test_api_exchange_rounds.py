"""Reciprocal exchanges as a round over HTTP, like mentoring and circles:
created with the policy's options (the other kinds' refused), reviewed,
re-run around the decisions (approved kept, declined never again, ids
stable), published for the Hub, and given feedback from either side."""

from __future__ import annotations

from sqlmodel import Session

from service.usecases.keys import create_key
from tests.api import problem


def _admin(svc):
    return svc.as_("admin")


def create(svc, **options):
    body = {"kind": "exchanges", "seed": 3, **options}
    response = svc.client.post("/v1/rounds", json=body, headers=_admin(svc))
    assert response.status_code == 201, response.text
    return response.json()


def decide(svc, rid, pid, **body):
    url = f"/v1/rounds/{rid}/proposals/{pid}/decision"
    return svc.client.post(url, json=body, headers=_admin(svc))


def rerun(svc, rid):
    response = svc.client.post(f"/v1/rounds/{rid}/rerun", headers=_admin(svc))
    assert response.status_code == 200, response.text
    return response.json()


def pair(p):
    return frozenset((p["mentor"], p["mentee"]))


def live(doc):
    return [p for p in doc["proposals"] if p["status"] in ("proposed", "approved")]


def test_an_exchanges_round_is_stored_as_the_shared_decisions_say(svc):
    doc = create(svc)
    assert doc["kind"] == "exchanges" and doc["status"] == "draft" and doc["objective"] is None
    summary = doc["summary"]
    assert summary["optimal"] is True and summary["method"] == "exact"
    assert summary["pairs"] == len(doc["proposals"]) >= 4
    assert summary["members"] == 2 * summary["pairs"] <= summary["eligible"]
    assert abs(summary["total"] - sum(p["score"] for p in doc["proposals"])) < 1e-9
    assert summary["total"] <= summary["upper_bound"] + 1e-9
    assert doc["options"] == {
        "south_south_bonus": 0.15,
        "north_south_bonus": 0.1,
        "same_region_bonus": 0.05,
        "history_penalty": 0.3,
    }
    everyone = [m["member"] for p in doc["proposals"] for m in p["members"]]
    assert len(everyone) == len(set(everyone))  # disjoint
    for p in doc["proposals"]:
        assert p["kind"] == "exchange" and p["theme"] is None and p["language"] is None
        a, b = p["members"]
        assert (a["member"], b["member"]) == (p["mentor"], p["mentee"])
        assert a["role"] == b["role"] == "partner"
        # Each side teaches the other something, and those themes are the
        # round's theme reasons.
        assert a["teaches"] and b["teaches"] and not set(a["teaches"]) & set(b["teaches"])
        themes = {r["key"] for r in p["reasons"] if r["kind"] == "theme"}
        assert set(a["teaches"]) | set(b["teaches"]) == themes
        assert abs(sum(r["contribution"] for r in p["reasons"]) - p["score"]) < 1e-9
        assert all(r["label"] for r in p["reasons"])


def test_the_policy_options_change_the_scores(svc):
    plain, no_bonus = create(svc), create(svc, south_south_bonus=0.0, same_region_bonus=0.0)
    assert no_bonus["options"]["south_south_bonus"] == 0.0
    assert sum(p["score"] for p in no_bonus["proposals"]) < sum(
        p["score"] for p in plain["proposals"]
    )
    assert not any(
        r["kind"] in ("south_south", "same_region")
        for p in no_bonus["proposals"]
        for r in p["reasons"]
    )


def test_options_of_the_other_kinds_are_refused(svc):
    for option, value in (("objective", "stable"), ("max_per_member", 3), ("size", [3, 5])):
        body = {"kind": "exchanges", option: value}
        answer = problem(svc.client.post("/v1/rounds", json=body, headers=_admin(svc)), 422)
        assert [e["field"] for e in answer["errors"]] == [option]
        assert (
            answer["errors"][0]["message"]
            == f"an exchanges round has no {option} option; remove it"
        )
    body = {"kind": "exchanges", "south_south_bonus": 11}
    problem(svc.client.post("/v1/rounds", json=body, headers=_admin(svc)), 422)
    # The other kinds' defaults, sent as a form does, are fine.
    body = {"kind": "exchanges", "objective": "welfare", "coverage_first": True}
    assert svc.client.post("/v1/rounds", json=body, headers=_admin(svc)).status_code == 201


def test_review_rerun_publish_and_what_the_hub_sees(svc):
    doc = create(svc)
    rid = doc["id"]
    first, second, third = doc["proposals"][:3]
    locks = svc.client.get("/v1/locks", headers=_admin(svc)).json()["items"]
    assert decide(svc, rid, first["id"], decision="approve").status_code == 200
    assert decide(svc, rid, second["id"], decision="decline").status_code == 200
    # An exchange has no direction to lock: refused, nothing stored.
    locked = problem(decide(svc, rid, third["id"], decision="approve", lock=True), 409)
    assert "lock is for mentoring pairs" in locked["detail"]
    assert svc.client.get("/v1/locks", headers=_admin(svc)).json()["items"] == locks
    ids = {pair(p): p["id"] for p in doc["proposals"]}
    again = rerun(svc, rid)
    now = live(again)
    assert pair(second) not in {pair(p) for p in now}  # declined: never again
    kept = [p for p in now if p["id"] == first["id"]]
    assert kept and kept[0]["status"] == "approved"
    everyone = [m["member"] for p in now for m in p["members"]]
    assert len(everyone) == len(set(everyone))  # still disjoint around the approved one
    for p in now:
        if pair(p) in ids:
            assert p["id"] == ids[pair(p)], pair(p)  # stable ids
    assert again["summary"]["kept"] == 1 and again["summary"]["pairs"] == len(now)
    # A twice re-run round proposes the same exchanges with the same ids.
    assert [(p["id"], p["status"]) for p in live(rerun(svc, rid))] == [
        (p["id"], p["status"]) for p in now
    ]
    published = svc.client.post(
        f"/v1/rounds/{rid}/publish", json={"undecided": "withdraw"}, headers=_admin(svc)
    )
    assert published.status_code == 200, published.text
    hub = svc.client.get(
        "/v1/published", headers={**svc.as_("hub"), "Accept-Language": "fr"}
    ).json()
    assert [(i["type"], i["proposal_id"]) for i in hub["items"]] == [("exchange", first["id"])]
    item = hub["items"][0]
    a, b = first["members"]
    assert (item["a"], item["b"]) == (a["member"], b["member"])
    assert item["a_name"] and item["b_name"]
    assert [t["key"] for t in item["a_teaches"]] == a["teaches"]
    assert [t["key"] for t in item["b_teaches"]] == b["teaches"]
    assert item["a_teaches"][0]["label"] != item["a_teaches"][0]["key"]  # labelled, in French
    assert item["languages"] == first["languages"] and item["score"] == first["score"]
    # A later exchanges round replaces it; a published mentoring round stays.
    mentoring = svc.client.post(
        "/v1/rounds", json={"kind": "mentoring", "seed": 1}, headers=_admin(svc)
    ).json()
    mentor_pair = mentoring["proposals"][0]["id"]
    assert decide(svc, mentoring["id"], mentor_pair, decision="approve").status_code == 200
    done = svc.client.post(
        f"/v1/rounds/{mentoring['id']}/publish", json={"undecided": "withdraw"}, headers=_admin(svc)
    )
    assert done.status_code == 200, done.text
    later = create(svc)
    last = later["proposals"][-1]["id"]
    assert decide(svc, later["id"], last, decision="approve").status_code == 200
    replaced = svc.client.post(
        f"/v1/rounds/{later['id']}/publish", json={"undecided": "withdraw"}, headers=_admin(svc)
    )
    assert replaced.status_code == 200, replaced.text
    hub = svc.client.get("/v1/published", headers=svc.as_("hub")).json()
    assert [(i["type"], i["proposal_id"]) for i in hub["items"]] == [
        ("pair", mentor_pair),
        ("exchange", last),
    ]
    assert svc.client.get(f"/v1/rounds/{rid}", headers=_admin(svc)).json()["status"] == "archived"


def test_never_again_stores_an_exclusion_of_the_pair(svc):
    doc = create(svc)
    p = doc["proposals"][0]

    def stored():
        found = svc.client.get("/v1/exclusions", headers=_admin(svc)).json()["items"]
        return [(x["member_a"], x["member_b"]) for x in found]

    before = stored()
    answer = decide(svc, doc["id"], p["id"], decision="decline", never_again=True, note="met")
    assert answer.status_code == 200, answer.text
    assert stored() == sorted([*before, tuple(sorted(pair(p)))])
    assert pair(p) not in {pair(x) for x in create(svc)["proposals"]}


def test_a_member_is_in_one_approved_exchange_at_most(svc):
    doc = create(svc)
    kept = doc["proposals"][0]
    assert decide(svc, doc["id"], kept["id"], decision="approve").status_code == 200
    # Its two members may no longer be paired (an exclusion stored since):
    # left in the network, each would be the other exchanges' partner.
    a, b = sorted(pair(kept))
    body = {"member_a": a, "member_b": b, "note": "since the approval"}
    assert svc.client.post("/v1/exclusions", json=body, headers=_admin(svc)).status_code == 201
    again = rerun(svc, doc["id"])
    fresh = [p for p in live(again) if p["id"] != kept["id"]]
    assert [p["status"] for p in live(again) if p["id"] == kept["id"]] == ["approved"]
    assert not any(pair(kept) & pair(p) for p in fresh)


def test_approving_a_declined_exchange_again_keeps_the_round_disjoint(svc):
    doc = create(svc)
    rid, first = doc["id"], doc["proposals"][0]
    assert decide(svc, rid, first["id"], decision="decline").status_code == 200
    again = live(rerun(svc, rid))
    rival = next(p for p in again if pair(first) & pair(p))
    assert decide(svc, rid, rival["id"], decision="approve").status_code == 200
    refused = problem(decide(svc, rid, first["id"], decision="approve"), 409)
    shared = next(iter(pair(first) & pair(rival)))
    assert f"{shared} is already in approved exchange {rival['id']}" in refused["detail"]


def test_feedback_on_an_exchange_from_either_side(svc):
    doc = create(svc)
    rid, p = doc["id"], doc["proposals"][0]
    assert decide(svc, rid, p["id"], decision="approve").status_code == 200
    svc.client.post(
        f"/v1/rounds/{rid}/publish", json={"undecided": "withdraw"}, headers=_admin(svc)
    )
    keys = {}
    with Session(svc.app.state.engine) as session:
        for m in (p["mentor"], p["mentee"], "fr-ngo"):
            keys[m] = create_key(session, name=f"key-{m}", role="member", member_id=m)
        session.commit()
    url = f"/v1/proposals/{p['id']}/feedback"
    for side, usefulness in ((p["mentor"], 4), (p["mentee"], 2)):
        body = {"met": True, "usefulness": usefulness, "comment": f"from {side}"}
        answer = svc.client.post(url, json=body, headers={"X-API-Key": keys[side]})
        assert answer.status_code == 201, answer.text
        # Each side sees the exchange among its published partners.
        mine = svc.client.get(
            f"/v1/members/{side}/published", headers={"X-API-Key": keys[side]}
        ).json()
        assert [(i["type"], i["proposal_id"]) for i in mine["items"]] == [("exchange", p["id"])]
    if "fr-ngo" not in pair(p):
        outsider = svc.client.post(
            url, json={"met": True, "usefulness": 3}, headers={"X-API-Key": keys["fr-ngo"]}
        )
        problem(outsider, 404)
    feedback = svc.client.get(f"/v1/rounds/{rid}/feedback", headers=_admin(svc)).json()
    assert sorted(f["usefulness"] for f in feedback["items"]) == [2, 4]
    assert svc.client.get(f"/v1/rounds/{rid}", headers=_admin(svc)).json()["outcomes"] == {
        "feedback": 2,
        "met": 2,
        "mean_usefulness": 3.0,
    }
