"""Publishing a round, the members it left out and the published results as
CSV, from the console over HTTP (tests/browser/test_publish.py drives the
same pages in chromium)."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest
from fastapi.testclient import TestClient

from tests.console_env import csrf_of, post_form, sign_in
from tests.service_env import MEMBER


@pytest.fixture
def client(svc):
    with TestClient(svc.app, base_url="http://127.0.0.1") as c:
        sign_in(c, svc.keys["admin"])
        yield c


def draft(svc, *, approve=2, decline=1, kind="mentoring"):
    """A draft round over HTTP: its first ``approve`` proposals approved, the
    next ``decline`` declined, the rest undecided."""
    admin = svc.as_("admin")
    doc = svc.client.post("/v1/rounds", json={"kind": kind, "seed": 1}, headers=admin).json()
    proposals = doc["proposals"]
    assert len(proposals) > approve + decline, "the demo round is too small for this test"
    for n, p in enumerate(proposals[: approve + decline]):
        decision = "approve" if n < approve else "decline"
        url = f"/v1/rounds/{doc['id']}/proposals/{p['id']}/decision"
        assert svc.client.post(url, json={"decision": decision}, headers=admin).status_code == 200
    return doc


def table_rows(page_html: str, table_id: str) -> list[str]:
    body = re.search(rf'<table id="{table_id}">(.*?)</table>', page_html, re.S)
    assert body, f"no table {table_id}"
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</th>", body[1], re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", r)).strip() for r in rows]


def names(svc) -> dict[str, str]:
    members = svc.client.get("/v1/members?limit=1000", headers=svc.as_("admin")).json()
    return {m["id"]: m["name"] for m in members["items"]}


def published_ids(svc) -> set[int]:
    answer = svc.client.get("/v1/published", headers=svc.as_("hub"))
    assert answer.status_code == 200
    return {item["proposal_id"] for item in answer.json()["items"]}


def test_the_preview_lists_exactly_what_each_choice_publishes_and_withdraws(svc, client):
    doc = draft(svc)
    rid, proposals = doc["id"], doc["proposals"]
    undecided = proposals[3:]
    page = client.get(f"/console/rounds/{rid}/publish")
    assert page.status_code == 200
    # No choice yet: the undecided are listed and publishing is not offered.
    assert len(table_rows(page.text, "undecided")) == len(undecided)
    assert 'name="confirm"' not in page.text
    who = names(svc)
    for choice, published, withdrawn in (
        ("withdraw", proposals[:2], undecided),
        ("approve", proposals[:2] + undecided, []),
    ):
        page = client.get(f"/console/rounds/{rid}/publish?undecided={choice}")
        rows = table_rows(page.text, "will-publish")
        assert len(rows) == len(published), choice
        for p, row in zip(published, rows, strict=True):
            assert who[p["mentor"]] in row and who[p["mentee"]] in row
        assert len(table_rows(page.text, "will-withdraw")) == len(withdrawn)
        assert f'type="hidden" name="undecided" value="{choice}"' in page.text
        assert 'name="confirm"' in page.text


def test_publishing_with_withdraw_publishes_exactly_the_approved_under_the_officer(svc, client):
    doc = draft(svc)
    rid = doc["id"]
    sent = post_form(
        client,
        f"/console/rounds/{rid}/publish",
        {"undecided": "withdraw", "confirm": "yes"},
        page=f"/console/rounds/{rid}/publish?undecided=withdraw",
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/console/rounds/{rid}/published"
    assert published_ids(svc) == {p["id"] for p in doc["proposals"][:2]}
    statuses = {
        p["id"]: p["status"]
        for p in svc.client.get(f"/v1/rounds/{rid}", headers=svc.as_("admin")).json()["proposals"]
    }
    assert {p["id"]: statuses[p["id"]] for p in doc["proposals"][3:]} == {
        p["id"]: "withdrawn" for p in doc["proposals"][3:]
    }
    audit = svc.client.get("/v1/audit", headers=svc.as_("admin")).json()["items"]
    record = next(r for r in audit if r["action"] == "round.publish")
    assert (record["actor"], record["detail"]["undecided"]) == ("test-admin", "withdraw")
    done = client.get(sent.headers["location"])
    assert len(table_rows(done.text, "published")) == 2
    assert f"/console/rounds/{rid}/published.csv" in done.text
    # Published: the preview now says so instead of offering it again.
    assert client.get(f"/console/rounds/{rid}/publish").status_code == 409


def test_publishing_is_refused_without_a_choice_or_a_confirmation_and_writes_nothing(svc, client):
    rid = draft(svc)["id"]
    page = f"/console/rounds/{rid}/publish?undecided=withdraw"
    unconfirmed = post_form(
        client, f"/console/rounds/{rid}/publish", {"undecided": "withdraw"}, page=page
    )
    assert unconfirmed.status_code == 422
    assert 'id="e-confirm"' in unconfirmed.text
    no_choice = post_form(client, f"/console/rounds/{rid}/publish", {"confirm": "yes"}, page=page)
    assert no_choice.status_code == 409
    assert "still undecided" in no_choice.text
    round_now = svc.client.get(f"/v1/rounds/{rid}", headers=svc.as_("admin")).json()
    assert round_now["status"] == "draft"
    assert published_ids(svc) == set()


def test_an_unknown_round_is_a_page_not_a_problem_document(client):
    answer = client.get("/console/rounds/999999/publish")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")


def test_the_left_out_page_says_what_would_include_each_member(svc, client):
    doc = draft(svc)
    unmatched = doc["summary"]["unmatched"]
    page = client.get(f"/console/rounds/{doc['id']}/left-out")
    assert page.status_code == 200
    rows = table_rows(page.text, "left-out")
    who = names(svc)
    assert [who[u["member"]] for u in unmatched] == [r.strip() for r in rows]
    with_options = [u for u in unmatched if u["options"]]
    assert with_options, "the demo round should leave someone out with an option"
    for u in with_options:
        for o in u["options"]:
            assert who[o["best"]] in page.text
    assert "(score" in page.text and '<span lang="en">' not in page.text


def test_the_csv_has_one_row_per_member_of_each_published_pair(svc, client):
    doc = draft(svc)
    rid = doc["id"]
    # A contact that a spreadsheet would run as a formula.
    mentor = doc["proposals"][0]["mentor"]
    patched = svc.client.patch(
        f"/v1/members/{mentor}", json={"contact_name": '=HYPERLINK("x")'}, headers=svc.as_("admin")
    )
    assert patched.status_code == 200, patched.text
    post_form(
        client,
        f"/console/rounds/{rid}/publish",
        {"undecided": "withdraw", "confirm": "yes"},
        page=f"/console/rounds/{rid}/publish?undecided=withdraw",
    )
    for path in ("/console/published.csv", f"/console/rounds/{rid}/published.csv"):
        answer = client.get(path)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/csv")
        assert "attachment" in answer.headers["content-disposition"]
        assert answer.content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
        expected = [
            (p["id"], member) for p in doc["proposals"][:2] for member in (p["mentor"], p["mentee"])
        ]
        assert [(int(r["proposal"]), r["member_id"]) for r in rows] == expected
        first = rows[0]
        assert first["contact_name"] == '\'=HYPERLINK("x")'
        assert first["partners"] == names(svc)[doc["proposals"][0]["mentee"]]
        assert first["themes"] and first["language"]
    assert (
        client.get("/console/rounds/999999/published.csv").content
        == ("\ufeff" + ",".join(rows[0].keys()) + "\r\n").encode()
    )


PAGES = [
    "/console/rounds/1/publish",
    "/console/rounds/1/published",
    "/console/rounds/1/left-out",
    "/console/published.csv",
    "/console/rounds/1/published.csv",
    "/console/constraints",
    "/console/constraints/remove?kind=locked&a=x&b=y",
]


def test_the_pages_need_a_session_and_an_admin(svc):
    with TestClient(svc.app, base_url="http://127.0.0.1") as anonymous:
        for path in PAGES:
            answer = anonymous.get(path, follow_redirects=False)
            assert answer.status_code == 303, path
            assert answer.headers["location"].startswith("/console/sign-in?next="), path
    with TestClient(svc.app, base_url="http://127.0.0.1") as member:
        sign_in(member, svc.keys["member"])
        for path in PAGES:
            assert member.get(path).status_code == 403, path
        token = csrf_of(member.get("/console/profile").text)
        answer = member.post(
            "/console/rounds/1/publish",
            data={"csrf_token": token, "undecided": "withdraw", "confirm": "yes"},
        )
        assert answer.status_code == 403


def test_every_post_needs_its_csrf_token(svc, client):
    rid = draft(svc)["id"]
    locks = svc.client.get("/v1/locks", headers=svc.as_("admin")).json()["total"]
    posts = {
        f"/console/rounds/{rid}/publish": {"undecided": "withdraw", "confirm": "yes"},
        "/console/constraints": {"kind": "locked", "a": MEMBER, "b": "sn-coalition", "note": ""},
        "/console/constraints/remove": {"kind": "locked", "a": MEMBER, "b": "sn-coalition"},
    }
    for path, data in posts.items():
        for token in (None, "forged"):
            sent = {**data, **({"csrf_token": token} if token else {})}
            assert client.post(path, data=sent).status_code == 403, (path, token)
    assert svc.client.get(f"/v1/rounds/{rid}", headers=svc.as_("admin")).json()["status"] == "draft"
    assert svc.client.get("/v1/locks", headers=svc.as_("admin")).json()["total"] == locks


def test_the_left_out_part_renders_inside_another_page_with_the_round_alone(svc):
    # The round's review page includes it with `round` only: ids, no error.
    from service.console.pages import environment

    doc = draft(svc)
    round_view = svc.client.get(f"/v1/rounds/{doc['id']}", headers=svc.as_("admin")).json()
    html_text = environment("fr").get_template("round_left_out.html").render(round=round_view)
    rows = table_rows(html_text, "left-out")
    assert rows == [u["member"] for u in doc["summary"]["unmatched"]]
    assert "Membres laissés de côté" in html_text


def test_publishing_from_the_console_tells_the_webhook_as_the_api_does(tmp_path):
    from tests.test_webhook import IDLE, Receiver, dispose, hooked

    receiver = Receiver()
    svc = hooked(tmp_path, receiver.url)
    try:
        with TestClient(svc.app, base_url="http://127.0.0.1") as console:
            sign_in(console, svc.keys["admin"])
            rid = draft(svc)["id"]
            sent = post_form(
                console,
                f"/console/rounds/{rid}/publish",
                {"undecided": "withdraw", "confirm": "yes"},
                page=f"/console/rounds/{rid}/publish?undecided=withdraw",
            )
            assert sent.status_code == 303
        assert svc.app.state.webhook.wait_idle(IDLE)
        [(_, body)] = receiver.all()
        event = json.loads(body)
        assert (event["event"], event["round_id"], event["pairs"]) == ("round.published", rid, 2)
        assert event["published_url"].endswith("/v1/published")
    finally:
        receiver.close()
        dispose(svc)


def test_an_unknown_choice_in_the_address_is_no_choice(svc, client):
    rid = draft(svc)["id"]
    page = client.get(f"/console/rounds/{rid}/publish?undecided=maybe")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'name="confirm"' not in page.text
