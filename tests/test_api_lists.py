"""Every list the API answers has one shape, ``{total, limit, offset, items}``:
any page is the slice of the whole list it names, walking the pages with any
``limit`` gives each item once and in order, and the names lists had before
``items`` are deprecated aliases holding the same items."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api import publish_round
from tests.service_env import BACKENDS, MEMBER, start_service

LISTS = {
    # path (with the round ids filled in) → (its deprecated aliases, how its items are ordered)
    "/v1/members": (("members",), lambda x: x["id"]),
    "/v1/audit": (("records",), lambda x: -x["id"]),
    "/v1/rounds": (("rounds",), lambda x: -x["id"]),
    "/v1/rounds/{mentoring}/proposals": ((), lambda x: x["id"]),
    "/v1/rounds/{circles}/proposals": ((), lambda x: x["id"]),
    "/v1/rounds/{mentoring}/feedback": ((), lambda x: x["id"]),
    "/v1/published": (("pairs", "circles"), lambda x: (x["round_id"], x["proposal_id"])),
    "/v1/locks": ((), lambda x: (x["mentor"], x["mentee"])),
    "/v1/exclusions": ((), lambda x: (x["member_a"], x["member_b"])),
}
MOST = {"/v1/rounds": 500, "/v1/published": 10_000}
"""The largest ``limit`` of each list; the others take 1000."""
_ONCE = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module", params=BACKENDS)
def lists(request, tmp_path_factory):
    """The demo with two published rounds (pairs and circles), a draft, and
    feedback from two authors: every list holds a few pages' worth."""
    svc = start_service(request.param, tmp_path_factory.mktemp("lists"))
    mentoring, pairs = publish_round(svc, "mentoring", approve=5)
    circles, _ = publish_round(svc, "circles", approve=4)
    svc.client.post("/v1/rounds", json={"kind": "mentoring", "seed": 2}, headers=svc.as_("admin"))
    for proposal in pairs[:5]:
        url = f"/v1/proposals/{proposal['id']}/feedback"
        body = {"met": proposal["id"] % 2 == 0, "usefulness": 4}
        assert svc.client.post(url, json=body, headers=svc.as_("admin")).status_code == 201
    mine = next(p for p in pairs if MEMBER in (p["mentor"], p["mentee"]))
    url = f"/v1/proposals/{mine['id']}/feedback"
    body = {"met": True, "usefulness": 2}
    assert svc.client.post(url, json=body, headers=svc.as_("member")).status_code == 201
    # Pairs of one matching fit the capacities together: a few locks and
    # exclusions beside the demo's own.
    for p in pairs[1:3]:
        lock = {"mentor": p["mentor"], "mentee": p["mentee"]}
        assert svc.client.post("/v1/locks", json=lock, headers=svc.as_("admin")).status_code == 201
    for p in pairs[3:5]:
        pair = {"member_a": p["mentor"], "member_b": p["mentee"]}
        made = svc.client.post("/v1/exclusions", json=pair, headers=svc.as_("admin"))
        assert made.status_code == 201, made.text
    yield svc, {"mentoring": mentoring, "circles": circles}
    svc.client.close()
    svc.app.state.engine.dispose()
    svc.app.state.auth_engine.dispose()


def _get(svc, path, **params):
    response = svc.client.get(path, params=params, headers=svc.as_("admin"))
    assert response.status_code == 200, response.text
    return response.json()


def _whole(svc, path):
    return _get(svc, path, limit=MOST.get(path, 1000))


@pytest.fixture(params=list(LISTS))
def a_list(request, lists):
    svc, rounds = lists
    return svc, request.param.format(**rounds), request.param


def test_the_whole_list_is_in_its_documented_order_and_counted(a_list):
    svc, path, template = a_list
    whole = _whole(svc, path)
    _, order = LISTS[template]
    assert whole["total"] == len(whole["items"]) >= 3
    assert whole["offset"] == 0 and whole["limit"] == MOST.get(path, 1000)
    keys = [order(x) for x in whole["items"]]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


@_ONCE
@given(limit=st.integers(1, 12), offset=st.integers(0, 140))
def test_a_page_is_the_slice_of_the_list_it_names(a_list, limit, offset):
    svc, path, _ = a_list
    whole = _whole(svc, path)
    page = _get(svc, path, limit=limit, offset=offset)
    assert (page["total"], page["limit"], page["offset"]) == (whole["total"], limit, offset)
    assert page["items"] == whole["items"][offset : offset + limit]


@_ONCE
@given(limit=st.integers(1, 12))
def test_walking_the_pages_gives_every_item_once_in_order(a_list, limit):
    svc, path, _ = a_list
    whole, walked, offset = _whole(svc, path), [], 0
    while offset < whole["total"]:
        page = _get(svc, path, limit=limit, offset=offset)
        assert page["total"] == whole["total"] and 0 < len(page["items"]) <= limit
        walked += page["items"]
        offset += limit
    assert walked == whole["items"]
    past = _get(svc, path, limit=limit, offset=offset)
    assert past["items"] == [] and past["total"] == whole["total"]


def test_the_deprecated_aliases_hold_the_items(a_list):
    svc, path, template = a_list
    aliases, _ = LISTS[template]
    page = _get(svc, path, limit=4, offset=1)
    if aliases == ("pairs", "circles"):
        for kind in ("pair", "circle"):
            assert page[f"{kind}s"] == [x for x in page["items"] if x["type"] == kind]
        assert len(page["pairs"]) + len(page["circles"]) == len(page["items"])
    else:
        assert all(page[alias] == page["items"] for alias in aliases)


def test_published_without_limit_is_the_whole_list(lists):
    svc, _ = lists
    answer = _get(svc, "/v1/published")
    assert answer["limit"] is None and answer["offset"] == 0
    assert answer["items"] == _whole(svc, "/v1/published")["items"]
    assert {x["type"] for x in answer["items"]} == {"pair", "circle"}
    two = _get(svc, "/v1/published", offset=2)
    assert two["items"] == answer["items"][2:] and two["limit"] is None


def test_a_members_published_results_are_paged_too(lists):
    svc, _ = lists
    path = f"/v1/members/{MEMBER}/published"
    mine = svc.client.get(path, headers=svc.as_("member")).json()
    assert mine["total"] == len(mine["items"]) >= 1
    page = svc.client.get(path, params={"limit": 1}, headers=svc.as_("member")).json()
    assert page["items"] == mine["items"][:1] and page["total"] == mine["total"]


def test_feedback_lists_each_authors_record_of_the_rounds_proposals(lists):
    svc, rounds = lists
    feedback = _whole(svc, f"/v1/rounds/{rounds['mentoring']}/feedback")["items"]
    assert {f["author"] for f in feedback} == {"test-admin", "test-member"}
    assert len(feedback) == 6
    assert _whole(svc, f"/v1/rounds/{rounds['circles']}/feedback")["items"] == []


def test_proposals_are_as_the_round_shows_them(lists):
    svc, rounds = lists
    for kind in ("mentoring", "circles"):
        round_id = rounds[kind]
        shown = _get(svc, f"/v1/rounds/{round_id}")["proposals"]
        assert _whole(svc, f"/v1/rounds/{round_id}/proposals")["items"] == shown


@pytest.mark.parametrize("sub", ["proposals", "feedback"])
def test_the_lists_of_a_missing_round_are_not_found(lists, sub):
    svc, _ = lists
    response = svc.client.get(f"/v1/rounds/999999/{sub}", headers=svc.as_("admin"))
    assert response.status_code == 404 and "round" in response.json()["detail"]


@pytest.mark.parametrize("template", [t for t in LISTS if "{" not in t])
@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 100_000}, {"offset": -1}])
def test_a_limit_or_offset_out_of_range_is_a_problem_naming_it(lists, template, params):
    svc, _ = lists
    response = svc.client.get(template, params=params, headers=svc.as_("admin"))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == list(params)


def test_openapi_marks_the_aliases_deprecated_and_points_to_items(lists):
    svc, _ = lists
    schemas = svc.app.openapi()["components"]["schemas"]
    for model, aliases in {
        "MemberList": ["members"],
        "AuditList": ["records"],
        "RoundList": ["rounds"],
        "Published": ["pairs", "circles"],
    }.items():
        properties = schemas[model]["properties"]
        assert {"total", "limit", "offset", "items"} <= set(properties)
        deprecated = sorted(k for k, v in properties.items() if v.get("deprecated"))
        assert deprecated == sorted(aliases)
        for alias in aliases:
            assert properties[alias]["description"].startswith("Deprecated")
            assert "`items`" in properties[alias]["description"]


def test_each_page_of_published_results_has_its_own_etag(lists):
    svc, _ = lists
    pages = [{}, {"limit": 1}, {"limit": 1, "offset": 1}, {"limit": 2}]
    tags = []
    for params in pages:
        first = svc.client.get("/v1/published", params=params, headers=svc.as_("hub"))
        tags.append(first.headers["etag"])
        again = svc.client.get(
            "/v1/published", params=params, headers={**svc.as_("hub"), "If-None-Match": tags[-1]}
        )
        assert again.status_code == 304
    assert len(set(tags)) == len(pages)


def test_the_secretariat_sees_contacts_in_the_items_and_the_hub_does_not(lists):
    svc, _ = lists
    for role, contacts in (("admin", True), ("hub", False)):
        page = svc.client.get("/v1/members", params={"limit": 3}, headers=svc.as_(role)).json()
        assert all(("contact_email" in m) is contacts for m in page["items"])
