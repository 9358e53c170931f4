"""The pages of a member key over HTTP: its profile (edit what a member may
edit), its recommendations, its published partners with their contacts and
its feedback; never another member's pages."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from matcher import default_taxonomy
from service.contract import MEMBER_EDITABLE_FIELDS
from service.store.models import Member
from service.usecases.access import Principal
from service.usecases.errors import Forbidden
from service.usecases.partners import published_partners
from tests.api import publish_round
from tests.console_env import post_form, sign_in
from tests.service_env import MEMBER

OTHER = "sn-coalition"


@pytest.fixture
def client(svc):
    with TestClient(svc.app, base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture
def member(svc, client):
    assert sign_in(client, svc.keys["member"]).status_code == 303
    return client


def _profile_form(client) -> dict[str, str]:
    """The profile form as the page fills it."""
    page = client.get(f"/console/profile/{MEMBER}").text
    form = dict(re.findall(r'<input id="f-(\w+)" name="\w+" type="\w+" value="([^"]*)"', page))
    form["description"] = re.search(r'name="description"[^>]*>([^<]*)<', page)[1]
    for name, level in re.findall(
        r'<select name="((?:exp|need)-\w+)".*?value="(\d)" selected', page, re.S
    ):
        form[name] = level
    return form


def test_the_navigation_leads_a_member_to_its_own_pages(member):
    for section in ("profile", "recommendations", "partners"):
        answer = member.get(f"/console/{section}", follow_redirects=False)
        assert answer.headers["location"] == f"/console/{section}/{MEMBER}"
        assert member.get(answer.headers["location"]).status_code == 200


def test_a_member_never_opens_another_members_pages(member, svc):
    with Session(svc.app.state.engine) as session:
        name = session.get(Member, OTHER).name
    for path in ("profile", "recommendations", "partners"):
        for other in (OTHER, "no-such-member"):
            answer = member.get(f"/console/{path}/{other}")
            assert answer.status_code == 403, (path, other)
            assert name not in answer.text
    before = _profile_form(member)
    sent = post_form(member, f"/console/profile/{OTHER}", before, page=f"/console/profile/{MEMBER}")
    assert sent.status_code == 403
    with Session(svc.app.state.engine) as session:
        assert session.get(Member, OTHER).name != before["name"]


def test_member_pages_are_not_for_admins_and_need_a_session(svc, client):
    assert client.get(f"/console/profile/{MEMBER}", follow_redirects=False).status_code == 303
    sign_in(client, svc.keys["admin"])
    assert client.get(f"/console/recommendations/{MEMBER}").status_code == 403


def test_a_member_edits_its_profile_and_sees_what_it_may_not_edit(member, svc):
    page = member.get(f"/console/profile/{MEMBER}").text
    assert "only the secretariat changes them" in page
    for fixed in ("kind", "country", "region", "global_south"):
        assert fixed not in MEMBER_EDITABLE_FIELDS
        assert f'name="{fixed}"' not in page
    form = _profile_form(member)
    form |= {"name": "Kenya coalition (edited)", "contact_email": "info@example.org"}
    theme = next(
        k for k in default_taxonomy().keys if f"need-{k}" in form and form[f"need-{k}"] == "0"
    )
    form[f"need-{theme}"] = "2"
    sent = post_form(member, f"/console/profile/{MEMBER}", form, page=f"/console/profile/{MEMBER}")
    assert sent.status_code == 303
    assert "Your profile is saved" in member.get(sent.headers["location"]).text
    with Session(svc.app.state.engine) as session:
        row = session.get(Member, MEMBER)
        assert row.name == "Kenya coalition (edited)"
        assert row.contact_email == "info@example.org"
        assert row.needs.get(theme) == 2


def test_bad_input_shows_each_problem_by_its_field_and_writes_nothing(member, svc):
    with Session(svc.app.state.engine) as session:
        before = session.get(Member, MEMBER).model_dump()
    form = _profile_form(member) | {"languages": "xx", "contact_email": "not an email"}
    sent = post_form(member, f"/console/profile/{MEMBER}", form, page=f"/console/profile/{MEMBER}")
    assert sent.status_code == 422
    assert "Nothing was saved" in sent.text
    assert 'id="e-languages"' in sent.text and 'id="e-contact_email"' in sent.text
    assert 'value="not an email"' in sent.text  # what was typed stays in the form
    with Session(svc.app.state.engine) as session:
        assert session.get(Member, MEMBER).model_dump() == before


def test_the_profile_form_needs_its_csrf_token(member, svc):
    form = _profile_form(member) | {"name": "Forged"}
    assert member.post(f"/console/profile/{MEMBER}", data=form).status_code == 403
    with Session(svc.app.state.engine) as session:
        assert session.get(Member, MEMBER).name != "Forged"


def test_recommendations_are_the_apis_in_the_pages_language(member, svc):
    api = svc.client.get(
        f"/v1/members/{MEMBER}/recommendations?k=10",
        headers={**svc.as_("member"), "Accept-Language": "fr"},
    ).json()
    member.cookies.set("console_lang", "fr", path="/console")
    page = member.get(f"/console/recommendations/{MEMBER}").text
    assert api["recommendations"]
    for r in api["recommendations"]:
        assert r["name"] in page
        theme = next(x["label"] for x in r["reasons"] if x["kind"] == "theme")
        assert theme.replace("'", "&#39;") in page


def test_an_empty_list_says_why(member, svc):
    changed = svc.client.patch(
        f"/v1/members/{MEMBER}", json={"needs": {}}, headers=svc.as_("member")
    )
    assert changed.status_code == 200
    page = member.get(f"/console/recommendations/{MEMBER}").text
    assert "No recommendation for now" in page
    assert "Your profile states no need" in page


def test_partners_show_their_contacts_and_lead_to_the_feedback_form(member, svc):
    _, chosen = publish_round(svc, "mentoring", approve=0)
    mine = next(p for p in chosen if MEMBER in {m["member"] for m in p["members"]})
    partner = next(m["member"] for m in mine["members"] if m["member"] != MEMBER)
    contact = f"mentoring@{partner}.example.org"
    changed = svc.client.patch(
        f"/v1/members/{partner}", json={"contact_email": contact}, headers=svc.as_("admin")
    )
    assert changed.status_code == 200
    page = member.get(f"/console/partners/{MEMBER}").text
    assert contact in page and "Not answered yet." in page
    # One feedback form, on My feedback (which lists archived rounds too).
    assert f'href="/console/my-feedback/{MEMBER}#p{mine["id"]}"' in page
    assert "Send feedback" not in page
    sent = svc.client.post(
        f"/v1/proposals/{mine['id']}/feedback",
        json={"met": True, "usefulness": 4},
        headers=svc.as_("member"),
    )
    assert sent.status_code == 201
    assert "You answered on" in member.get(f"/console/partners/{MEMBER}").text


def test_only_the_member_itself_and_admins_see_its_partners_contacts(svc):
    with Session(svc.app.state.engine) as session:
        for who in (Principal("m", "member", OTHER), Principal("h", "hub")):
            with pytest.raises(Forbidden):
                published_partners(session, member_id=MEMBER, who=who, lang="en")
        found = published_partners(
            session, member_id=MEMBER, who=Principal("m", "member", MEMBER), lang="en"
        )
    assert found.published.items == [] and found.contacts == {}
