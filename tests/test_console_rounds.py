"""The console's rounds over HTTP: the create form (defaults from the
contract, problems next to their fields, a job), the review table (names,
filters) and bulk decisions on a revision (refused when stale)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.contract import RoundCreate
from service.store.models import Job, Member, Proposal, Relation, Round
from tests.console_env import csrf_of, post_form, sign_in

MENTORING = {
    "kind": "mentoring",
    "seed": "7",
    "objective": "welfare",
    "south_south_bonus": "0.15",
    "north_south_bonus": "0.1",
}


@pytest.fixture
def client(svc):
    with TestClient(svc.app, base_url="http://127.0.0.1") as c:
        sign_in(c, svc.keys["admin"])
        yield c


def create(svc, client, data=MENTORING) -> int:
    """Create a round through the form, run its job; the round's id."""
    made = post_form(client, "/console/rounds", data, page="/console/rounds")
    assert made.status_code == 303, made.text
    job_page = made.headers["location"]
    assert client.get(job_page).status_code == 200
    assert svc.app.state.jobs.wait(timeout=120)
    done = client.get(job_page + "/progress")
    assert done.status_code == 200
    return int(done.headers["HX-Redirect"].rsplit("/", 1)[1])


def revision_of(page_html: str) -> str:
    return re.search(r'name="revision" value="(\d+)"', page_html)[1]


def proposals(svc, round_id, status=None):
    with Session(svc.app.state.engine) as session:
        query = select(Proposal).where(Proposal.round_id == round_id)
        if status:
            query = query.where(Proposal.status == status)
        return session.exec(query.order_by(Proposal.id)).all()


def decide(client, round_id, data, *, page=None):
    page = page or client.get(f"/console/rounds/{round_id}").text
    form = {"revision": revision_of(page), "csrf_token": csrf_of(page), **data}
    return client.post(f"/console/rounds/{round_id}/decisions", data=form, follow_redirects=False)


def test_the_create_form_shows_the_contracts_defaults(client):
    page = client.get("/console/rounds").text
    knobs = ("south_south_bonus", "north_south_bonus", "same_region_bonus", "history_penalty")
    for name in (*knobs, "max_per_member"):
        default = RoundCreate.model_fields[name].default
        assert re.search(rf'name="{name}" type="number" value="{default}"', page), name
        assert f"Default: {default}." in page


def test_bad_knob_values_come_back_next_to_their_fields_and_queue_nothing(svc, client):
    bad = {**MENTORING, "south_south_bonus": "11", "seed": "-1", "north_south_bonus": "lots"}
    answer = post_form(client, "/console/rounds", bad, page="/console/rounds")
    assert answer.status_code == 422
    for name in ("south_south_bonus", "seed", "north_south_bonus"):
        assert re.search(rf'<p class="error" id="e-{name}">[^<]+</p>', answer.text), name
    assert 'value="lots"' in answer.text  # what was typed is kept
    circles = {"kind": "circles", "themes": "budget_trackin", "size_min": "2", "size_max": "1"}
    answer = post_form(client, "/console/rounds", circles, page="/console/rounds")
    assert answer.status_code == 422
    assert "did you mean &#39;budget_tracking&#39;" in answer.text
    assert re.search(r'<p class="error">size must be', answer.text)
    with Session(svc.app.state.engine) as session:
        assert session.exec(select(Job)).all() == []


def test_a_round_is_computed_as_a_job_and_reviewed_with_names(svc, client):
    round_id = create(svc, client)
    listed = client.get("/console/rounds").text
    assert f'href="/console/rounds/{round_id}"' in listed
    page = client.get(f"/console/rounds/{round_id}").text
    first = proposals(svc, round_id)[0]
    with Session(svc.app.state.engine) as session:
        mentor = session.get(Member, first.mentor)
    assert mentor.name in page
    assert "Proven optimal" in page
    assert f'href="/console/rounds/{round_id}/publish"' in page


def test_the_progress_of_a_failed_job_says_why(svc, client, monkeypatch):
    from service.usecases import jobs

    def refuse(engine, **_):
        from service.usecases.errors import Conflict

        raise Conflict("the members changed: nothing to pair")

    monkeypatch.setattr(jobs, "create_round", refuse)
    made = post_form(client, "/console/rounds", MENTORING, page="/console/rounds")
    assert svc.app.state.jobs.wait(timeout=120)
    progress = client.get(made.headers["location"] + "/progress")
    assert "HX-Redirect" not in progress.headers
    assert "The round could not be computed" in progress.text
    assert "the members changed: nothing to pair" in progress.text
    assert "hx-trigger" not in progress.text  # polling stops


def test_filters_narrow_the_table_on_the_server(svc, client):
    round_id = create(svc, client)
    everything = client.get(f"/console/rounds/{round_id}").text
    shown = re.search(r"(\d+) proposals shown", everything)[1]
    assert int(shown) == len(proposals(svc, round_id))
    region = re.search(r'<select id="f-region".*?<option value="([a-z_]+)"', everything, re.S)[1]
    narrowed = client.get(f"/console/rounds/{round_id}?region={region}").text
    assert int(re.search(r"(\d+) proposals shown", narrowed)[1]) < int(shown)
    theme = next(r["key"] for r in proposals(svc, round_id)[0].reasons if r["kind"] == "theme")
    about = client.get(f"/console/rounds/{round_id}?theme={theme}&language=en").text
    expected = [
        p.id
        for p in proposals(svc, round_id)
        if "en" in p.languages and theme in {r["key"] for r in p.reasons if r["kind"] == "theme"}
    ]
    assert int(re.search(r"(\d+) proposals shown", about)[1]) == len(expected) > 0


def test_bulk_decisions_never_again_and_a_stale_view(svc, client):
    round_id = create(svc, client)
    ids = [p.id for p in proposals(svc, round_id)]
    opened = client.get(f"/console/rounds/{round_id}").text
    approved = decide(client, round_id, {"ids": ids[:3], "action": "approve", "lock": "1"})
    assert approved.status_code == 303
    assert "decided=3" in approved.headers["location"]
    assert [p.id for p in proposals(svc, round_id, "approved")] == ids[:3]
    # "Never again" without a note: refused next to the note, nothing decided.
    refused = decide(client, round_id, {"ids": ids[3], "action": "decline", "never_again": "1"})
    assert refused.status_code == 422
    assert 'id="e-note"' in refused.text
    assert proposals(svc, round_id, "declined") == []
    declined = decide(
        client,
        round_id,
        {"ids": ids[3], "action": "decline", "never_again": "1", "note": "met already"},
    )
    assert declined.status_code == 303
    with Session(svc.app.state.engine) as session:
        stored = session.exec(select(Relation).where(Relation.round_id == round_id)).all()
    assert sorted(r.kind for r in stored) == ["exclusion", "locked", "locked", "locked"]
    # The page opened before those decisions: refused, saying what changed.
    stale = decide(client, round_id, {"ids": ids[4], "action": "approve"}, page=opened)
    assert stale.status_code == 409
    assert "This round changed since you opened it" in stale.text
    assert f"proposals {ids[0]}, {ids[1]}, {ids[2]}, {ids[3]} were decided on" in stale.text
    assert "proposal.approve by test-admin" in stale.text
    assert proposals(svc, round_id)[4].status == "proposed"
    assert revision_of(stale.text) == revision_of(client.get(f"/console/rounds/{round_id}").text)


def test_a_rerun_is_a_job_that_keeps_the_approved_ids(svc, client):
    round_id = create(svc, client)
    ids = [p.id for p in proposals(svc, round_id)]
    decide(client, round_id, {"ids": ids[:2], "action": "approve"})
    rerun = post_form(
        client, f"/console/rounds/{round_id}/rerun", {}, page=f"/console/rounds/{round_id}"
    )
    assert rerun.status_code == 303 and "/console/rounds/jobs/" in rerun.headers["location"]
    assert svc.app.state.jobs.wait(timeout=120)
    progress = client.get(rerun.headers["location"] + "/progress")
    assert progress.headers["HX-Redirect"] == f"/console/rounds/{round_id}"
    assert [p.id for p in proposals(svc, round_id, "approved")] == ids[:2]


def test_refusals_member_key_and_missing_csrf(svc, client):
    round_id = create(svc, client)
    posts = (
        "/console/rounds",
        f"/console/rounds/{round_id}/decisions",
        f"/console/rounds/{round_id}/rerun",
    )
    for path in posts:
        refused = client.post(path, data={"kind": "mentoring", "ids": "1", "action": "approve"})
        assert refused.status_code == 403, path
        assert "This form has expired" in refused.text
    assert proposals(svc, round_id, "approved") == []
    with TestClient(svc.app, base_url="http://127.0.0.1") as member:
        sign_in(member, svc.keys["member"])
        for path in ("/console/rounds", f"/console/rounds/{round_id}", "/console/rounds/jobs/1"):
            assert member.get(path).status_code == 403, path
    with TestClient(svc.app, base_url="http://127.0.0.1") as nobody:
        away = nobody.get(f"/console/rounds/{round_id}", follow_redirects=False)
        assert away.status_code == 303 and "/console/sign-in" in away.headers["location"]


def test_a_stable_round_says_what_stability_costs(svc, client):
    round_id = create(svc, client, {**MENTORING, "objective": "stable"})
    page = client.get(f"/console/rounds/{round_id}").text
    with Session(svc.app.state.engine) as session:
        summary = session.get(Round, round_id).summary
    assert "What stability costs" in page
    assert f"{summary['stability_cost']:.2f} of score" in page


def test_circles_are_reviewed_with_their_members_roles(svc, client):
    round_id = create(
        svc, client, {"kind": "circles", "seed": "3", "size_min": "3", "size_max": "6"}
    )
    page = client.get(f"/console/rounds/{round_id}").text
    assert "· anchor</li>" in page and "· learner</li>" in page
    assert "Objective" not in page  # a mentoring round's facts
    theme = proposals(svc, round_id)[0].theme
    only = client.get(f"/console/rounds/{round_id}?theme={theme}").text
    shown = int(re.search(r"(\d+) proposals shown", only)[1])
    assert shown == sum(p.theme == theme for p in proposals(svc, round_id))


def test_an_unknown_round_is_not_found(client):
    assert client.get("/console/rounds/999").status_code == 404


def test_the_equity_knobs_reach_the_engine(svc, client):
    round_id = create(svc, client, {**MENTORING, "same_region_bonus": "2", "history_penalty": "0"})
    with Session(svc.app.state.engine) as session:
        options = session.get(Round, round_id).options
    assert options["same_region_bonus"] == 2 and options["history_penalty"] == 0
    same_region = [
        r for p in proposals(svc, round_id) for r in p.reasons if r["kind"] == "same_region"
    ]
    assert same_region and all(r["contribution"] == 2 for r in same_region)
