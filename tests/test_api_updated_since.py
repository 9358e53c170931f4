"""GET /v1/members?updated_since=: the members whose profile a create, an
update or an import changed after a moment (never a write that changed
nothing)."""

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests.api import NEW, json_import, problem

SECOND = {**NEW, "id": "zz-second-coalition", "name": "Second Coalition"}


def _moment():
    time.sleep(0.002)  # the next write is surely later than this moment
    moment = datetime.now(UTC)
    time.sleep(0.002)
    return moment


def _since(svc, moment, **params):
    value = moment if isinstance(moment, str) else moment.isoformat()
    response = svc.client.get(
        "/v1/members", params={"updated_since": value, **params}, headers=svc.as_("hub")
    )
    assert response.status_code == 200, response.text
    body = response.json()
    return body["total"], [m["id"] for m in body["members"]]


def test_creates_updates_and_imports_that_change_a_profile_are_listed(svc):
    admin = svc.as_("admin")
    t0 = _moment()
    assert _since(svc, t0) == (0, [])
    assert svc.client.post("/v1/members", json=NEW, headers=admin).status_code == 201
    t1 = _moment()
    changed = {"description": "Now also mentoring on budget tracking."}
    assert svc.client.patch("/v1/members/ke-coalition", json=changed, headers=admin).is_success
    same = svc.client.get("/v1/members/af-coalition", headers=admin).json()["description"]
    noop = {"description": same}
    assert svc.client.patch("/v1/members/af-coalition", json=noop, headers=admin).is_success
    assert _since(svc, t1) == (1, ["ke-coalition"])
    assert _since(svc, t0) == (2, ["ke-coalition", NEW["id"]])
    t2 = _moment()
    report = json_import(svc, {"schema_version": 1, "members": [NEW, SECOND]}).json()
    assert (report["created"], report["unchanged"]) == (1, 1)
    assert _since(svc, t2) == (1, [SECOND["id"]])
    t3 = _moment()
    renamed = {**NEW, "name": "Renamed Coalition"}
    report = json_import(svc, {"schema_version": 1, "members": [renamed, SECOND]}).json()
    assert (report["updated"], report["unchanged"]) == (1, 1)
    assert _since(svc, t3) == (1, [NEW["id"]])
    # Paged like the whole list: total counts every match.
    assert _since(svc, t0, limit=1, offset=1) == (3, ["zz-new-coalition"])
    assert _since(svc, _moment()) == (0, [])


def test_the_time_may_be_written_with_any_offset_or_none_for_utc(svc):
    t0 = _moment()
    change = {"description": "changed"}
    svc.client.patch("/v1/members/ke-coalition", json=change, headers=svc.as_("admin"))
    expected = (1, ["ke-coalition"])
    assert _since(svc, t0.astimezone(timezone(timedelta(hours=-5)))) == expected
    assert _since(svc, t0.isoformat().replace("+00:00", "Z")) == expected
    assert _since(svc, t0.replace(tzinfo=None).isoformat()) == expected
    assert _since(svc, (t0 + timedelta(hours=1)).replace(tzinfo=None).isoformat()) == (0, [])
    everyone = _since(svc, "2000-01-01")
    assert everyone[0] == 126
    assert _since(svc, "0001-01-01T00:00:00+05:00")[0] == 126
    assert _since(svc, "9999-12-31T23:00:00-05:00") == (0, [])


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "", "20261201", "0.5"])
def test_an_unreadable_time_is_422(svc, value):
    response = svc.client.get(
        "/v1/members", params={"updated_since": value}, headers=svc.as_("hub")
    )
    assert problem(response, 422)["errors"][0]["field"] == "updated_since"
