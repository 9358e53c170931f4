"""Members over HTTP: profiles, validation, import (JSON and CSV, all or
nothing), export, recommendations — on SQLite and PostgreSQL."""

import json
import threading

import pytest
from sqlmodel import Session

from fixtures import demo_network_path
from matcher import default_taxonomy, network_arrays, recommend
from service import usecases
from service.contract import parse_network
from tests.api import CSV_HEADER, NEW, csv_import, json_import, problem
from tests.service_env import MEMBER


def test_health_needs_no_key(svc):
    assert svc.client.get("/health").json() == {"status": "ok"}


def test_taxonomy_in_french(svc):
    doc = svc.client.get("/v1/taxonomy?lang=fr", headers=svc.as_("hub")).json()
    assert doc["version"] == default_taxonomy().version
    budget = next(t for t in doc["themes"] if t["key"] == "budget_tracking")
    assert budget["label"] == default_taxonomy().label("budget_tracking", "fr")


def test_list_members_is_paged_and_private_only_for_admin(svc):
    admin = svc.client.get("/v1/members?limit=10&offset=5", headers=svc.as_("admin")).json()
    assert admin["total"] == 126 and len(admin["members"]) == 10
    assert "contact_email" in admin["members"][0]
    hub = svc.client.get("/v1/members?limit=1000", headers=svc.as_("hub")).json()
    assert len(hub["members"]) == 126
    assert all("contact_email" not in m and "contact_name" not in m for m in hub["members"])
    problem(svc.client.get("/v1/members?limit=5000", headers=svc.as_("admin")), 422)


def test_create_get_patch_delete(svc):
    admin = svc.as_("admin")
    created = svc.client.post("/v1/members", json=NEW, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["region"] == "africa" and created.json()["global_south"] is True
    problem(svc.client.post("/v1/members", json=NEW, headers=admin), 409)
    patched = svc.client.patch(
        f"/v1/members/{NEW['id']}", json={"mentor_capacity": 3, "needs": {}}, headers=admin
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["mentor_capacity"] == 3 and patched.json()["needs"] == {}
    hub_view = svc.client.get(f"/v1/members/{NEW['id']}", headers=svc.as_("hub")).json()
    assert "contact_email" not in hub_view
    assert svc.client.delete(f"/v1/members/{NEW['id']}", headers=admin).status_code == 204
    problem(svc.client.get(f"/v1/members/{NEW['id']}", headers=admin), 404)


def test_bad_member_names_every_field(svc):
    bad = {
        **NEW,
        "expertise": {"budget_trackng": 3},
        "languages": ["xx"],
        "colour": "red",
        "mentor_capacity": 99,
    }
    body = problem(svc.client.post("/v1/members", json=bad, headers=svc.as_("admin")), 422)
    fields = {e["field"] for e in body["errors"]}
    # A mapping's bad key and a list's bad item are named themselves.
    assert {"expertise.budget_trackng.[key]", "languages.0", "colour", "mentor_capacity"} <= fields
    assert any("budget_tracking" in e["message"] for e in body["errors"])
    total = svc.client.get("/v1/members", headers=svc.as_("admin")).json()["total"]
    assert total == 126


def test_patch_cannot_change_the_id_or_break_a_profile(svc):
    admin = svc.as_("admin")
    body = problem(svc.client.patch(f"/v1/members/{MEMBER}", json={"id": "x"}, headers=admin), 422)
    assert body["errors"][0]["field"] == "id"
    body = problem(
        svc.client.patch(f"/v1/members/{MEMBER}", json={"needs": {"nope": 1}}, headers=admin), 422
    )
    assert "nope" in json.dumps(body["errors"])
    before = svc.client.get(f"/v1/members/{MEMBER}", headers=admin).json()
    assert before["needs"] != {}


def test_member_key_reads_and_updates_only_itself(svc):
    me = svc.as_("member")
    own = svc.client.get(f"/v1/members/{MEMBER}", headers=me)
    assert own.status_code == 200 and "contact_email" in own.json()
    assert (
        svc.client.patch(
            f"/v1/members/{MEMBER}", json={"description": "updated"}, headers=me
        ).json()["description"]
        == "updated"
    )
    other = "af-coalition"
    problem(svc.client.get(f"/v1/members/{other}", headers=me), 404)
    problem(svc.client.patch(f"/v1/members/{other}", json={"name": "x"}, headers=me), 404)
    problem(svc.client.get(f"/v1/members/{other}/recommendations", headers=me), 404)


def test_recommendations_equal_the_matcher(svc):
    network = parse_network(demo_network_path().read_bytes())
    expected = recommend(network_arrays(network, default_taxonomy()), MEMBER, k=4)
    got = svc.client.get(f"/v1/members/{MEMBER}/recommendations?k=4", headers=svc.as_("hub")).json()
    assert [r["member"] for r in got["recommendations"]] == [r.member for r in expected]
    assert [r["score"] for r in got["recommendations"]] == [r.score for r in expected]
    first = got["recommendations"][0]
    assert sum(r["contribution"] for r in first["reasons"]) == pytest.approx(first["score"])
    ex = svc.client.get(
        f"/v1/members/{MEMBER}/recommendations?direction=exchanges", headers=svc.as_("admin")
    ).json()
    assert ex["direction"] == "exchanges"
    problem(svc.client.get("/v1/members/nobody/recommendations", headers=svc.as_("hub")), 404)
    problem(
        svc.client.get(f"/v1/members/{MEMBER}/recommendations?direction=x", headers=svc.as_("hub")),
        422,
    )


def test_recommendations_follow_a_profile_change(svc):
    admin = svc.as_("admin")
    url = f"/v1/members/{MEMBER}/recommendations?k=1"
    before = svc.client.get(url, headers=admin).json()
    svc.client.patch(f"/v1/members/{MEMBER}", json={"needs": {}}, headers=admin)
    # The profile shows the write at once; recommendations come from the last
    # snapshot, saying so, until the next one is built.
    assert svc.client.get(f"/v1/members/{MEMBER}", headers=admin).json()["needs"] == {}
    stale = svc.client.get(url, headers=admin).json()
    assert stale == before
    assert svc.app.state.cache.wait(timeout=60)
    after = svc.client.get(url, headers=admin).json()
    assert after["network_version"] > before["network_version"]
    assert before["recommendations"] and after["recommendations"] == []


def test_no_reader_waits_for_a_snapshot_rebuild(svc, monkeypatch):
    admin = svc.as_("admin")
    url = f"/v1/members/{MEMBER}/recommendations?k=3"
    cache = svc.app.state.cache
    before = svc.client.get(url, headers=admin).json()
    building, release = threading.Event(), threading.Event()
    build = cache._build_now

    def slow_build(session):
        building.set()
        assert release.wait(timeout=60)
        return build(session)

    monkeypatch.setattr(cache, "_build_now", slow_build)
    svc.client.patch(f"/v1/members/{MEMBER}", json={"needs": {"tax_justice": 3}}, headers=admin)
    # The rebuild is held; readers (memoised or not) still get answers.
    for query in (url, url.replace("k=3", "k=4"), "/v1/members/af-coalition/recommendations"):
        response = svc.client.get(query, headers=admin)
        assert response.status_code == 200
        assert response.json()["network_version"] == before["network_version"]
    assert building.wait(timeout=60)
    release.set()
    assert cache.wait(timeout=60)
    after = svc.client.get(url, headers=admin).json()
    assert after["network_version"] > before["network_version"]


def test_a_member_created_after_the_snapshot_gets_recommendations(svc):
    admin = svc.as_("admin")
    first = svc.client.get(f"/v1/members/{MEMBER}/recommendations", headers=admin).json()
    assert svc.client.post("/v1/members", json=NEW, headers=admin).status_code == 201
    response = svc.client.get(f"/v1/members/{NEW['id']}/recommendations", headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["network_version"] > first["network_version"]


def test_a_write_that_changes_nothing_changes_nothing(svc):
    admin = svc.as_("admin")
    profile = svc.client.get(f"/v1/members/{MEMBER}", headers=admin).json()
    version = usecases.network_version
    with Session(svc.app.state.engine) as session:
        before = (
            version(session),
            len(svc.client.get("/v1/audit", headers=admin).json()["records"]),
        )
    same = {k: profile[k] for k in ("name", "needs", "expertise", "languages", "description")}
    assert svc.client.patch(f"/v1/members/{MEMBER}", json=same, headers=admin).status_code == 200
    with Session(svc.app.state.engine) as session:
        after = (
            version(session),
            len(svc.client.get("/v1/audit", headers=admin).json()["records"]),
        )
    assert after == before


def test_json_import_is_idempotent_upsert(svc):
    admin = {**svc.as_("admin"), "content-type": "application/json"}
    doc = {"schema_version": 1, "members": [NEW], "exclusions": [[NEW["id"], MEMBER]]}
    first = svc.client.post("/v1/members/import", content=json.dumps(doc), headers=admin)
    assert first.json() == {
        "members": 1,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "relations_added": 1,
        "warnings": [],
    }
    again = svc.client.post("/v1/members/import", content=json.dumps(doc), headers=admin)
    assert again.json()["created"] == 0 and again.json()["unchanged"] == 1
    assert again.json()["relations_added"] == 0
    demo = demo_network_path().read_bytes()
    whole = svc.client.post("/v1/members/import", content=demo, headers=admin).json()
    assert whole["unchanged"] == 126 and whole["created"] == whole["updated"] == 0


def test_bad_json_import_lists_every_problem_and_writes_nothing(svc):
    admin = {**svc.as_("admin"), "content-type": "application/json"}
    doc = {
        "schema_version": 1,
        "members": [NEW, {**NEW, "expertise": {"campainging": 3}}, {**NEW, "id": "ok-2"}],
        "exclusions": [["ok-2", "nobody-here"]],
    }
    body = problem(
        svc.client.post("/v1/members/import", content=json.dumps(doc), headers=admin), 422
    )
    text = json.dumps(body["errors"])
    assert "duplicate id" in text and "campaigning" in text and "nobody-here" in text
    assert svc.client.get("/v1/members/ok-2", headers=svc.as_("admin")).status_code == 404
    broken = problem(
        svc.client.post("/v1/members/import", content=b"{\n  nope", headers=admin), 422
    )
    assert broken["errors"][0]["line"] == 2
    problem(
        svc.client.post(
            "/v1/members/import",
            content=b"x",
            headers={**svc.as_("admin"), "content-type": "text/plain"},
        ),
        415,
    )


def test_csv_import_and_export_round_trip(svc):
    text = CSV_HEADER + (
        'sn-new,"Coalition, Sénégal",national_coalition,SN,fr;wo,campaigning_mobilisation:4,'
        "budget_tracking:2,a@example.org\r\n"
        "br-new,=HYPERLINK(1),national_coalition,BR,pt,,digital_advocacy:3,\r\n"
    )
    report = csv_import(svc, text)
    assert report.status_code == 200, report.text
    assert report.json()["created"] == 2
    exported = svc.client.get(
        "/v1/members/export?format=csv&contacts=true", headers=svc.as_("admin")
    )
    assert exported.headers["content-type"].startswith("text/csv")
    lines = exported.text.splitlines()
    row = next(line for line in lines if line.startswith("br-new"))
    assert ",'=HYPERLINK(1)," in row  # a spreadsheet shows it, never runs it
    again = csv_import(svc, exported.text)
    assert again.status_code == 200, again.text
    assert again.json()["unchanged"] == 128 and again.json()["created"] == 0
    name = svc.client.get("/v1/members/br-new", headers=svc.as_("admin")).json()["name"]
    assert name == "=HYPERLINK(1)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"id,name,kind,languages\r\nx,\xff\xfe,national_coalition,en\r\n", ["line 2", "UTF-8"]),
        ("id,name,languages\r\nx,X,en\r\n", ["kind", "missing required column"]),
        ("id,name,kind,languages,colour\r\nx,X,national_coalition,en,red\r\n", ["colour"]),
        (
            CSV_HEADER
            + "a1,A,national_coalition,KE,en,campaing:3,,\r\n"
            + "a1,B,national_coalition,KE,en,,budget_tracking:9,\r\n"
            + "a2,C,national_coalition,KE,en,,,not-an-email\r\n",
            ["line 2", "campaigning", "line 3", "duplicate id", "line 4", "contact_email"],
        ),
    ],
    ids=["bad-encoding", "missing-column", "unknown-column", "bad-rows"],
)
def test_malformed_csv_reports_every_problem_and_writes_nothing(svc, text, expected):
    body = problem(csv_import(svc, text), 422)
    found = json.dumps(body["errors"])
    for fragment in expected:
        assert fragment in found, (fragment, found)
    total = svc.client.get("/v1/members", headers=svc.as_("admin")).json()["total"]
    assert total == 126


def test_json_export_is_a_valid_network_document(svc):
    exported = svc.client.get("/v1/members/export?format=json", headers=svc.as_("admin"))
    network = parse_network(exported.content)
    original = parse_network(demo_network_path().read_bytes())
    assert network.members == original.members


def test_oversized_body_is_refused(tmp_path):
    from tests.service_env import start_service

    small = start_service("sqlite", tmp_path, demo=False, max_body_bytes=2048)
    body = problem(
        small.client.post(
            "/v1/members/import",
            content=b"x" * 5000,
            headers={**small.as_("admin"), "content-type": "text/csv"},
        ),
        413,
    )
    assert "2048" in body["detail"]


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/v1/members/import", "text/csv"), ("/v1/members", "application/json")],
)
def test_oversized_streamed_body_is_refused(tmp_path, path, content_type):
    """Without a Content-Length the limit is counted as the body arrives; a
    JSON route must answer 413 too, not FastAPI's 400 for an unreadable body."""
    from tests.service_env import start_service

    small = start_service("sqlite", tmp_path, demo=False, max_body_bytes=2048)

    def chunks():
        for _ in range(5):
            yield b"x" * 1000

    response = small.client.post(
        path, content=chunks(), headers={**small.as_("admin"), "content-type": content_type}
    )
    assert "content-length" not in response.request.headers
    assert "2048" in problem(response, 413)["detail"]
    assert small.client.get("/v1/members", headers=small.as_("admin")).json()["total"] == 0


def test_a_lock_and_an_exclusion_can_be_removed(svc):
    admin = svc.as_("admin")
    doc = svc.client.get("/v1/members/export", headers=admin).json()
    (mentor, mentee), (a, b) = (doc["locked"][0].values(), doc["exclusions"][0])
    # A profile change that breaks the lock names the route that removes it.
    conflict = svc.client.patch(f"/v1/members/{mentor}", json={"mentor_capacity": 0}, headers=admin)
    assert f"DELETE /v1/locks/{mentor}/{mentee}" in json.dumps(problem(conflict, 409)["errors"])
    assert svc.client.delete(f"/v1/locks/{mentor}/{mentee}", headers=admin).status_code == 204
    assert svc.client.delete(f"/v1/exclusions/{b}/{a}", headers=admin).status_code == 204
    after = svc.client.get("/v1/members/export", headers=admin).json()
    assert {"mentor": mentor, "mentee": mentee} not in after["locked"]
    assert [a, b] not in after["exclusions"]
    assert len(after["locked"]) == len(doc["locked"]) - 1
    assert len(after["exclusions"]) == len(doc["exclusions"]) - 1
    problem(svc.client.delete(f"/v1/locks/{mentor}/{mentee}", headers=admin), 404)
    problem(svc.client.delete(f"/v1/exclusions/{a}/{b}", headers=svc.as_("hub")), 403)
    ok = svc.client.patch(f"/v1/members/{mentor}", json={"mentor_capacity": 0}, headers=admin)
    assert ok.status_code == 200, ok.text
    actions = [r["action"] for r in svc.client.get("/v1/audit", headers=admin).json()["records"]]
    assert {"locked.delete", "exclusion.delete"} <= set(actions)


def test_an_import_that_breaks_a_stored_lock_names_it(svc):
    admin = {**svc.as_("admin"), "content-type": "application/json"}
    doc = svc.client.get("/v1/members/export", headers=svc.as_("admin")).json()
    lock = doc["locked"][0]
    mentor = next(m for m in doc["members"] if m["id"] == lock["mentor"])
    body = json.dumps({"schema_version": 1, "members": [{**mentor, "mentor_capacity": 0}]})
    errors = problem(svc.client.post("/v1/members/import", content=body, headers=admin), 422)
    (error,) = errors["errors"]
    assert error["where"] == "stored locked pair"
    assert f"DELETE /v1/locks/{lock['mentor']}/{lock['mentee']}" in error["message"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", "A\u001b]52;c;aGk=\u0007B"),
        ("name", "A\u009b31mB"),
        ("name", "evil\u202egnp.exe"),
        ("contact_name", "Awa\u2066 Diop"),
        ("contact_email", "awa\u001b@example.org"),
        ("description", "ok\nbut\u0008not this"),
    ],
)
def test_text_with_control_characters_is_refused_everywhere(svc, field, value):
    admin = svc.as_("admin")
    body = problem(
        svc.client.patch(f"/v1/members/{MEMBER}", json={field: value}, headers=admin), 422
    )
    assert [e["field"] for e in body["errors"]] == [field]
    assert "U+" in body["errors"][0]["message"]
    # The response echoes nothing raw: C1 and bidi characters are \u escapes.
    assert not any(ch in response_text(svc, field, value) for ch in "\u001b\u009b\u202e\u2066")
    problem(svc.client.post("/v1/members", json={**NEW, field: value}, headers=admin), 422)
    csv_text = (
        "id,name,kind,languages,description,contact_name,contact_email\n"
        + ",".join(
            f'"{v}"'
            for v in [
                NEW["id"],
                value if field == "name" else "N",
                "national_coalition",
                "fr",
                value if field == "description" else "",
                value if field == "contact_name" else "",
                value if field == "contact_email" else "",
            ]
        )
        + "\n"
    )
    imported = svc.client.post(
        "/v1/members/import",
        content=csv_text.encode(),
        headers={**admin, "content-type": "text/csv"},
    )
    assert field in json.dumps(problem(imported, 422)["errors"])
    assert svc.client.get(f"/v1/members/{NEW['id']}", headers=admin).status_code == 404


def response_text(svc, field, value):
    return svc.client.patch(
        f"/v1/members/{MEMBER}", json={field: value}, headers=svc.as_("admin")
    ).text


def test_a_member_edits_only_its_own_profile_fields(svc):
    me = svc.as_("member")
    allowed = {
        "name": "Kenya Coalition",
        "languages": ["en", "sw"],
        "expertise": {"budget_tracking": 3},
        "needs": {"digital_advocacy": 2},
        "mentor_capacity": 2,
        "mentee_capacity": 1,
        "description": "we track budgets",
        "contact_name": "Achieng",
        "contact_email": "achieng@example.org",
    }
    response = svc.client.patch(f"/v1/members/{MEMBER}", json=allowed, headers=me)
    assert response.status_code == 200, response.text
    before = svc.client.get(f"/v1/members/{MEMBER}", headers=me).json()
    for field, value in [
        ("global_south", False),
        ("region", "europe_north_america"),
        ("kind", "international_ngo"),
        ("country", "FR"),
    ]:
        body = problem(
            svc.client.patch(f"/v1/members/{MEMBER}", json={"name": "x", field: value}, headers=me),
            403,
        )
        assert [e["field"] for e in body["errors"]] == [field] and field in body["detail"]
    assert svc.client.get(f"/v1/members/{MEMBER}", headers=me).json() == before
    # The secretariat still may.
    admin = svc.client.patch(
        f"/v1/members/{MEMBER}", json={"global_south": False}, headers=svc.as_("admin")
    )
    assert admin.status_code == 200 and admin.json()["global_south"] is False


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


def test_a_contact_of_spaces_is_no_contact(svc):
    member = {**NEW, "id": "zz-spaces", "contact_name": "   ", "contact_email": " "}
    assert json_import(svc, {"schema_version": 1, "members": [member]}).status_code == 200
    stored = svc.client.get("/v1/members/zz-spaces", headers=svc.as_("admin")).json()
    assert stored.get("contact_name") is None and stored.get("contact_email") is None
    padded = {**NEW, "id": "zz-padded", "contact_name": "n" * 200 + " "}
    assert json_import(svc, {"schema_version": 1, "members": [padded]}).status_code == 200


def test_deeply_nested_values_are_echoed_cut_short(svc):
    deep: list = []
    for _ in range(900):
        deep = [deep]
    before = svc.client.get("/v1/members/export", headers=svc.as_("admin")).json()
    for doc in (
        {"schema_version": 1, "members": [], "exclusions": [[deep, deep]]},
        {"schema_version": 1, "members": [{**NEW, "contact_email": deep}]},
    ):
        body = problem(json_import(svc, doc), 422)
        assert len(json.dumps(body)) < 2_000
    assert svc.client.get("/v1/members/export", headers=svc.as_("admin")).json() == before


def test_member_id_export_is_reserved(svc):
    admin = svc.as_("admin")
    body = problem(svc.client.post("/v1/members", json={**NEW, "id": "export"}, headers=admin), 422)
    assert [(e["field"], "reserved" in e["message"]) for e in body["errors"]] == [("id", True)]
    # with the body's other problems, in one answer
    both = {**NEW, "id": "deleted-0a1b2c3d", "mentor_capacity": -1}
    body = problem(svc.client.post("/v1/members", json=both, headers=admin), 422)
    assert {e["field"] for e in body["errors"]} == {"id", "mentor_capacity"}
    body = problem(
        json_import(svc, {"schema_version": 1, "members": [{**NEW, "id": "export"}]}), 422
    )
    assert body["errors"][0]["field"] == "id" and "reserved" in body["errors"][0]["message"]


def test_text_with_a_nul_character_is_refused_on_every_database(svc):
    admin = svc.as_("admin")
    body = problem(
        svc.client.post("/v1/members", json={**NEW, "name": "a\x00b"}, headers=admin), 422
    )
    assert "NUL" in json.dumps(body["errors"])
    patch = {"description": "x\x00"}
    body = problem(svc.client.patch(f"/v1/members/{MEMBER}", json=patch, headers=admin), 422)
    assert "NUL" in json.dumps(body["errors"])


def test_deleting_a_member_revokes_its_keys(svc):
    me = svc.as_("member")
    assert svc.client.get(f"/v1/members/{MEMBER}", headers=me).status_code == 200
    svc.client.delete(f"/v1/members/{MEMBER}", headers=svc.as_("admin"))
    recreated = {**NEW, "id": MEMBER}
    assert (
        svc.client.post("/v1/members", json=recreated, headers=svc.as_("admin")).status_code == 201
    )
    assert svc.client.get(f"/v1/members/{MEMBER}", headers=me).status_code == 401
