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
