"""HTTP details every route shares: health, request bodies and their lengths."""

import json

import pytest

from tests.api import NEW, json_import, problem


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


def test_health_answers_head(svc):
    response = svc.client.head("/health")
    assert response.status_code == 200 and response.content == b""


def test_writes_are_rate_limited_per_key_and_imports_are_not(tmp_path):
    from tests.service_env import start_service

    svc = start_service("sqlite", tmp_path, write_rate=2, write_burst=3)
    now = [100.0]
    svc.app.state.write_buckets.clock = lambda: now[0]
    admin, member = svc.as_("admin"), svc.as_("member")
    patch = {"description": "a"}
    url = "/v1/members/ke-coalition"
    codes = [svc.client.patch(url, json=patch, headers=admin).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = svc.client.patch(url, json=patch, headers=admin)
    body = problem(refused, 429)
    assert refused.headers["Retry-After"] == "1" and "2 writes a second" in body["detail"]
    # Another key has its own bucket; reads and imports are not counted.
    assert svc.client.patch(url, json=patch, headers=member).status_code == 200
    assert svc.client.get(url, headers=admin).status_code == 200
    doc = {"schema_version": 1, "members": [NEW]}
    assert json_import(svc, doc).status_code == 200
    now[0] += 0.5  # one token back at 2 a second
    assert svc.client.patch(url, json=patch, headers=admin).status_code == 200
    assert svc.client.patch(url, json=patch, headers=admin).status_code == 429
    svc.app.state.engine.dispose()
    svc.app.state.auth_engine.dispose()


HUB_PAGE = "https://hub.example.org"


@pytest.fixture
def cors_svc(tmp_path):
    from tests.service_env import start_service

    svc = start_service("sqlite", tmp_path, cors_origins=f" {HUB_PAGE}/ , https://other.example")
    yield svc
    svc.client.close()
    svc.app.state.engine.dispose()
    svc.app.state.auth_engine.dispose()


def test_a_preflight_from_an_allowed_origin_gets_the_cors_headers(cors_svc):
    response = cors_svc.client.options(
        "/v1/members/ke-coalition",
        headers={
            "Origin": HUB_PAGE,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "x-api-key, content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == HUB_PAGE
    assert "PATCH" in response.headers["access-control-allow-methods"]
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "x-api-key" in allowed and "content-type" in allowed


def test_a_simple_request_from_an_allowed_origin_may_read_the_answer(cors_svc):
    response = cors_svc.client.get(
        "/v1/published", headers={**cors_svc.as_("hub"), "Origin": HUB_PAGE}
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == HUB_PAGE
    exposed = response.headers["access-control-expose-headers"].lower()
    assert {"etag", "retry-after", "x-request-id"} <= {h.strip() for h in exposed.split(",")}
    # A refusal is readable too: the page can show the problem document.
    refused = cors_svc.client.get("/v1/published", headers={"Origin": HUB_PAGE})
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == HUB_PAGE


def test_other_origins_get_no_cors_headers(cors_svc):
    preflight = cors_svc.client.options(
        "/v1/published",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    simple = cors_svc.client.get(
        "/v1/published", headers={**cors_svc.as_("hub"), "Origin": "https://evil.example"}
    )
    assert simple.status_code == 200
    assert "access-control-allow-origin" not in simple.headers


def test_cors_is_off_by_default(svc):
    preflight = svc.client.options(
        "/v1/published",
        headers={"Origin": HUB_PAGE, "Access-Control-Request-Method": "GET"},
    )
    simple = svc.client.get("/v1/published", headers={**svc.as_("hub"), "Origin": HUB_PAGE})
    assert simple.status_code == 200
    for response in (preflight, simple):
        assert not any(h.startswith("access-control-") for h in response.headers)


def test_cors_origins_are_read_from_the_environment(monkeypatch):
    from service.config import Settings

    monkeypatch.setenv("PEERMATCH_CORS_ORIGINS", "https://a.example, https://b.example/")
    assert Settings().cors_origin_list() == ["https://a.example", "https://b.example"]
    monkeypatch.setenv("PEERMATCH_CORS_ORIGINS", "")
    assert Settings().cors_origin_list() == []
