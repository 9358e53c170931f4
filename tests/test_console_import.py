"""The console's import page over HTTP: a preview that writes nothing
(every problem with its line, field and fix; or per member what is added,
changed old → new, unchanged; pairs; warnings), then an all-or-nothing
apply that refuses a document it did not preview or a network that changed."""

from __future__ import annotations

import base64
import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.store.models import AuditRecord, Member
from tests.console_env import csrf_of, sign_in
from tests.service_env import MEMBER

HEADER = "id,name,kind,country,languages,expertise,needs,mentor_capacity\n"
BROKEN = HEADER + (
    "tz-net,Tanzania Network,national_coalition,TZ,sw;en,teachers:9,,1\n"
    "xx-net,,national_coalition,XX,en,,literacyy:2,1\n"
    f"{MEMBER},Kenya Coalition,national_coalition,KE,en;sw,,,lots\n"
)
FIXED = HEADER + (
    "tz-net,Tanzania Network,national_coalition,TZ,sw;en,teachers:4,,1\n"
    "ug-net,Uganda Network,national_coalition,UG,en,,youth_adult_literacy:2,1\n"
    f"{MEMBER},Kenya Coalition,national_coalition,KE,en;sw,,,3\n"
)


@pytest.fixture
def admin(svc):
    with TestClient(svc.app, base_url="http://127.0.0.1") as client:
        sign_in(client, svc.keys["admin"])
        yield client


def upload(client, text: str, name: str = "survey.csv"):
    token = csrf_of(client.get("/console/import").text)
    return client.post(
        "/console/import",
        data={"csrf_token": token},
        files={"document": (name, text.encode(), "text/csv")},
        follow_redirects=False,
    )


def hidden(page: str) -> dict[str, str]:
    form = page[page.index('action="/console/import/apply"') :]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def members(svc) -> dict[str, Member]:
    with Session(svc.app.state.engine) as session:
        return {m.id: m for m in session.exec(select(Member)).all()}


def imports_audited(svc) -> int:
    with Session(svc.app.state.engine) as session:
        return sum(r.action == "members.import" for r in session.exec(select(AuditRecord)).all())


def test_the_import_page_needs_an_admin_and_its_csrf_token(svc):
    with TestClient(svc.app, base_url="http://127.0.0.1") as client:
        assert client.get("/console/import", follow_redirects=False).status_code == 303
        sign_in(client, svc.keys["member"])
        assert client.get("/console/import").status_code == 403
    with TestClient(svc.app, base_url="http://127.0.0.1") as client:
        sign_in(client, svc.keys["admin"])
        refused = client.post("/console/import", files={"document": ("a.csv", b"x", "text/csv")})
        assert refused.status_code == 403
        refused = client.post("/console/import/apply", data={"content": "", "kind": "csv"})
        assert refused.status_code == 403


def test_a_file_with_mistakes_lists_every_problem_and_writes_nothing(svc, admin):
    before = members(svc)
    answer = upload(admin, BROKEN)
    assert answer.status_code == 422
    page = answer.text
    for where, field in [
        ("line 2 (id &#39;tz-net&#39;)", "expertise"),
        ("line 3 (id &#39;xx-net&#39;)", "name"),
        ("line 3 (id &#39;xx-net&#39;)", "country"),
        ("line 3 (id &#39;xx-net&#39;)", "needs"),
        (f"line 4 (id &#39;{MEMBER}&#39;)", "mentor_capacity"),
    ]:
        assert re.search(
            rf"<th scope=\"row\" dir=\"auto\">{re.escape(where)}</th>\s*<td><code>{field}", page
        ), (
            where,
            field,
        )
    assert "unknown theme key" in page and "write a whole number" in page
    assert "Apply the import" not in page
    assert members(svc).keys() == before.keys()


def test_a_clean_preview_shows_each_change_and_applying_writes_it_all(svc, admin):
    before = members(svc)
    audits = imports_audited(svc)
    page = upload(admin, FIXED).text
    assert re.search(r"<strong>2</strong> Added", page)
    assert re.search(r"<strong>1</strong> Changed", page)
    kenya = before[MEMBER]
    assert re.search(
        rf"<td>Mentor capacity</td><td dir=\"auto\">{kenya.mentor_capacity}</td>"
        r"<td dir=\"auto\"><span class=\"visually-hidden\">→ </span>3</td>",
        page,
    )
    assert "tz-net" not in members(svc) and imports_audited(svc) == audits  # nothing yet
    applied = admin.post("/console/import/apply", data=hidden(page), follow_redirects=False)
    assert applied.status_code == 303
    assert "created=2" in applied.headers["location"]
    after = members(svc)
    assert after["tz-net"].expertise == {"teachers": 4}
    assert after[MEMBER].mentor_capacity == 3
    assert imports_audited(svc) == audits + 1


def test_applying_refuses_a_document_that_was_not_previewed(svc, admin):
    form = hidden(upload(admin, FIXED).text)
    form["content"] = base64.b64encode(FIXED.replace("Uganda", "Forged").encode()).decode()
    refused = admin.post("/console/import/apply", data=form)
    assert refused.status_code == 422
    assert "not the document previewed" in refused.text
    assert "ug-net" not in members(svc)


def test_applying_after_the_network_changed_shows_the_new_preview_and_writes_nothing(svc, admin):
    form = hidden(upload(admin, FIXED).text)
    meanwhile = svc.client.patch(
        f"/v1/members/{MEMBER}",
        json={"mentor_capacity": 3},
        headers={"X-API-Key": svc.keys["admin"]},
    )
    assert meanwhile.status_code == 200
    again = admin.post("/console/import/apply", data=form)
    assert again.status_code == 200
    assert "The stored network changed since your preview" in again.text
    assert "<td>Mentor capacity</td>" not in again.text  # the new preview: already 3
    assert "tz-net" not in members(svc)
    applied = admin.post("/console/import/apply", data=hidden(again.text), follow_redirects=False)
    assert applied.status_code == 303 and "tz-net" in members(svc)
