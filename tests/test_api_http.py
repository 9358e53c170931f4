"""HTTP details every route shares: health, request bodies and their lengths."""

import json

import pytest

from tests.api import NEW, problem


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
