"""The knowledge-flow map over HTTP: GET /v1/flow for admin and hub keys,
GET /v1/flow/members paged; a history built by publishing rounds."""

import json

import pytest

from tests.api import problem, publish_round


@pytest.fixture
def svc(fresh_svc):
    """The demo network without its synthetic history: these tests publish
    the rounds whose flows they count."""
    return fresh_svc


def flows_of_pairs(chosen):
    """Mentor → mentee flows of published pairs: one per theme of the pair."""
    return sum(1 for p in chosen for r in p["reasons"] if r["kind"] == "theme")


def test_an_empty_history_is_a_valid_empty_map(svc):
    for role in ("admin", "hub"):
        response = svc.client.get("/v1/flow", headers=svc.as_(role))
        assert response.status_code == 200, response.text
        doc = response.json()
        assert doc["rounds"] == [] and doc["cumulative"]["indicators"]["flows"] == 0
        assert doc["cumulative"]["indicators"]["reciprocity"] is None
        assert doc["member_counts"]["never_reached"] == doc["members"] > 0
    page = svc.client.get("/v1/flow/members?status=only_giving", headers=svc.as_("admin")).json()
    assert page == {"total": 0, "limit": 100, "offset": 0, "items": []}


def test_published_rounds_make_the_map(svc):
    _, pairs = publish_round(svc, "mentoring", approve=4)
    _, exchanges = publish_round(svc, "exchanges", approve=3)
    publish_round(svc, "circles", approve=2)
    doc = svc.client.get("/v1/flow", headers=svc.as_("admin")).json()
    assert [r["format"] for r in doc["rounds"]] == ["mentoring", "exchange", "circle"]
    first = doc["rounds"][0]["indicators"]
    assert first["flows"] == flows_of_pairs(pairs)
    assert first["ties"] == first["new_ties"] == len(pairs)  # one tie per pair, all new
    # An exchange: a flow per theme each side teaches, a tie each way that teaches.
    second = doc["rounds"][1]["indicators"]
    assert second["flows"] == sum(len(m["teaches"]) for e in exchanges for m in e["members"])
    assert second["ties"] == sum(1 for e in exchanges for m in e["members"] if m["teaches"])
    total = doc["cumulative"]["indicators"]
    assert total["flows"] == sum(r["indicators"]["flows"] for r in doc["rounds"])
    assert total["ties"] == sum(r["indicators"]["new_ties"] for r in doc["rounds"])
    counts = doc["member_counts"]
    statuses = ("never_reached", "only_receiving", "only_giving", "both", "no_flow")
    assert sum(counts[s] for s in statuses) == doc["members"]
    matrix = doc["cumulative"]["matrix"]
    assert sum(map(sum, matrix)) + doc["cumulative"]["unplaced"] == total["flows"]
    assert doc["brokers"] is not None and all(b["name"] for b in doc["brokers"])

    # The member lists, page by page, add up to the counts and name the members.
    mentors = {p["mentor"] for p in pairs}
    listed = []
    for offset in range(0, counts["only_receiving"] + 1, 3):
        url = f"/v1/flow/members?status=only_receiving&limit=3&offset={offset}"
        page = svc.client.get(url, headers=svc.as_("admin")).json()
        assert page["total"] == counts["only_receiving"]
        listed += page["items"]
    assert len(listed) == counts["only_receiving"] and all(m["name"] for m in listed)
    assert not {m["member"] for m in listed} & mentors  # a mentor gave
    unmet = svc.client.get("/v1/flow/members?status=needs_unmet", headers=svc.as_("admin")).json()
    assert unmet["total"] == counts["needs_unmet"] and all(m["themes"] for m in unmet["items"])


def test_a_hub_sees_aggregates_only(svc):
    publish_round(svc, "mentoring", approve=6)
    publish_round(svc, "circles", approve=3)
    ids = {
        m["id"]
        for m in svc.client.get("/v1/members?limit=500", headers=svc.as_("admin")).json()["items"]
    }
    admin = svc.client.get("/v1/flow", headers=svc.as_("admin")).json()
    response = svc.client.get("/v1/flow", headers=svc.as_("hub"))
    assert response.status_code == 200
    hub = response.json()
    text = json.dumps(hub)
    assert not [m for m in ids if f'"{m}"' in text]  # no member id anywhere
    assert hub["brokers"] is None and hub["brokers_count"] == admin["brokers_count"]
    # Small cells are left out, and with them enough others that none comes
    # back by subtraction: in every matrix, the left-out flows on the
    # diagonal, and off it, are none or at least 5 (or all of them); a cell
    # is left out in every matrix or in none.
    pairs = zip(hub["rounds"], admin["rounds"], strict=True)
    matrices = [(r["matrix"], a["matrix"]) for r, a in pairs]
    matrices.append((hub["cumulative"]["matrix"], admin["cumulative"]["matrix"]))
    left_out = {
        (i, j) for m, _ in matrices for i, row in enumerate(m) for j, x in enumerate(row)
        if x is None
    }  # fmt: skip
    for shown, whole in matrices:
        for i, row in enumerate(whole):
            for j, x in enumerate(row):
                assert shown[i][j] == (None if (i, j) in left_out and x else x)
                assert not 0 < x < 5 or (i, j) in left_out
        for diagonal in (True, False):
            hidden = sum(
                x for i, row in enumerate(whole) for j, x in enumerate(row)
                if (i == j) == diagonal and shown[i][j] is None
            )  # fmt: skip
            whole_class = sum(
                x for i, row in enumerate(whole) for j, x in enumerate(row) if (i == j) == diagonal
            )
            # ... or the whole diagonal (or all off it), whose total the
            # indicators give anyway without saying which region it is.
            assert hidden == 0 or hidden >= 5 or hidden == whole_class
    assert hub["cumulative"]["suppressed_cells"] == sum(
        1 for row in hub["cumulative"]["matrix"] for x in row if x is None
    )
    assert all(t["flows"] >= 5 for t in hub["themes"])
    assert all(d["demand"] >= 5 for d in hub["deserts"])
    assert len(hub["themes"]) + hub["suppressed"]["themes"] == len(admin["themes"])
    deserts = {d["theme"] for d in hub["deserts"]}
    assert set(hub["labels"]["themes"]) == {t["theme"] for t in hub["themes"]} | deserts
    assert hub["cumulative"]["indicators"] == admin["cumulative"]["indicators"]
    problem(svc.client.get("/v1/flow/members?status=never_reached", headers=svc.as_("hub")), 403)


def test_labels_follow_the_language(svc):
    publish_round(svc, "mentoring", approve=3)
    response = svc.client.get("/v1/flow", headers={**svc.as_("admin"), "Accept-Language": "fr"})
    assert response.headers["content-language"] == "fr"
    labels = response.json()["labels"]
    assert labels["lang"] == "fr" and labels["formats"]["circle"] == "Cercles d'apprentissage"
    assert labels["regions"]["africa"] == "Afrique"


def test_a_member_list_that_does_not_exist_is_a_problem(svc):
    problem(svc.client.get("/v1/flow/members?status=lost", headers=svc.as_("admin")), 422)
    # Without a status: those never reached (all of them, before any round).
    default = svc.client.get("/v1/flow/members", headers=svc.as_("admin")).json()
    counts = svc.client.get("/v1/flow", headers=svc.as_("admin")).json()["member_counts"]
    assert default["total"] == counts["never_reached"] > 0
    problem(svc.client.get("/v1/flow", headers=svc.as_("member")), 403)
