"""The operators' webhook: one signed ``round.published`` event per publish,
to a real HTTP receiver on this machine, after the commit; a receiver that
fails, hangs or is down never blocks or undoes a publish, and its retries are
bounded; without settings nothing is sent; a URL without a secret stops
`peermatch serve` with a message."""

import json
import queue
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pydantic import ValidationError

from service import metrics
from service.config import Settings
from service.usecases.webhook import Webhook
from tests.service_env import start_service

ROOT = Path(__file__).resolve().parents[1]
SECRET = "a-secret-shared-with-the-receiver"
IDLE = 60
"""Seconds a test waits at most for the webhook's thread (never reached)."""


def _documented_check():
    """The receiver's check that docs/operations.md shows, as written there."""
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    section = text[text.index("**Checking a delivery.**") :]
    code = section[section.index("```python\n") + 10 : section.index("```\n", 10)]
    found: dict = {}
    exec(code, found)
    return found["verified"]


VERIFIED = _documented_check()


def verify(secret: str, headers, body: bytes) -> bool:
    return VERIFIED(secret.encode(), headers, body, set())


class Receiver:
    """An HTTP server on 127.0.0.1 that records each POST and answers
    ``status``; with ``hold`` set, it answers only once ``release`` is set."""

    def __init__(self, status: int = 200, *, hold: bool = False) -> None:
        self.status, self.received = status, queue.Queue()
        self.release = threading.Event()
        if not hold:
            self.release.set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.put((self.headers, body))
                receiver.release.wait()
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/peermatch"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def all(self) -> list:
        found = []
        while not self.received.empty():
            found.append(self.received.get_nowait())
        return found

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    found = Receiver()
    yield found
    found.close()


def hooked(tmp_path, url):
    svc = start_service("sqlite", tmp_path, webhook_url=url, webhook_secret=SECRET)
    svc.app.state.webhook.delays = (0.0, 0.0)  # bounded retries, without the wait
    return svc


def dispose(svc):
    svc.app.state.engine.dispose()
    svc.app.state.auth_engine.dispose()


def publish_a_round(svc, approve: int = 2) -> dict:
    admin = svc.as_("admin")
    draft = svc.client.post("/v1/rounds", json={"kind": "mentoring", "seed": 1}, headers=admin)
    assert draft.status_code == 201, draft.text
    rid = draft.json()["id"]
    for proposal in draft.json()["proposals"][:approve]:
        decided = svc.client.post(
            f"/v1/rounds/{rid}/proposals/{proposal['id']}/decision",
            json={"decision": "approve"},
            headers=admin,
        )
        assert decided.status_code == 200, decided.text
    published = svc.client.post(
        f"/v1/rounds/{rid}/publish", json={"undecided": "withdraw"}, headers=admin
    )
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    return published.json()


def deliveries() -> dict[str, float]:
    text = metrics.exposition().decode()
    found = re.findall(r'peermatch_webhook_deliveries_total\{outcome="(\w+)"\} (\S+)', text)
    return {outcome: float(n) for outcome, n in found}


def counted_since(before: dict[str, float]) -> dict[str, float]:
    return {k: n - before.get(k, 0) for k, n in deliveries().items() if n != before.get(k, 0)}


def test_each_publish_sends_one_signed_event(tmp_path, receiver):
    svc = hooked(tmp_path, receiver.url)
    before = deliveries()
    published = publish_a_round(svc)
    assert svc.app.state.webhook.wait_idle(IDLE)
    [(headers, body)] = receiver.all()
    assert verify(SECRET, headers, body)
    assert not verify("another-secret-of-the-same-size", headers, body)
    assert not verify(SECRET, headers, body.replace(b'"pairs":2', b'"pairs":3'))
    later = {**dict(headers.items()), "X-Peermatch-Timestamp": "9999999999"}
    assert not verify(SECRET, later, body)  # the timestamp is signed: no replay with a new one
    event = json.loads(body)
    assert event == {
        "event": "round.published",
        "round_id": published["id"],
        "published_at": published["published_at"],
        "pairs": 2,
        "exchanges": 0,
        "circles": 0,
        "published_url": "http://testserver/v1/published",
        "delivery_id": headers["X-Peermatch-Delivery"],
    }
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Peermatch-Event"] == "round.published"
    assert counted_since(before) == {"delivered": 1}
    publish_a_round(svc, approve=1)
    assert svc.app.state.webhook.wait_idle(IDLE)
    [(again, body)] = receiver.all()
    assert json.loads(body)["pairs"] == 1 and verify(SECRET, again, body)
    assert again["X-Peermatch-Delivery"] != headers["X-Peermatch-Delivery"]
    dispose(svc)


def test_a_failing_receiver_neither_blocks_nor_undoes_a_publish(tmp_path, receiver):
    receiver.status = 500
    svc = hooked(tmp_path, receiver.url)
    before = deliveries()
    published = publish_a_round(svc)
    shown = svc.client.get("/v1/published", headers=svc.as_("hub")).json()
    assert {p["round_id"] for p in shown["pairs"]} == {published["id"]}
    assert svc.app.state.webhook.wait_idle(IDLE)
    attempts = receiver.all()
    assert len(attempts) == 3  # the first try and one per delay: bounded
    assert len({headers["X-Peermatch-Delivery"] for headers, _ in attempts}) == 1
    assert all(verify(SECRET, headers, body) for headers, body in attempts)
    assert counted_since(before) == {"failed": 1}
    receiver.status = 200
    publish_a_round(svc, approve=1)
    assert svc.app.state.webhook.wait_idle(IDLE)
    assert len(receiver.all()) == 1
    assert counted_since(before) == {"failed": 1, "delivered": 1}
    dispose(svc)


def test_a_receiver_that_refuses_is_not_retried(tmp_path, receiver):
    receiver.status = 401
    svc = hooked(tmp_path, receiver.url)
    before = deliveries()
    publish_a_round(svc)
    assert svc.app.state.webhook.wait_idle(IDLE)
    assert len(receiver.all()) == 1
    assert counted_since(before) == {"rejected": 1}
    dispose(svc)


def test_the_publish_answers_while_the_receiver_still_holds_the_event(tmp_path):
    slow = Receiver(hold=True)
    svc = hooked(tmp_path, slow.url)
    svc.app.state.webhook.timeout = IDLE
    before = deliveries()
    publish_a_round(svc)  # the receiver answers only after this returned
    slow.received.get(timeout=IDLE)
    assert counted_since(before) == {}
    slow.release.set()
    assert svc.app.state.webhook.wait_idle(IDLE)
    assert counted_since(before) == {"delivered": 1}
    slow.close()
    dispose(svc)


def test_a_receiver_that_is_down_or_hangs_costs_the_publish_nothing(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/"
    svc = hooked(tmp_path, closed)
    before = deliveries()
    publish_a_round(svc)
    assert svc.app.state.webhook.wait_idle(IDLE)
    assert counted_since(before) == {"failed": 1}
    dispose(svc)

    hanging = Receiver(hold=True)
    (tmp_path / "hangs").mkdir()
    svc = hooked(tmp_path / "hangs", hanging.url)
    svc.app.state.webhook.timeout, svc.app.state.webhook.delays = 0.2, ()
    publish_a_round(svc)  # answered while the receiver holds the event
    hanging.received.get(timeout=IDLE)
    assert svc.app.state.webhook.wait_idle(IDLE)
    assert counted_since(before) == {"failed": 2}
    hanging.close()
    dispose(svc)


def test_events_beyond_the_queue_are_dropped_not_waited_for():
    held = Receiver(hold=True)
    hook = Webhook(held.url, SECRET, delays=(), capacity=1)
    before = deliveries()
    first = hook.send("test.event", {"n": 1})
    held.received.get(timeout=IDLE)  # the thread holds the first; one fits in the queue
    second = hook.send("test.event", {"n": 2})
    assert hook.send("test.event", {"n": 3}) is None
    assert first and second and first != second
    held.release.set()
    assert hook.wait_idle(IDLE)
    assert counted_since(before) == {"dropped": 1, "delivered": 2}
    held.close()


def test_without_settings_there_is_no_webhook(tmp_path):
    svc = start_service("sqlite", tmp_path)
    assert svc.app.state.webhook is None
    before = deliveries()
    publish_a_round(svc)
    assert counted_since(before) == {}
    dispose(svc)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"webhook_url": "https://h.example.org/x"}, "required when PEERMATCH_WEBHOOK_URL"),
        ({"webhook_url": "https://h.example.org/x", "webhook_secret": "short"}, "at least 16"),
        ({"webhook_url": "ftp://h.example.org/x", "webhook_secret": SECRET}, "http:// or https"),
    ],
)
def test_settings_refuse_a_webhook_that_cannot_be_signed_or_sent(settings, message):
    with pytest.raises(ValidationError, match=message):
        Settings(**settings)


def test_no_url_means_no_webhook_even_with_a_secret():
    assert Webhook.from_settings(Settings(webhook_url="", webhook_secret=SECRET)) is None


def test_serve_refuses_a_webhook_url_without_a_secret(monkeypatch, tmp_path):
    import uvicorn
    from typer.testing import CliRunner

    from service.cli import app as cli
    from service.config import get_settings

    started = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: started.append(args))
    monkeypatch.setenv("PEERMATCH_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PEERMATCH_DATABASE_URL", raising=False)
    monkeypatch.delenv("PEERMATCH_WEBHOOK_SECRET", raising=False)
    monkeypatch.setenv("PEERMATCH_WEBHOOK_URL", "https://hub.example.org/hooks/peermatch")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["serve"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2 and started == [], result.output
    assert "PEERMATCH_WEBHOOK_SECRET: required when PEERMATCH_WEBHOOK_URL is set" in result.output
    assert "Traceback" not in result.output
