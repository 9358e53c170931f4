"""Every route × every role: a route denies unless its role is granted, and no
hub or member response carries another member's contact person."""

import json

import pytest
from fastapi.routing import APIRoute

from tests.service_env import MEMBER

OTHER = "af-coalition"
A, H, M = "admin", "hub", "member"
# (method, path template) → roles granted. Paths are filled with MEMBER (the
# member key's own id) unless the template says {other}.
MATRIX = {
    ("GET", "/v1/taxonomy"): {A, H, M},
    ("GET", "/v1/capacity-map"): {A, H},
    ("GET", "/v1/audit"): {A},
    ("GET", "/metrics"): {A},
    ("GET", "/v1/members"): {A, H},
    ("POST", "/v1/members"): {A},
    ("POST", "/v1/members/import"): {A},
    ("GET", "/v1/members/export"): {A},
    ("GET", "/v1/members/{member_id}"): {A, H, M},
    ("PATCH", "/v1/members/{member_id}"): {A, M},
    ("DELETE", "/v1/members/{member_id}"): {A},
    ("GET", "/v1/members/{member_id}/recommendations"): {A, H, M},
    ("GET", "/v1/members/{member_id}/published"): {A, H, M},
    ("POST", "/v1/rounds"): {A},
    ("GET", "/v1/rounds"): {A},
    ("GET", "/v1/rounds/{round_id}"): {A},
    ("POST", "/v1/rounds/{round_id}/proposals/{proposal_id}/decision"): {A},
    ("POST", "/v1/rounds/{round_id}/rerun"): {A},
    ("POST", "/v1/rounds/{round_id}/publish"): {A},
    ("GET", "/v1/published"): {A, H},
    ("POST", "/v1/proposals/{proposal_id}/feedback"): {A, M},
    ("DELETE", "/v1/locks/{mentor}/{mentee}"): {A},
    ("DELETE", "/v1/exclusions/{member_a}/{member_b}"): {A},
}
PUBLIC = {("GET", "/health"), ("HEAD", "/health")}


def routes(app):
    """Every API route, also those of included routers, documented or not."""
    found, stack = set(), list(app.routes)
    while stack:
        route = stack.pop()
        if isinstance(route, APIRoute):
            found |= {(method, route.path) for method in route.methods}
        elif hasattr(route, "original_router"):
            stack.extend(route.original_router.routes)
    return found


def test_the_matrix_covers_every_route(svc):
    assert routes(svc.app) == set(MATRIX) | PUBLIC


def _request(svc, method, path, headers):
    filled = path.format(
        member_id=MEMBER,
        round_id=1,
        proposal_id=1,
        mentor=MEMBER,
        mentee=OTHER,
        member_a=MEMBER,
        member_b=OTHER,
    )
    body = {
        "POST /v1/members": {
            "id": "zz",
            "name": "Z",
            "kind": "national_coalition",
            "languages": ["en"],
        },
        "POST /v1/rounds": {"kind": "mentoring"},
        "PATCH /v1/members/{member_id}": {"description": "x"},
        "POST /v1/rounds/{round_id}/proposals/{proposal_id}/decision": {"decision": "approve"},
        "POST /v1/proposals/{proposal_id}/feedback": {"met": True, "usefulness": 3},
    }.get(f"{method} {path}")
    if path.endswith("/import"):
        return svc.client.request(
            method,
            filled,
            content=b'{"schema_version":1,"members":[]}',
            headers={**headers, "content-type": "application/json"},
        )
    return svc.client.request(method, filled, json=body, headers=headers)


@pytest.mark.parametrize("role", [A, H, M, None, "revoked"])
def test_every_route_denies_unless_granted(svc, role, tmp_path):
    if role == "revoked":
        from sqlmodel import Session

        from service.usecases.keys import create_key, revoke_key

        with Session(svc.app.state.engine) as session:
            key = create_key(session, name="old", role="admin", member_id=None)
            revoke_key(session, name="old")
            session.commit()
        headers = {"X-API-Key": key}
    else:
        headers = svc.as_(role) if role else {}
    svc.client.post("/v1/rounds", json={"kind": "mentoring"}, headers=svc.as_(A))
    for (method, path), granted in sorted(MATRIX.items()):
        response = _request(svc, method, path, headers)
        if role in (None, "revoked"):
            expected = {401}
        elif role in granted:
            expected = set(range(200, 300)) | {404, 409}
        else:
            expected = {403}
        assert response.status_code in expected, (role, method, path, response.text)
        assert response.status_code < 500


def test_member_asking_for_another_member_gets_404(svc):
    me = svc.as_(M)
    for path in ("/v1/members/{}", "/v1/members/{}/recommendations", "/v1/members/{}/published"):
        assert svc.client.get(path.format(OTHER), headers=me).status_code == 404


def test_no_hub_or_member_response_holds_anothers_contact(svc):
    admin = svc.as_(A)
    secret = "secret-person@example.org"
    for member_id in (OTHER, MEMBER):
        svc.client.patch(
            f"/v1/members/{member_id}",
            json={"contact_email": f"{member_id}-{secret}", "contact_name": "P"},
            headers=admin,
        )
    draft = svc.client.post(
        "/v1/rounds", json={"kind": "mentoring", "seed": 1}, headers=admin
    ).json()
    for p in draft["proposals"]:
        svc.client.post(
            f"/v1/rounds/{draft['id']}/proposals/{p['id']}/decision",
            json={"decision": "approve"},
            headers=admin,
        )
    svc.client.post(f"/v1/rounds/{draft['id']}/publish", headers=admin)
    for role in (H, M):
        for method, path in MATRIX:
            if method != "GET":
                continue
            for member_id in (MEMBER, OTHER):
                url = path.format(member_id=member_id, round_id=draft["id"], proposal_id=1)
                text = svc.client.get(url, headers=svc.as_(role)).text
                assert f"{OTHER}-{secret}" not in text, (role, url)
                if role == H:
                    assert secret not in text, (role, url)
    own = svc.client.get(f"/v1/members/{MEMBER}", headers=svc.as_(M)).json()
    assert own["contact_email"] == f"{MEMBER}-{secret}"
    assert json.dumps(own).count("@") == 1
