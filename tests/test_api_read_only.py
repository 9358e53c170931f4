"""/ready: whether the database answers and its schema is the newest
migration's."""

from __future__ import annotations

from tests.api import problem
from tests.db_faults import retry_after, set_revision, url_of

# -- readiness -----------------------------------------------------------------------


def test_ready_when_the_database_answers_and_the_schema_is_current(svc):
    response = svc.client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "database": "ok",
        "migrations": "current",
        "read_only": False,
    }
    head = svc.client.head("/ready")
    assert head.status_code == 200 and head.content == b""


def test_not_ready_when_the_schema_is_not_current(svc):
    set_revision(url_of(svc), "0003")
    response = svc.client.get("/ready")
    body = problem(response, 503)
    assert "migrations" in body["detail"] and "0003" in body["detail"]
    assert body["checks"] == {
        "database": "ok",
        "migrations": "not current",
        "read_only": False,
    }
    assert retry_after(response) > 0
    assert svc.client.head("/ready").status_code == 503
