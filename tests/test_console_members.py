"""The console's member pages over HTTP: the list searched, filtered, sorted
and paged in the database; a profile added, edited (every problem next to
its field, nothing written) and deleted after a confirmation."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.store.models import Member
from service.usecases import members as usecase
from tests.console_env import post_form, sign_in
from tests.service_env import MEMBER


@pytest.fixture
def client(svc):
    with TestClient(svc.app, base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture
def admin(svc, client):
    sign_in(client, svc.keys["admin"])
    return client


def ids_on(page: str) -> list[str]:
    return re.findall(r"<td><code>([^<]+)</code></td>", page)


def stored(svc, member_id):
    with Session(svc.app.state.engine) as session:
        return session.get(Member, member_id)


def test_the_member_pages_need_an_admin_session(svc, client):
    for path in ("/console/members", f"/console/members/{MEMBER}", "/console/members/new"):
        asked = client.get(path, follow_redirects=False)
        assert asked.status_code == 303 and asked.headers["location"].startswith(
            "/console/sign-in?next=/console/members"
        )
    sign_in(client, svc.keys["member"])
    assert client.get("/console/members").status_code == 403
    assert client.get(f"/console/members/{MEMBER}").status_code == 403


def test_a_form_without_its_csrf_token_is_refused_and_writes_nothing(svc, admin):
    before = stored(svc, MEMBER).name
    refused = admin.post(f"/console/members/{MEMBER}", data={"name": "Changed"})
    assert refused.status_code == 403
    refused = admin.post(f"/console/members/{MEMBER}/delete", data={})
    assert refused.status_code == 403
    assert stored(svc, MEMBER).name == before


def test_the_list_pages_in_the_database_and_says_how_many(svc, admin):
    with Session(svc.app.state.engine) as session:
        total = len(session.exec(select(Member)).all())
    first = admin.get("/console/members").text
    assert f"Members found: {total}" in first
    assert len(ids_on(first)) == min(total, 25)
    if total > 25:
        second = admin.get("/console/members?page=2").text
        assert not set(ids_on(first)) & set(ids_on(second))


def test_search_filter_and_sort_keep_only_what_they_say(svc, admin):
    kenya = stored(svc, MEMBER)
    found = admin.get("/console/members", params={"q": kenya.name[:6].upper()}).text
    assert MEMBER in ids_on(found)
    assert all(
        kenya.name[:6].lower() in n.lower() or kenya.name[:6].lower() in i for i, n in _rows(found)
    )
    africa = ids_on(admin.get("/console/members", params={"region": "africa"}).text)
    assert MEMBER in africa
    europe = ids_on(admin.get("/console/members", params={"region": "europe_north_america"}).text)
    assert MEMBER not in europe and europe
    theme = next(iter(kenya.needs))
    needing = admin.get("/console/members", params={"theme": theme, "side": "needs"}).text
    assert MEMBER in ids_on(needing)
    language = kenya.languages[0]
    speaking = ids_on(admin.get("/console/members", params={"language": language}).text)
    assert speaking
    both = admin.get("/console/members", params={"language": language, "q": MEMBER}).text
    assert ids_on(both) == [MEMBER]
    for member_id in speaking:
        assert language in stored(svc, member_id).languages
    by_country = admin.get("/console/members", params={"sort": "country", "dir": "desc"}).text
    countries = [stored(svc, i).country or "" for i in ids_on(by_country)]
    assert countries == sorted(countries, reverse=True)


def _rows(page: str) -> list[tuple[str, str]]:
    names = re.findall(r'<th scope="row"><a href="/console/members/([^"]+)">([^<]+)</a>', page)
    return names


def test_search_members_filters_and_pages_in_sql(svc):
    # The use case itself, on both databases: a theme, a language, a region.
    with Session(svc.app.state.engine) as session:
        every = session.exec(select(Member)).all()
        for m in every[:5]:
            theme = next(iter(m.expertise), None)
            if theme is None:
                continue
            total, rows = usecase.search_members(
                session,
                filters=usecase.MemberFilter(theme=theme, theme_side="expertise"),
                limit=1000,
                offset=0,
            )
            want = sorted(x.id for x in every if x.expertise.get(theme, 0) > 0)
            assert sorted(r.id for r in rows) == want and total == len(want)
        for region in ("africa", "international"):
            total, rows = usecase.search_members(
                session, filters=usecase.MemberFilter(region=region), limit=1000, offset=0
            )
            want = sorted(x.id for x in every if usecase.derived_side(x)[0] == region)
            assert sorted(r.id for r in rows) == want
        total, page = usecase.search_members(
            session, filters=usecase.MemberFilter(text="%"), limit=10, offset=0
        )
        assert total == sum("%" in (x.id + x.name) for x in every)


def test_the_profile_shows_levels_over_theme_labels_and_the_contact(svc, admin):
    kenya = stored(svc, MEMBER)
    page = admin.get(f"/console/members/{MEMBER}").text
    theme, level = next(iter(kenya.expertise.items()))
    assert re.search(
        rf'name="expertise\.{theme}"[^>]*>.*?<option value="{level}" selected>', page, re.S
    )
    assert "Shown to the secretariat, to the member and to its published partners." in page
    assert "4 – can train others" in page and "3 – urgent" in page
    arabic = admin.get(f"/console/members/{MEMBER}", cookies={"console_lang": "ar"}).text
    assert 'dir="rtl"' in arabic


def test_editing_a_level_saves_it_through_the_contract(svc, admin):
    page = f"/console/members/{MEMBER}"
    form = _form_of(admin.get(page).text)
    form["needs.youth_adult_literacy"] = "3"
    saved = post_form(admin, page, form, page=page)
    assert saved.status_code == 303 and saved.headers["location"] == f"{page}?saved=1"
    assert stored(svc, MEMBER).needs["youth_adult_literacy"] == 3


def test_every_problem_is_shown_next_to_its_field_and_nothing_is_written(svc, admin):
    page = f"/console/members/{MEMBER}"
    before = stored(svc, MEMBER)
    before = (before.name, before.languages, dict(before.needs))
    form = _form_of(admin.get(page).text)
    form.update(
        {
            "name": "",
            "languages": "en, xx",
            "mentor_capacity": "many",
            "contact_email": "not-an-email",
            "needs.youth_adult_literacy": "3",
        }
    )
    answer = post_form(admin, page, form, page=page)
    assert answer.status_code == 422
    for field in ("name", "languages", "mentor_capacity", "contact_email"):
        assert re.search(rf'<p class="error" id="e-{field}">', answer.text), field
    assert "xx: unknown ISO 639-1 language code" in answer.text
    assert 'value="en, xx"' in answer.text  # what was typed is kept
    after = stored(svc, MEMBER)
    assert (after.name, after.languages, dict(after.needs)) == before


def test_adding_a_member_and_refusing_a_taken_id(svc, admin):
    form = {
        **_form_of(admin.get("/console/members/new").text),
        "id": "tz-new",
        "name": "Tanzania Network",
        "country": "tz",
        "languages": "sw, en",
        "expertise.youth_adult_literacy": "4",
    }
    added = post_form(admin, "/console/members/new", form, page="/console/members/new")
    assert added.status_code == 303
    row = stored(svc, "tz-new")
    assert (row.country, row.languages, row.expertise) == (
        "TZ",
        ["sw", "en"],
        {"youth_adult_literacy": 4},
    )
    again = post_form(admin, "/console/members/new", form, page="/console/members/new")
    assert again.status_code == 422 and 'id="e-id"' in again.text


def test_deleting_asks_first_then_runs_the_api_use_case(svc, admin):
    confirm = admin.get(f"/console/members/{MEMBER}/delete")
    assert confirm.status_code == 200
    assert "pseudonym" in confirm.text and "revoked" in confirm.text
    assert stored(svc, MEMBER) is not None  # asking deletes nothing
    done = post_form(
        admin, f"/console/members/{MEMBER}/delete", {}, page=f"/console/members/{MEMBER}/delete"
    )
    assert done.status_code == 303
    assert stored(svc, MEMBER) is None
    audit = svc.client.get("/v1/audit", headers={"X-API-Key": svc.keys["admin"]}).json()
    assert any(r["action"] == "member.delete" for r in audit["items"])
    assert admin.get(f"/console/members/{MEMBER}").status_code == 404


def _form_of(page: str) -> dict[str, str]:
    """The values of a profile form as the browser would send them."""
    form = dict(
        re.findall(r'<input id="f-[^"]+" name="([^"]+)" type="[^"]+" value="([^"]*)"', page)
    )
    for name, options in re.findall(
        r'<select id="f-[^"]+" name="([^"]+)".*?>(.*?)</select>', page, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected', options)
        form[name] = chosen[1] if chosen else re.search(r'<option value="([^"]*)"', options)[1]
    description = re.search(r'name="description"[^>]*>(.*?)</textarea>', page, re.S)
    form["description"] = description[1] if description else ""
    return {k: html.unescape(v) for k, v in form.items()}
