"""The console's feedback pages over HTTP: a member's own relations of every
format (archived rounds too) with its answer and the form to change it, and
the admin's CSV import (preview with every problem → fixed file → apply)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.console_env import csrf_of, post_form, sign_in
from tests.feedback_env import archive, relations
from tests.service_env import MEMBER

EXAMPLE = Path(__file__).parents[1] / "docs" / "feedback-example.csv"
PAGE = f"/console/my-feedback/{MEMBER}"


@pytest.fixture
def client(svc):
    with TestClient(svc.app, base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture
def rel(svc):
    return relations(svc)


def answers(svc, round_id):
    url = f"/v1/rounds/{round_id}/feedback"
    return svc.client.get(url, headers=svc.as_("admin")).json()["items"]


def test_a_member_sees_every_relation_and_answers_with_themes_and_continued(svc, client, rel):
    archive(svc, rel.pair["round_id"])
    sign_in(client, svc.keys["member"])
    assert client.get("/console/my-feedback", follow_redirects=False).headers["location"] == PAGE
    page = client.get(PAGE).text
    for pid in (rel.pair["id"], rel.circle["id"], rel.exchange):
        assert f'id="p{pid}"' in page
    assert f'id="p{rel.not_mine["id"]}"' not in page
    assert "Exchange with Campagne pour le droit à l&#39;éducation (Sénégal)" in page
    assert "(archived)" in page
    url = f"{PAGE}/{rel.exchange}"
    form = {
        "met": "yes",
        "usefulness": "4",
        "themes_learned": ["teachers"],
        "other_theme": "mel",
        "continued": "no",
        "comment": "weekly calls",
    }
    sent = post_form(client, url, form, page=PAGE)
    assert sent.status_code == 303 and sent.headers["location"].endswith(f"#p{rel.exchange}")
    (answer,) = answers(svc, rel.round_of(rel.exchange, svc))
    assert (answer["member"], answer["themes_learned"], answer["continued"]) == (
        MEMBER,
        ["teachers", "mel"],
        False,
    )
    page = client.get(PAGE).text
    card = page[page.index(f'id="p{rel.exchange}"') :]
    assert re.search(r'value="mel" checked', card) and re.search(r'value="no" checked', card)
    # The archived round's pair stays editable; "not sure" stores no answer to it.
    pair = {**form, "themes_learned": [], "other_theme": "", "continued": "unsure"}
    assert post_form(client, f"{PAGE}/{rel.pair['id']}", pair, page=PAGE).status_code == 303
    (answer,) = answers(svc, rel.pair["round_id"])
    assert answer["continued"] is None and answer["themes_learned"] == []


def test_a_form_with_mistakes_says_what_to_fix_and_saves_nothing(svc, client, rel):
    sign_in(client, svc.keys["member"])
    bad = {"met": "", "usefulness": "9", "other_theme": "not-a-theme", "continued": "x"}
    sent = post_form(client, f"{PAGE}/{rel.circle['id']}", bad, page=PAGE)
    assert sent.status_code == 422
    for words in ("Say whether you met", "from 1 (not at all) to 5", "Say whether it went on"):
        assert words in sent.text
    themes = post_form(
        client,
        f"{PAGE}/{rel.circle['id']}",
        {"met": "yes", "usefulness": "3", "other_theme": "not-a-theme", "continued": "yes"},
        page=PAGE,
    )
    assert themes.status_code == 422 and "Choose themes from the list" in themes.text
    assert answers(svc, rel.circle["round_id"]) == []
    good = {"met": "yes", "usefulness": "3", "continued": "yes"}
    others = post_form(client, f"{PAGE}/{rel.not_mine['id']}", good, page=PAGE)
    assert others.status_code == 403


def _upload(client, data: bytes):
    token = csrf_of(client.get("/console/feedback/import").text)
    return client.post(
        "/console/feedback/import",
        data={"csrf_token": token},
        files={"document": ("feedback.csv", data, "text/csv")},
        follow_redirects=False,
    )


def _hidden(page: str) -> dict[str, str]:
    form = page[page.index('action="/console/feedback/import/apply"') :]
    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
    return {k: html.unescape(v) for k, v in found}


def test_an_admin_previews_fixes_and_applies_a_feedback_csv(svc, client, rel):
    sign_in(client, svc.keys["admin"])
    assert "/console/feedback/import" in client.get("/console/overview").text  # the navigation
    good = EXAMPLE.read_bytes()
    broken = good.replace(b"human_rights_mechanisms;mel", b"human_rights;mel")
    broken = broken.replace(b"151,id-coalition,yes,4", b"151,id-coalition,maybe,4")
    preview = _upload(client, broken)
    assert preview.status_code == 422
    assert "Problems: 2" in preview.text and "Apply the import" not in preview.text
    assert "line 3" in preview.text and "did you mean" in preview.text
    assert "line 5" in preview.text and "write yes or no" in preview.text
    preview = _upload(client, good)
    assert preview.status_code == 200 and "Apply the import" in preview.text
    form = _hidden(preview.text)
    tampered = client.post(
        "/console/feedback/import/apply",
        data={**form, "content": form["content"][:-4] + "AAA="},
        follow_redirects=False,
    )
    assert tampered.status_code == 422 and "cannot be applied" in tampered.text
    applied = client.post("/console/feedback/import/apply", data=form, follow_redirects=False)
    assert applied.status_code == 303
    done = client.get(applied.headers["location"]).text
    assert "6 added, 0 changed, 0 unchanged" in done
    assert len(answers(svc, rel.pair["round_id"])) == 3


def test_the_feedback_import_is_for_admins(svc, client, rel):
    sign_in(client, svc.keys["member"])
    assert client.get("/console/feedback/import").status_code == 403
    assert "/console/feedback/import" not in client.get(PAGE).text
