"""Races through a real server: concurrent writers never see "database is
locked" nor lose an update; concurrent approvals never exceed a capacity;
concurrent rounds are both valid."""

import httpx
from sqlmodel import Session

from service.usecases.network import network_version
from tests.api import NEW, run_together
from tests.service_env import LiveServer

MEMBERS = ["af-coalition", "ke-coalition", "bd-coalition", "br-coalition"]


def test_concurrent_writers_lose_nothing(svc):
    engine = svc.app.state.engine
    with Session(engine) as session:
        start = network_version(session)
    per_thread = 8
    with LiveServer(svc.app) as server:

        def work(k):
            statuses = []
            with httpx.Client(base_url=server.url, headers=svc.as_("admin"), timeout=60) as c:
                for n in range(per_thread):
                    if k < len(MEMBERS):
                        r = c.patch(f"/v1/members/{MEMBERS[k]}", json={"description": f"v{n}"})
                    else:
                        r = c.post(
                            "/v1/members",
                            json={
                                "id": f"new-{k}-{n}",
                                "name": "N",
                                "kind": "national_coalition",
                                "languages": ["en"],
                            },
                        )
                    statuses.append((r.status_code, r.text))
            return statuses

        results = run_together(6, work)
    for statuses in results:
        for status, text in statuses:
            assert status in (200, 201), text
            assert "locked" not in text
    check = svc.client.get
    for member in MEMBERS:
        got = check(f"/v1/members/{member}", headers=svc.as_("admin")).json()
        assert got["description"] == f"v{per_thread - 1}"
    total = check("/v1/members", headers=svc.as_("admin")).json()["total"]
    assert total == 126 + 2 * per_thread
    with Session(engine) as session:
        assert network_version(session) == start + 6 * per_thread
    audit = check("/v1/audit?limit=1", headers=svc.as_("admin")).json()["total"]
    assert audit >= 6 * per_thread


def test_concurrent_approvals_never_exceed_capacity(svc):
    admin = svc.as_("admin")
    draft = svc.client.post(
        "/v1/rounds", json={"kind": "mentoring", "seed": 1}, headers=admin
    ).json()
    by_mentor = {}
    for p in draft["proposals"]:
        by_mentor.setdefault(p["mentor"], []).append(p["id"])
    mentor, ids = next((m, ps) for m, ps in sorted(by_mentor.items()) if len(ps) >= 2)
    svc.client.patch(f"/v1/members/{mentor}", json={"mentor_capacity": 1}, headers=admin)
    with LiveServer(svc.app) as server:

        def approve(k):
            with httpx.Client(base_url=server.url, headers=admin, timeout=60) as c:
                return c.post(
                    f"/v1/rounds/{draft['id']}/proposals/{ids[k]}/decision",
                    json={"decision": "approve"},
                ).status_code

        statuses = sorted(run_together(2, approve))
    assert statuses == [200, 409]
    doc = svc.client.get(f"/v1/rounds/{draft['id']}", headers=admin).json()
    assert doc["counts"].get("approved") == 1


def test_rounds_created_at_once_are_both_valid(svc):
    with LiveServer(svc.app) as server:

        def create(_):
            with httpx.Client(base_url=server.url, headers=svc.as_("admin"), timeout=120) as c:
                return c.post("/v1/rounds", json={"kind": "mentoring", "seed": 5})

        first, second = run_together(2, create)
    assert first.status_code == second.status_code == 201, (first.text, second.text)
    pairs = [
        sorted((p["mentor"], p["mentee"]) for p in r.json()["proposals"]) for r in (first, second)
    ]
    assert pairs[0] == pairs[1] and first.json()["id"] != second.json()["id"]


def test_publishing_two_rounds_at_once_leaves_one_published(svc):
    admin = svc.as_("admin")
    ids = []
    for seed in (1, 2):
        draft = svc.client.post(
            "/v1/rounds", json={"kind": "mentoring", "seed": seed}, headers=admin
        ).json()
        first = draft["proposals"][0]["id"]
        svc.client.post(
            f"/v1/rounds/{draft['id']}/proposals/{first}/decision",
            json={"decision": "approve"},
            headers=admin,
        )
        ids.append(draft["id"])
    with LiveServer(svc.app) as server:

        def publish(k):
            with httpx.Client(base_url=server.url, headers=admin, timeout=60) as c:
                return c.post(
                    f"/v1/rounds/{ids[k]}/publish", json={"undecided": "withdraw"}
                ).status_code

        assert run_together(2, publish) == [200, 200]
    statuses = sorted(
        svc.client.get(f"/v1/rounds/{i}", headers=admin).json()["status"] for i in ids
    )
    assert statuses == ["archived", "published"]
    assert len(svc.client.get("/v1/published", headers=admin).json()["pairs"]) == 1


def test_many_concurrent_requests_never_exhaust_the_pool(svc):
    with LiveServer(svc.app) as server:

        def get(_):
            with httpx.Client(base_url=server.url, headers=svc.as_("hub"), timeout=60) as c:
                return c.get("/v1/published").status_code

        statuses = run_together(40, get)
        with httpx.Client(base_url=server.url, timeout=10) as c:
            assert c.get("/health").status_code == 200
    assert statuses == [200] * 40


def test_same_id_created_at_once_is_one_201_and_409s(svc):
    with LiveServer(svc.app) as server:

        def create(_):
            with httpx.Client(base_url=server.url, headers=svc.as_("admin"), timeout=60) as c:
                return c.post("/v1/members", json={**NEW, "id": "zz-race"}).status_code

        assert sorted(run_together(6, create)) == [201] + [409] * 5
