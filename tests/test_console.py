"""The console over HTTP, without a browser: sessions, CSRF, roles, the
language, keys. (tests/browser drives the same pages in chromium.)"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import Session, select

from service.console.security import safe_next
from service.store.models import ApiKey, ConsoleSession, utcnow
from service.usecases import console_sessions
from tests.console_env import csrf_of, post_form, sign_in
from tests.service_env import MEMBER, LiveServer


@pytest.fixture
def client(svc):
    # The console's cookies are Path=/console: the client's base URL must be
    # a real host for httpx to send them back.
    with TestClient(svc.app, base_url="http://127.0.0.1") as c:
        yield c


def test_a_page_without_a_session_redirects_to_sign_in_and_back_after(svc, client):
    asked = client.get("/console/keys?page=1", follow_redirects=False)
    assert asked.status_code == 303
    assert asked.headers["location"] == "/console/sign-in?next=/console/keys%3Fpage%3D1"
    signed = sign_in(client, svc.keys["admin"], next_path="/console/keys?page=1")
    assert signed.status_code == 303
    assert signed.headers["location"] == "/console/keys?page=1"
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # plain HTTP here
    assert client.get("/console/keys").status_code == 200


def test_sign_in_goes_back_only_to_a_console_path(svc, client):
    for bad in ("//evil.example/console/", "https://evil.example/", "/v1/members"):
        signed = sign_in(client, svc.keys["admin"], next_path=bad)
        assert signed.headers["location"] == "/console/overview", bad


def test_the_cookie_is_secure_over_https(svc):
    with TestClient(svc.app, base_url="https://127.0.0.1") as client:
        signed = sign_in(client, svc.keys["admin"])
    assert "Secure" in signed.headers["set-cookie"]


def test_the_cookie_is_secure_when_a_trusted_proxy_says_https(svc):
    # uvicorn's proxy headers (on by default, trusting 127.0.0.1 as `serve`
    # does unless --forwarded-allow-ips says otherwise) make the scheme https.
    with LiveServer(svc.app) as server, httpx.Client(base_url=server.url) as client:
        answers = {}
        for proto in ("http", "https"):
            token = csrf_of(client.get("/console/sign-in").text)
            answers[proto] = client.post(
                "/console/sign-in",
                data={"key": svc.keys["admin"], "csrf_token": token},
                headers={"X-Forwarded-Proto": proto},
            )
    assert "Secure" not in answers["http"].headers["set-cookie"]
    assert "Secure" in answers["https"].headers["set-cookie"]


def test_unknown_and_revoked_keys_get_the_same_answer_and_hub_keys_are_refused(svc, client):
    unknown = sign_in(client, "pm_not-a-key")
    assert unknown.status_code == 401
    assert "unknown or has been revoked" in unknown.text
    hub = sign_in(client, svc.keys["hub"])
    assert hub.status_code == 403
    assert "Hub keys are for machines" in hub.text
    assert "console_session" not in hub.headers.get("set-cookie", "")


def test_a_post_without_its_csrf_token_is_refused(svc, client):
    sign_in(client, svc.keys["admin"])
    for data in (
        {"name": "x", "role": "admin"},
        {"name": "x", "role": "admin", "csrf_token": "no"},
    ):
        refused = client.post("/console/keys", data=data)
        assert refused.status_code == 403
        assert "This form has expired" in refused.text
    # The sign-in form too, before any session: its token is the CSRF cookie's.
    with TestClient(svc.app, base_url="http://127.0.0.1") as fresh:
        refused = fresh.post("/console/sign-in", data={"key": svc.keys["admin"]})
    assert refused.status_code == 403
    with Session(svc.app.state.engine) as session:
        assert session.exec(select(ApiKey).where(ApiKey.name == "x")).first() is None


def test_the_csrf_header_is_accepted_as_htmx_sends_it(svc, client):
    sign_in(client, svc.keys["admin"])
    token = csrf_of(client.get("/console/keys").text)
    made = client.post(
        "/console/keys",
        data={"name": "via-htmx", "role": "hub"},
        headers={"X-CSRF-Token": token},
    )
    assert made.status_code == 200 and "via-htmx" in made.text


def test_a_member_sees_its_own_pages_only(svc, client):
    signed = sign_in(client, svc.keys["member"])
    assert signed.headers["location"] == "/console/profile"
    assert client.get("/console/profile").status_code == 200
    for admin_page in ("/console/overview", "/console/keys", "/console/members"):
        refused = client.get(admin_page)
        assert refused.status_code == 403, admin_page
        assert "Not for this key" in refused.text
    page = client.get("/console/profile").text
    assert "/console/keys" not in page and "/console/overview" not in page


def test_sign_out_ends_the_session(svc, client):
    sign_in(client, svc.keys["admin"])
    cookie = client.cookies["console_session"]
    out = post_form(client, "/console/sign-out", {}, page="/console/overview")
    assert out.status_code == 303 and out.headers["location"] == "/console/sign-in"
    client.cookies.set("console_session", cookie, domain="127.0.0.1", path="/console")
    assert client.get("/console/overview", follow_redirects=False).status_code == 303
    with Session(svc.app.state.engine) as session:
        assert session.exec(select(ConsoleSession)).all() == []


def test_keys_are_created_shown_once_and_revoked(svc, client):
    sign_in(client, svc.keys["admin"])
    made = post_form(
        client,
        "/console/keys",
        {"name": "Amina (member)", "role": "member", "member": MEMBER},
        page="/console/keys",
    )
    assert made.status_code == 200
    key = made.text.split('id="new-key" class="key" type="text" readonly value="')[1].split('"')[0]
    assert key.startswith("pm_")
    assert svc.client.get(f"/v1/members/{MEMBER}", headers={"X-API-Key": key}).status_code == 200
    assert key not in client.get("/console/keys").text
    confirm = client.get("/console/keys/revoke?name=Amina+%28member%29")
    assert "Revoke the key “Amina (member)”?" in confirm.text
    revoked = post_form(
        client, "/console/keys/revoke", {"name": "Amina (member)"}, page="/console/keys"
    )
    assert revoked.status_code == 303
    assert svc.client.get(f"/v1/members/{MEMBER}", headers={"X-API-Key": key}).status_code == 401
    audit = svc.client.get("/v1/audit", headers=svc.as_("admin")).json()["items"]
    assert [(a["action"], a["actor"]) for a in audit[:2]] == [
        ("key.revoke", "test-admin"),
        ("key.create", "test-admin"),
    ]


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"name": "", "role": "admin"}, "Give the key a name"),
        ({"name": "test-hub", "role": "admin"}, "A key with this name exists"),
        ({"name": "m", "role": "member"}, "A member key needs the member"),
        ({"name": "m", "role": "member", "member": "nobody"}, "No member has this id"),
        ({"name": "m", "role": "admin", "member": MEMBER}, "leave the member id empty"),
    ],
)
def test_a_key_form_with_a_mistake_says_what_to_fix(svc, client, data, says):
    sign_in(client, svc.keys["admin"])
    answer = post_form(client, "/console/keys", data, page="/console/keys")
    assert answer.status_code == 422 and says in answer.text


def test_revoking_a_key_ends_its_sessions(svc, client):
    sign_in(client, svc.keys["member"])
    assert client.get("/console/profile").status_code == 200
    with TestClient(svc.app, base_url="http://127.0.0.1") as admin:
        sign_in(admin, svc.keys["admin"])
        post_form(admin, "/console/keys/revoke", {"name": "test-member"}, page="/console/keys")
    assert client.get("/console/profile", follow_redirects=False).status_code == 303


def test_a_session_expires_when_idle_and_at_its_lifetime(svc):
    engine = svc.app.state.engine
    start = utcnow()
    token, expires = console_sessions.sign_in(engine, svc.keys["admin"], now=start)
    assert expires == start + console_sessions.LIFETIME
    idle = console_sessions.IDLE
    assert console_sessions.session_user(engine, token, now=start + idle / 2) is not None
    # Seen half-way: alive until IDLE after that, not after the first IDLE.
    assert console_sessions.session_user(engine, token, now=start + idle * 1.4) is not None
    later = start + idle * 1.4 + idle + timedelta(seconds=1)
    assert console_sessions.session_user(engine, token, now=later) is None
    token, _ = console_sessions.sign_in(engine, svc.keys["admin"], now=start)
    moment = start
    while moment + idle / 2 < start + console_sessions.LIFETIME:
        moment += idle / 2
        assert console_sessions.session_user(engine, token, now=moment) is not None
    at_end = start + console_sessions.LIFETIME
    assert console_sessions.session_user(engine, token, now=at_end) is None


def test_the_language_follows_accept_language_then_the_switch(svc, client):
    page = client.get("/console/sign-in", headers={"Accept-Language": "fr-CA, en;q=0.5"})
    assert '<html lang="fr" dir="ltr">' in page.text and "Se connecter" in page.text
    switched = client.get("/console/language?lang=ar&next=/console/sign-in", follow_redirects=False)
    assert switched.headers["location"] == "/console/sign-in"
    page = client.get("/console/sign-in", headers={"Accept-Language": "fr"})
    assert '<html lang="ar" dir="rtl">' in page.text and "تسجيل الدخول" in page.text
    assert page.headers["content-language"] == "ar"


def test_root_leads_to_the_console_and_docs_load_nothing_from_elsewhere(svc, client):
    assert client.get("/", follow_redirects=False).headers["location"] == "/console/"
    docs = client.get("/docs").text
    assert "/console/static/vendor/swagger-ui-bundle.js" in docs
    assert "https://" not in docs and "http://" not in docs
    assert client.get("/console/static/vendor/swagger-ui-bundle.js").status_code == 200
    assert client.get("/redoc").status_code == 404


def test_the_overview_shows_the_network(svc, client):
    sign_in(client, svc.keys["admin"])
    page = client.get("/console/overview")
    assert page.status_code == 200
    assert "Members by region" in page.text and "Needs the network cannot meet" in page.text
    assert "console.sign_in" in page.text  # the recent activity: this very sign-in
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_sign_in_attempts_are_rate_limited_like_writes(tmp_path):
    from tests.service_env import start_service

    svc = start_service("sqlite", tmp_path, write_rate=0.001, write_burst=3)
    with TestClient(svc.app, base_url="http://127.0.0.1") as client:
        answers = [sign_in(client, "pm_guess").status_code for _ in range(4)]
    assert answers == [401, 401, 401, 429]
    svc.app.state.engine.dispose()
    svc.app.state.auth_engine.dispose()


@given(st.text())
def test_after_sign_in_the_browser_stays_on_this_sites_console(next_path):
    target = safe_next(next_path)
    parsed = urlsplit(target)
    assert not parsed.scheme and not parsed.netloc  # this site: no other host
    assert parsed.path.startswith("/console")
    assert "\\" not in target and not any(ord(c) < 0x20 for c in target)
