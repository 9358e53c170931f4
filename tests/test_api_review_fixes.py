"""Edge cases found in review: each once gave a 500, a wrong write or a leak."""

import json

import httpx
import pytest

from tests.service_env import MEMBER, LiveServer
from tests.test_api_concurrency import run_together
from tests.test_api_members import NEW, csv_import, problem


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


@pytest.mark.parametrize("section", ["exclusions", "locked", "history"])
@pytest.mark.parametrize("value", [{"ab": 1}, None, "x"])
def test_import_with_a_malformed_section_writes_nothing(svc, section, value):
    admin = {**svc.as_("admin"), "content-type": "application/json"}
    before = svc.client.get("/v1/members/export", headers=svc.as_("admin")).json()
    doc = json.dumps({"schema_version": 1, "members": [], section: value})
    body = problem(svc.client.post("/v1/members/import", content=doc, headers=admin), 422)
    assert section in json.dumps(body["errors"])
    assert svc.client.get("/v1/members/export", headers=svc.as_("admin")).json() == before
    assert svc.client.get(f"/v1/members/{MEMBER}/recommendations", headers=admin).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        b'{"schema_version": 1, "members": [{"id": "x", "mentor_capacity": NaN}]}',
        b'{"schema_version": 1, "members": [{"id": "x", "mentor_capacity": 1e400}]}',
        b'{"schema_version": 1, "members": [{"id": ' + b"9" * 5000 + b"}]}",
        b'{"schema_version": 1, "members": [{"id": ["a"], "name": "A"}]}',
        b'{"schema_version": 1, "members": [{"id": "a", "name": "a\\ud800b"}]}',
        b"[" * 100_000,
    ],
    ids=["nan", "inf", "huge-int", "list-id", "lone-surrogate", "deep"],
)
def test_odd_json_imports_are_422(svc, body):
    admin = {**svc.as_("admin"), "content-type": "application/json"}
    problem(svc.client.post("/v1/members/import", content=body, headers=admin), 422)


def test_odd_member_fields_are_422(svc):
    admin = svc.as_("admin")
    bad = {**NEW, "name": "a\ud800b"}
    response = svc.client.post(
        "/v1/members",
        content=json.dumps(bad).encode(),
        headers={**admin, "content-type": "application/json"},
    )
    problem(response, 422)
    problem(svc.client.get("/v1/members?offset=99999999999999999999", headers=admin), 422)
    problem(svc.client.get("/v1/audit?offset=99999999999999999999", headers=admin), 422)
    body = problem(
        svc.client.patch(f"/v1/members/{MEMBER}", json={"mentor_capacity": None}, headers=admin),
        422,
    )
    assert body["errors"][0]["field"] == "mentor_capacity"
    cleared = svc.client.patch(f"/v1/members/{MEMBER}", json={"contact_email": None}, headers=admin)
    assert cleared.status_code == 200 and cleared.json()["contact_email"] is None


def test_csv_edge_cases(svc):
    body = problem(
        csv_import(
            svc,
            "id,name,kind,languages,expertise\r\nx,X,national_coalition,en,budget_tracking:²\r\n",
        ),
        422,
    )
    assert "theme_key:level" in json.dumps(body["errors"])
    before = svc.client.get("/v1/members/br-coalition", headers=svc.as_("admin")).json()
    only_names = "id,name,kind,languages\r\nbr-coalition,Renamed,national_coalition,pt\r\n"
    assert csv_import(svc, only_names).json()["updated"] == 1
    after = svc.client.get("/v1/members/br-coalition", headers=svc.as_("admin")).json()
    assert after["name"] == "Renamed"
    for field in ("expertise", "needs", "country", "description", "mentor_capacity"):
        assert after[field] == before[field], field


def test_csv_export_round_trips_values_that_look_escaped(svc):
    admin = svc.as_("admin")
    for text in ("'=looks escaped", "''=twice", "-minus", "plain"):
        svc.client.patch(f"/v1/members/{MEMBER}", json={"description": text}, headers=admin)
        exported = svc.client.get("/v1/members/export?format=csv", headers=admin).text
        svc.client.patch(f"/v1/members/{MEMBER}", json={"description": "changed"}, headers=admin)
        assert csv_import(svc, exported).status_code == 200
        got = svc.client.get(f"/v1/members/{MEMBER}", headers=admin).json()["description"]
        assert got == text


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
    svc.client.post(f"/v1/rounds/{rid}/publish", headers=admin)
    first = svc.client.post(url, json=feedback, headers=svc.as_("member"))
    again = svc.client.post(url, json={**feedback, "usefulness": 2}, headers=svc.as_("member"))
    assert (first.status_code, again.status_code) == (201, 200)
    outcomes = svc.client.get(f"/v1/rounds/{rid}", headers=admin).json()["outcomes"]
    assert outcomes == {"feedback": 1, "met": 1, "mean_usefulness": 2.0}


def test_deleting_a_member_revokes_its_keys(svc):
    me = svc.as_("member")
    assert svc.client.get(f"/v1/members/{MEMBER}", headers=me).status_code == 200
    svc.client.delete(f"/v1/members/{MEMBER}", headers=svc.as_("admin"))
    recreated = {**NEW, "id": MEMBER}
    assert (
        svc.client.post("/v1/members", json=recreated, headers=svc.as_("admin")).status_code == 201
    )
    assert svc.client.get(f"/v1/members/{MEMBER}", headers=me).status_code == 401


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


def _import(svc, doc):
    admin = {**svc.as_("admin"), "content-type": "application/json"}
    return svc.client.post("/v1/members/import", content=json.dumps(doc), headers=admin)


def test_a_contact_of_spaces_is_no_contact(svc):
    member = {**NEW, "id": "zz-spaces", "contact_name": "   ", "contact_email": " "}
    assert _import(svc, {"schema_version": 1, "members": [member]}).status_code == 200
    stored = svc.client.get("/v1/members/zz-spaces", headers=svc.as_("admin")).json()
    assert stored.get("contact_name") is None and stored.get("contact_email") is None
    padded = {**NEW, "id": "zz-padded", "contact_name": "n" * 200 + " "}
    assert _import(svc, {"schema_version": 1, "members": [padded]}).status_code == 200


def test_deeply_nested_values_are_echoed_cut_short(svc):
    deep: list = []
    for _ in range(900):
        deep = [deep]
    before = svc.client.get("/v1/members/export", headers=svc.as_("admin")).json()
    for doc in (
        {"schema_version": 1, "members": [], "exclusions": [[deep, deep]]},
        {"schema_version": 1, "members": [{**NEW, "contact_email": deep}]},
    ):
        body = problem(_import(svc, doc), 422)
        assert len(json.dumps(body)) < 2_000
    assert svc.client.get("/v1/members/export", headers=svc.as_("admin")).json() == before


def test_member_id_export_is_reserved(svc):
    admin = svc.as_("admin")
    body = problem(svc.client.post("/v1/members", json={**NEW, "id": "export"}, headers=admin), 422)
    assert "reserved" in body["detail"]
    body = problem(_import(svc, {"schema_version": 1, "members": [{**NEW, "id": "export"}]}), 422)
    assert body["errors"][0]["field"] == "id" and "reserved" in body["errors"][0]["message"]


def test_a_mentoring_round_of_an_empty_network(svc):
    admin = svc.as_("admin")
    ids = [m["id"] for m in svc.client.get("/v1/members/export", headers=admin).json()["members"]]
    for member_id in ids:
        assert svc.client.delete(f"/v1/members/{member_id}", headers=admin).status_code == 204
    response = svc.client.post("/v1/rounds", json={"kind": "mentoring", "seed": 1}, headers=admin)
    assert response.status_code == 201, response.text
    assert response.json()["summary"]["pairs"] == 0


@pytest.mark.parametrize("length", ["abc", "-1", "1e3"])
def test_a_malformed_content_length_is_400(svc, length):
    response = svc.client.post(
        "/v1/members",
        content=json.dumps(NEW),
        headers={**svc.as_("admin"), "content-type": "application/json", "content-length": length},
    )
    assert "Content-Length" in problem(response, 400)["detail"]


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        (b'{"id":', 422, "not valid JSON"),
        (b"[" * 100_000, 400, "cannot be read as JSON"),
        (b'{"id": "\xff"}', 400, "cannot be read as JSON"),
    ],
    ids=["truncated", "deep", "not-utf8"],
)
def test_an_unreadable_json_body_says_what_to_send(svc, body, status, expected):
    response = svc.client.post(
        "/v1/members",
        content=body,
        headers={**svc.as_("admin"), "content-type": "application/json"},
    )
    assert expected in json.dumps(problem(response, status))


@pytest.mark.parametrize("value", ["NaN", "Infinity"])
def test_a_bonus_that_is_not_a_number_says_so(svc, value):
    body = b'{"kind": "mentoring", "south_south_bonus": ' + value.encode() + b"}"
    response = svc.client.post(
        "/v1/rounds", content=body, headers={**svc.as_("admin"), "content-type": "application/json"}
    )
    assert "finite number" in json.dumps(problem(response, 422)["errors"])


def test_health_answers_head(svc):
    response = svc.client.head("/health")
    assert response.status_code == 200 and response.content == b""


def test_an_option_of_the_other_round_kind_is_refused(svc):
    admin = svc.as_("admin")
    for body, field in (
        ({"kind": "mentoring", "size": [4, 6]}, "size"),
        ({"kind": "circles", "south_south_bonus": 0.3}, "south_south_bonus"),
    ):
        errors = problem(svc.client.post("/v1/rounds", json=body, headers=admin), 422)["errors"]
        assert [e["field"] for e in errors] == [field]
    assert svc.client.get("/v1/rounds", headers=admin).json()["rounds"] == []
    full_form = {"kind": "circles", "objective": "welfare", "south_south_bonus": 0.15, "seed": 1}
    assert svc.client.post("/v1/rounds", json=full_form, headers=admin).status_code == 201


def test_text_with_a_nul_character_is_refused_on_every_database(svc):
    admin = svc.as_("admin")
    body = problem(
        svc.client.post("/v1/members", json={**NEW, "name": "a\x00b"}, headers=admin), 422
    )
    assert "NUL" in json.dumps(body["errors"])
    patch = {"description": "x\x00"}
    body = problem(svc.client.patch(f"/v1/members/{MEMBER}", json=patch, headers=admin), 422)
    assert "NUL" in json.dumps(body["errors"])
