"""Rounds as jobs: with ``Prefer: respond-async`` creating or re-running a
round answers 202 with the job in ``Location``; the job runs the same use
case as the synchronous call (same round, same refusals) and one left
unfinished by a restart is marked failed. The runner is waited on, never
slept on."""

import threading

import pytest
from sqlmodel import Session, select

from service.api.app import create_app
from service.config import Settings
from service.store.db import make_engine, prepare
from service.store.models import Job, Round
from service.usecases import jobs
from tests.api import problem, publish_round
from tests.test_api_read_only import peermatch  # noqa: F401 (a fixture)

ASYNC = {"Prefer": "respond-async"}
ROUND_FIELDS = ("kind", "objective", "seed", "options", "input_sha256", "summary", "revision")
PROPOSAL_FIELDS = ("kind", "mentor", "mentee", "members", "languages", "score", "reasons")


def post_async(svc, url, **kwargs):
    response = svc.client.post(url, headers={**svc.as_("admin"), **ASYNC}, **kwargs)
    assert response.status_code == 202, response.text
    assert response.headers["Preference-Applied"] == "respond-async"
    assert response.headers["Location"].endswith(f"/v1/jobs/{response.json()['id']}")
    return response


def finished(svc, response):
    """The job of a 202 answer, once the runner has run it."""
    assert svc.app.state.jobs.wait(timeout=120)
    job = svc.client.get(response.headers["Location"], headers=svc.as_("admin"))
    assert job.status_code == 200 and "Retry-After" not in job.headers, job.text
    return job.json()


def same_round(a, b):
    assert {k: a[k] for k in ROUND_FIELDS} == {k: b[k] for k in ROUND_FIELDS}
    assert [{k: p[k] for k in PROPOSAL_FIELDS} for p in a["proposals"]] == [
        {k: p[k] for k in PROPOSAL_FIELDS} for p in b["proposals"]
    ]


@pytest.mark.parametrize("kind", ["mentoring", "circles"])
def test_a_job_makes_the_round_the_synchronous_call_makes(svc, kind):
    admin = svc.as_("admin")
    direct = svc.client.post("/v1/rounds", json={"kind": kind, "seed": 3}, headers=admin)
    assert direct.status_code == 201 and "Preference-Applied" not in direct.headers
    accepted = post_async(svc, "/v1/rounds", json={"kind": kind, "seed": 3})
    assert accepted.json()["kind"] == "round.create"
    assert accepted.json()["created_by"] == "test-admin"
    job = finished(svc, accepted)
    assert job["status"] == "done" and job["problem"] is None
    assert job["progress"] == {"stage": "storing", "fraction": 1.0}
    assert job["started_at"] <= job["finished_at"]
    made = svc.client.get(job["round_url"], headers=admin).json()
    assert made["id"] == job["round_id"] != direct.json()["id"]
    same_round(made, direct.json())


def test_a_rerun_job_reruns_the_round(svc):
    admin = svc.as_("admin")
    draft = svc.client.post("/v1/rounds", json={"kind": "mentoring", "seed": 1}, headers=admin)
    rid = draft.json()["id"]
    job = finished(svc, post_async(svc, f"/v1/rounds/{rid}/rerun"))
    assert (job["kind"], job["status"], job["round_id"]) == ("round.rerun", "done", rid)
    assert svc.client.get(f"/v1/rounds/{rid}", headers=admin).json()["revision"] == 2


def test_a_running_job_shows_its_stage(svc, monkeypatch):
    solving, go_on = threading.Event(), threading.Event()
    original = jobs.create_round

    def held(engine, *, progress, **kwargs):
        def told(stage, fraction):
            progress(stage, fraction)
            if stage == "solving":
                solving.set()
                assert go_on.wait(timeout=60)

        return original(engine, progress=told, **kwargs)

    monkeypatch.setattr(jobs, "create_round", held)
    accepted = post_async(svc, "/v1/rounds", json={"kind": "mentoring", "seed": 1})
    assert solving.wait(timeout=60)
    asked = svc.client.get(accepted.headers["Location"], headers=svc.as_("admin"))
    assert asked.headers["Retry-After"] == "1"
    running = asked.json()
    assert running["status"] == "running" and running["started_at"] is not None
    assert running["progress"] == {"stage": "solving", "fraction": 0.1}
    assert running["round_url"] is None and running["finished_at"] is None
    go_on.set()
    assert finished(svc, accepted)["status"] == "done"


def test_a_job_refused_when_it_runs_carries_the_synchronous_problem(svc):
    rid, _ = publish_round(svc, "mentoring", approve=2)
    direct = problem(svc.client.post(f"/v1/rounds/{rid}/rerun", headers=svc.as_("admin")), 409)
    job = finished(svc, post_async(svc, f"/v1/rounds/{rid}/rerun"))
    assert job["status"] == "failed" and job["round_url"] is None
    got = job["problem"]
    for field in ("type", "title", "status", "detail"):
        assert got[field] == direct[field]
    assert got["instance"] == f"/v1/jobs/{job['id']}"


def test_bad_input_is_refused_at_once_and_queues_nothing(svc):
    admin = {**svc.as_("admin"), **ASYNC}
    bad = svc.client.post("/v1/rounds", json={"kind": "circles", "themes": ["nope"]}, headers=admin)
    assert problem(bad, 422)["errors"][0]["field"] == "themes.0"
    problem(
        svc.client.post("/v1/rounds", json={"kind": "mentoring", "seed": -1}, headers=admin), 422
    )
    problem(svc.client.post("/v1/rounds/999/rerun", headers=admin), 404)
    with Session(svc.app.state.engine) as session:
        assert session.exec(select(Job)).all() == []


def test_other_preferences_keep_todays_answer(svc):
    headers = {**svc.as_("admin"), "Prefer": "return=minimal, wait=5"}
    response = svc.client.post("/v1/rounds", json={"kind": "mentoring"}, headers=headers)
    assert response.status_code == 201 and "proposals" in response.json()
    several = {**svc.as_("admin"), "Prefer": "wait=5, Respond-Async"}
    accepted = svc.client.post("/v1/rounds", json={"kind": "mentoring"}, headers=several)
    assert accepted.status_code == 202
    svc.app.state.jobs.wait(timeout=120)


def test_a_restart_marks_unfinished_jobs_failed(svc):
    engine = svc.app.state.engine
    with Session(engine) as session:
        rid = session.exec(select(Round.id)).first()
        rows = [
            Job(kind="round.create", status="running", stage="solving", params={}, created_by="a"),
            Job(kind="round.rerun", status="queued", params={"round_id": 1}, created_by="a"),
            Job(kind="round.create", status="done", params={}, created_by="a", round_id=rid),
        ]
        session.add_all(rows)
        session.commit()
        ids = [r.id for r in rows]
    restarted = create_app(svc.app.state.settings)  # what a restart runs first
    restarted.state.engine.dispose()
    restarted.state.auth_engine.dispose()
    admin = svc.as_("admin")
    running, queued, done = (svc.client.get(f"/v1/jobs/{i}", headers=admin).json() for i in ids)
    for job in (running, queued):
        assert job["status"] == "failed" and job["finished_at"] is not None
        assert job["problem"]["type"].endswith("/problems/interrupted")
        assert job["problem"]["status"] == 503 and "again" in job["problem"]["detail"]
    assert done["status"] == "done" and done["problem"] is None


def _running_job(engine) -> int:
    with Session(engine) as session:
        row = Job(kind="round.create", status="running", params={}, created_by="a")
        session.add(row)
        session.commit()
        return row.id


def _status(engine, job_id):
    with Session(engine) as session:
        return session.get(Job, job_id).status


def test_serve_fails_unfinished_jobs_once_before_its_workers_start(peermatch, tmp_path):  # noqa: F811
    url = f"sqlite:///{tmp_path / 'peermatch.db'}"
    engine = make_engine(url)
    prepare(engine)
    left = _running_job(engine)
    result, worker = peermatch(url, "serve")
    assert result.exit_code == 0 and worker is not None, result.output
    assert "1 unfinished job(s) of the last run marked failed" in result.output
    assert _status(engine, left) == "failed"
    # A worker starting later (uvicorn restarts one that died) leaves the
    # jobs of its live siblings alone.
    live = _running_job(engine)
    other = create_app(Settings(database_url=url, data_dir=tmp_path), migrate_schema=False)
    assert _status(engine, live) == "running"
    for e in (engine, worker.state.engine, worker.state.auth_engine, other.state.engine):
        e.dispose()
    other.state.auth_engine.dispose()


def test_an_unknown_job_is_404(svc):
    problem(svc.client.get("/v1/jobs/12345", headers=svc.as_("admin")), 404)


def test_openapi_declares_the_asynchronous_answer(svc):
    paths = svc.app.openapi()["paths"]
    for path in ("/v1/rounds", "/v1/rounds/{round_id}/rerun"):
        operation = paths[path]["post"]
        assert "prefer" in [p["name"] for p in operation["parameters"] if p["in"] == "header"]
        accepted = operation["responses"]["202"]
        assert set(accepted["headers"]) == {"Location", "Preference-Applied"}
        assert accepted["content"]["application/json"]["schema"]["$ref"].endswith("/JobPublic")
