"""The operators' webhook: when a round is published, a small JSON event is
POSTed to ``PEERMATCH_WEBHOOK_URL``, signed with ``PEERMATCH_WEBHOOK_SECRET``
(docs/operations.md, "Webhook", says how a receiver checks it).

Delivery happens after the publish committed, on a thread of its own: the
request that published never waits for the receiver, and a receiver that is
slow, down or failing can neither block nor undo a publish. Each event is
tried once and retried after each of :attr:`Webhook.delays` on a network
error, a timeout, a 408, 425, 429 or 5xx; any other answer ends it. Every
outcome is counted (``peermatch_webhook_deliveries_total{outcome}``) and a
failure is logged with the delivery's id. Events still queued when the
process exits are lost: the event says where to read the state
(``GET /v1/published``), so a receiver can always catch up.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import queue
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass

from service import metrics
from service.config import Settings
from service.contract import RoundPublic
from service.usecases.review import LIVE

ROUND_PUBLISHED = "round.published"
USER_AGENT = "peermatch-webhook/1"
_RETRY_STATUSES = frozenset({408, 425, 429}) | frozenset(range(500, 600))
_log = logging.getLogger(__name__)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Peermatch-Signature`` of ``body`` sent at ``timestamp`` (Unix
    seconds, as sent in ``X-Peermatch-Timestamp``): an HMAC-SHA256 of the
    timestamp, a dot and the exact body bytes, keyed with the secret.

    >>> signature("a-long-shared-secret", "1767225600", b'{"event":"round.published"}')
    'sha256=89bfc345e1f1f7335c404ed9623af292cd9e961c97d09e6d51ca0919562b0bfa'
    """
    message = timestamp.encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def round_published_event(view: RoundPublic, *, published_url: str) -> dict:
    """The payload of ``round.published`` (without its delivery id): which
    round, when, how many pairs, exchanges and circles it published, and where to read
    them.

    >>> from datetime import UTC, datetime
    >>> view = RoundPublic.model_construct(
    ...     id=7, published_at=datetime(2027, 1, 4, 9, 30, tzinfo=UTC), proposals=[])
    >>> round_published_event(view, published_url="https://pm.example.org/v1/published")
    ... # doctest: +NORMALIZE_WHITESPACE
    {'event': 'round.published', 'round_id': 7, 'published_at': '2027-01-04T09:30:00Z',
     'pairs': 0, 'exchanges': 0, 'circles': 0, 'published_url': 'https://pm.example.org/v1/published'}
    """
    live = [p for p in view.proposals or () if p.status in LIVE]
    return {
        "event": ROUND_PUBLISHED,
        "round_id": view.id,
        # As the API writes it in the round.
        "published_at": view.model_dump(mode="json", include={"published_at"})["published_at"],
        "pairs": sum(p.kind == "pair" for p in live),
        "exchanges": sum(p.kind == "exchange" for p in live),
        "circles": sum(p.kind == "circle" for p in live),
        "published_url": published_url,
    }


@dataclass(frozen=True)
class _Delivery:
    id: str
    event: str
    body: bytes


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not followed: urllib would resend a POST as a
    GET without its body, and the signature is for the configured URL."""

    def redirect_request(self, *args, **kwargs):
        return None


class Webhook:
    """Signed deliveries to one URL, one at a time, from a background thread
    (started with the first event)."""

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        timeout: float = 5.0,
        delays: tuple[float, ...] = (1.0, 5.0, 25.0),
        capacity: int = 100,
    ) -> None:
        self.url, self._secret = url, secret
        self.timeout = timeout
        """Seconds for one attempt (connecting, sending, the answer)."""
        self.delays = delays
        """Seconds before each retry; their number bounds the retries."""
        self._queue: queue.Queue[_Delivery] = queue.Queue(maxsize=capacity)
        self._opener = urllib.request.build_opener(_NoRedirects)
        self._lock = threading.Condition()
        self._pending = 0
        self._thread: threading.Thread | None = None
        metrics.webhook_outcomes_declared()

    @classmethod
    def from_settings(cls, settings: Settings) -> Webhook | None:
        """The configured webhook, or None when ``PEERMATCH_WEBHOOK_URL`` is unset."""
        if not settings.webhook_url or settings.webhook_secret is None:
            return None
        return cls(settings.webhook_url, settings.webhook_secret.get_secret_value())

    def round_published(self, view: RoundPublic, *, published_url: str) -> str | None:
        """Queue ``round.published`` for a round whose publish committed;
        returns the delivery id (None if the queue was full: dropped)."""
        return self.send(ROUND_PUBLISHED, round_published_event(view, published_url=published_url))

    def send(self, event: str, payload: dict) -> str | None:
        """Queue ``payload`` (with a new ``delivery_id``) without waiting."""
        delivery_id = str(uuid.uuid4())
        body = json.dumps({**payload, "delivery_id": delivery_id}, separators=(",", ":"))
        delivery = _Delivery(delivery_id, event, body.encode("utf-8"))
        with self._lock:
            try:
                self._queue.put_nowait(delivery)
            except queue.Full:
                self._finished(delivery, "dropped", "the queue is full")
                return None
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="peermatch-webhook", daemon=True
                )
                self._thread.start()
        return delivery_id

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every queued event has its outcome; False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: self._pending == 0, timeout=timeout)

    def _run(self) -> None:
        while True:
            delivery = self._queue.get()
            try:
                outcome, reason = self._deliver(delivery)
            except Exception as exc:  # a bug here must not stop later deliveries
                outcome, reason = "failed", repr(exc)
            with self._lock:
                self._finished(delivery, outcome, reason)
                self._pending -= 1
                self._lock.notify_all()

    def _deliver(self, delivery: _Delivery) -> tuple[str, str]:
        reason = ""
        for delay in (0.0, *self.delays):
            time.sleep(delay)
            retry, reason = self._attempt(delivery)
            if retry is None:
                return "delivered", reason
            if not retry:
                return "rejected", reason
        return "failed", f"{reason} after {1 + len(self.delays)} attempts"

    def _attempt(self, delivery: _Delivery) -> tuple[bool | None, str]:
        """One POST: (None, why) when delivered, (retry?, why) when not."""
        timestamp = str(int(time.time()))
        request = urllib.request.Request(
            self.url,
            data=delivery.body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "X-Peermatch-Event": delivery.event,
                "X-Peermatch-Delivery": delivery.id,
                "X-Peermatch-Timestamp": timestamp,
                "X-Peermatch-Signature": signature(self._secret, timestamp, delivery.body),
            },
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return None, f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            exc.close()
            return exc.code in _RETRY_STATUSES, f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            return True, str(getattr(exc, "reason", None) or exc)

    def _finished(self, delivery: _Delivery, outcome: str, reason: str) -> None:
        metrics.webhook_delivered(outcome)
        level = logging.INFO if outcome == "delivered" else logging.WARNING
        _log.log(
            level,
            "webhook %s %s: delivery %s, %s",
            delivery.event,
            outcome,
            delivery.id,
            reason,
        )
