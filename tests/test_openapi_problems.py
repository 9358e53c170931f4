"""The OpenAPI document tells the truth about errors: one failing request per
problem status the service answers, each body valid against the schema the
document declares for that operation and status (an undeclared status
fails), and no operation left with FastAPI's default 422 schema."""

from __future__ import annotations

import json

import jsonschema
import sqlalchemy as sa

from service.store.db import make_engine
from tests.api import NEW, PROBLEM, json_import
from tests.db_faults import on_every_connection, set_revision, url_of
from tests.service_env import MEMBER, start_service


def check(svc, method: str, template: str, response, status: int) -> None:
    """``response`` is a ``status`` problem document that the OpenAPI
    document declares for (``method``, ``template``)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    document = svc.app.openapi()
    responses = document["paths"][template][method.lower()]["responses"]
    assert str(status) in responses, f"{method} {template} does not declare {status}"
    schema = responses[str(status)]["content"][PROBLEM]["schema"]
    validator = jsonschema.Draft202012Validator(
        {**schema, "components": document["components"]},
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    validator.validate(response.json())


def test_no_operation_keeps_the_default_validation_schema(svc):
    text = json.dumps(svc.app.openapi())
    assert "HTTPValidationError" not in text
    for path, item in svc.app.openapi()["paths"].items():
        for method, operation in item.items():
            for status, answer in operation["responses"].items():
                if int(status) >= 400:
                    assert list(answer["content"]) == [PROBLEM], (method, path, status)


def test_client_errors_match_the_declared_schema(svc):
    admin, hub = svc.as_("admin"), svc.as_("hub")
    body = json.dumps(NEW)
    cases = [
        (
            "POST",
            "/v1/members",
            svc.client.post(
                "/v1/members",
                content=b'{"id": "\xff"}',
                headers={**admin, "content-type": "application/json"},
            ),
            400,
        ),
        ("GET", "/v1/members", svc.client.get("/v1/members"), 401),
        ("GET", "/v1/audit", svc.client.get("/v1/audit", headers=hub), 403),
        ("GET", "/v1/members/{member_id}", svc.client.get("/v1/members/zz", headers=admin), 404),
        (
            "GET",
            "/problems/{kind}",
            svc.client.get("/problems/nope", headers={"Accept": "application/json"}),
            404,
        ),
        (
            "POST",
            "/v1/members",
            svc.client.post("/v1/members", json={**NEW, "id": MEMBER}, headers=admin),
            409,
        ),
        (
            "POST",
            "/v1/members",
            svc.client.post(
                "/v1/members",
                content=body + " " * svc.app.state.settings.max_body_bytes,
                headers={**admin, "content-type": "application/json"},
            ),
            413,
        ),
        (
            "POST",
            "/v1/members/import",
            svc.client.post(
                "/v1/members/import", content=b"x", headers={**admin, "content-type": "text/plain"}
            ),
            415,
        ),
        ("GET", "/v1/members", svc.client.get("/v1/members?limit=0", headers=admin), 422),
        (
            "PATCH",
            "/v1/members/{member_id}",
            svc.client.patch(f"/v1/members/{MEMBER}", json={"languages": 3}, headers=admin),
            422,
        ),
        (
            "PATCH",
            "/v1/members/{member_id}",
            svc.client.patch(
                f"/v1/members/{MEMBER}",
                json={"region": "latin_america_caribbean"},
                headers=svc.as_("member"),
            ),
            403,
        ),
    ]
    for method, template, response, status in cases:
        check(svc, method, template, response, status)


def test_rate_limited_writes_match_the_declared_schema(tmp_path):
    svc = start_service("sqlite", tmp_path, write_rate=0.01, write_burst=1)
    url = f"/v1/members/{MEMBER}"
    answers = [
        svc.client.patch(url, json={"description": "x"}, headers=svc.as_("admin")) for _ in range(2)
    ]
    check(svc, "PATCH", "/v1/members/{member_id}", answers[-1], 429)


def test_database_faults_match_the_declared_schema(tmp_path):
    svc = start_service("sqlite", tmp_path)
    admin = svc.as_("admin")
    with on_every_connection(svc.app.state.engine, "PRAGMA query_only = 1"):
        response = svc.client.post("/v1/members", json=NEW, headers=admin)
        check(svc, "POST", "/v1/members", response, 503)
    many = [{**NEW, "id": f"zz-{n:04d}", "description": "x" * 1000} for n in range(300)]
    with on_every_connection(svc.app.state.engine, "PRAGMA max_page_count = 1"):
        response = json_import(svc, {"schema_version": 1, "members": many})
        check(svc, "POST", "/v1/members/import", response, 507)
    engine = make_engine(url_of(svc))
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE auditrecord"))
    engine.dispose()
    check(svc, "GET", "/v1/audit", svc.client.get("/v1/audit", headers=admin), 500)


def test_not_ready_matches_the_declared_schema(svc):
    set_revision(url_of(svc), "0003")
    check(svc, "GET", "/ready", svc.client.get("/ready"), 503)


def test_a_405_allows_every_method_the_path_documents(svc):
    document = svc.app.openapi()
    for path, concrete in (
        ("/v1/members", "/v1/members"),
        ("/v1/members/{member_id}", f"/v1/members/{MEMBER}"),
        ("/v1/members/import", "/v1/members/import"),  # not the template's methods
        ("/v1/rounds", "/v1/rounds"),
        ("/health", "/health"),
    ):
        refused = svc.client.put(concrete, headers=svc.as_("admin"))
        assert refused.status_code == 405, path
        allowed = set(refused.headers["Allow"].split(", "))
        assert {m.upper() for m in document["paths"][path]} == allowed - {"HEAD"}, path
