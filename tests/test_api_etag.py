"""Conditional GETs on what the Hub polls: published results and
recommendations carry a strong ETag (a hash of the answer's bytes and its
language), and a matching If-None-Match gets 304 without a body."""

import hashlib
import time

import pytest

from service.api.etag import none_match
from tests.service_env import MEMBER

RECS = f"/v1/members/{MEMBER}/recommendations"


def _get(svc, url, role="hub", **headers):
    return svc.client.get(url, headers={**svc.as_(role), **headers})


def _publish_a_round(svc):
    admin = svc.as_("admin")
    draft = svc.client.post("/v1/rounds", json={"kind": "mentoring", "seed": 1}, headers=admin)
    rid = draft.json()["id"]
    proposal = draft.json()["proposals"][0]["id"]
    url = f"/v1/rounds/{rid}/proposals/{proposal}/decision"
    assert svc.client.post(url, json={"decision": "approve"}, headers=admin).status_code == 200
    assert (
        svc.client.post(
            f"/v1/rounds/{rid}/publish", json={"undecided": "withdraw"}, headers=admin
        ).status_code
        == 200
    )


def _assert_not_modified(response, etag):
    assert response.status_code == 304
    assert response.headers["etag"] == etag
    assert response.content == b""


@pytest.mark.parametrize("url", ["/v1/published", RECS, f"{RECS}?k=3&direction=exchanges"])
def test_the_etag_is_a_hash_of_the_answer_and_if_none_match_gets_304(svc, url):
    first = _get(svc, url)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert first.headers["content-language"] == "en"
    assert etag == '"' + hashlib.sha256(b"en\n" + first.content).hexdigest()[:32] + '"'
    assert first.headers["cache-control"] == "private, no-cache"
    assert _get(svc, url).headers["etag"] == etag  # the same answer, the same tag
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        _assert_not_modified(_get(svc, url, **{"If-None-Match": header}), etag)
    for header in ('"other"', etag.strip('"'), f'"x{etag[1:]}'):
        again = _get(svc, url, **{"If-None-Match": header})
        assert again.status_code == 200 and again.content == first.content


def test_published_changes_its_etag_when_a_round_is_published(svc):
    before = _get(svc, "/v1/published")
    _publish_a_round(svc)
    after = _get(svc, "/v1/published", **{"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.json()["pairs"]
    assert after.headers["etag"] != before.headers["etag"]
    _assert_not_modified(
        _get(svc, "/v1/published", role="admin", **{"If-None-Match": after.headers["etag"]}),
        after.headers["etag"],
    )


def test_recommendations_change_their_etag_with_the_question_and_the_network(svc):
    base = _get(svc, RECS, role="member")
    assert base.status_code == 200
    etag = base.headers["etag"]
    for other in (f"{RECS}?k=4", f"{RECS}?direction=mentees"):
        answer = _get(svc, other, role="member", **{"If-None-Match": etag})
        assert answer.status_code == 200 and answer.headers["etag"] != etag
    # A profile change that changes the answer changes the tag (the answer
    # names the new network version, at the least).
    change = {"description": "Now also looking for a mentor in research."}
    patched = svc.client.patch(f"/v1/members/{MEMBER}", json=change, headers=svc.as_("admin"))
    assert patched.status_code == 200
    for _ in range(200):  # the snapshot is rebuilt in the background
        answer = _get(svc, RECS, role="member", **{"If-None-Match": etag})
        if answer.status_code == 200:
            break
        time.sleep(0.05)
    assert answer.status_code == 200 and answer.headers["etag"] != etag
    assert answer.json()["network_version"] > base.json()["network_version"]


def test_errors_carry_no_etag(svc):
    missing = _get(svc, "/v1/members/nobody-here/recommendations", role="admin")
    assert missing.status_code == 404 and "etag" not in missing.headers
    unauthorised = svc.client.get("/v1/published", headers={"If-None-Match": "*"})
    assert unauthorised.status_code == 401


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        (None, False),
        ("", False),
        ("*", True),
        ('"abc"', True),
        ('W/"abc"', True),
        (' "x" ,W/"abc" , ', True),
        (', "abc"', True),
        ('"x"', False),
        ("abc", False),
        ('"x" "abc"', False),
        ('"abc', False),
        ('"abc", *', False),
    ],
)
def test_if_none_match_is_a_list_of_tags_compared_weakly(header, matches):
    assert none_match(header, '"abc"') is matches
