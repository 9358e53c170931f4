"""Writes per API key (or console session, or before sign-in the client's
address), at most ``rate`` a second with bursts of ``burst`` (a token
bucket), so that one key cannot keep every reader's snapshot rebuilding.
Imports are exempt: one import is one write of many members. The buckets
live in the process: with several workers each counts its own."""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from service.console.security import PATH as CONSOLE_PATH
from service.console.security import SESSION_COOKIE

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
EXEMPT_PATHS = frozenset({"/v1/members/import"})
_MAX_KEYS = 10_000


class TokenBuckets:
    """One bucket per key: it refills at ``rate`` tokens a second up to
    ``burst``; a write takes a token.

    >>> now = [0.0]
    >>> buckets = TokenBuckets(rate=2, burst=3, clock=lambda: now[0])
    >>> [buckets.take("k") for _ in range(4)]
    [0.0, 0.0, 0.0, 0.5]
    >>> now[0] = 0.5
    >>> buckets.take("k"), buckets.take("other")
    (0.0, 0.0)
    """

    def __init__(
        self, *, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self._lock = threading.Lock()
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str) -> float:
        """0 when ``key`` may write now (a token is taken), else the seconds
        until it may."""
        with self._lock:
            now = self.clock()
            tokens, then = self._buckets.pop(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * self.rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
            self._buckets[key] = (tokens - 1 if wait == 0 else tokens, now)
            while len(self._buckets) > _MAX_KEYS:
                self._buckets.popitem(last=False)
            return wait


def _bucket(scope: Scope) -> bytes | None:
    """Whose bucket a write takes from: its API key; for the console's forms,
    the session, or before sign-in the client's address (so sign-in attempts
    are limited too)."""
    key = dict(scope.get("headers") or []).get(b"x-api-key")
    if key or not scope["path"].startswith(CONSOLE_PATH):
        return key
    session = Request(scope).cookies.get(SESSION_COOKIE)
    if session:
        return f"console-session:{session}".encode()
    client = scope.get("client")
    return f"console-client:{client[0] if client else ''}".encode()


class WriteRateLimit:
    """ASGI middleware: a write request over its key's rate gets a 429
    problem document with ``Retry-After`` (whole seconds, at least 1)."""

    def __init__(self, app: ASGIApp, *, buckets: TokenBuckets) -> None:
        self.app, self.buckets = app, buckets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in WRITE_METHODS
            and scope["path"] not in EXEMPT_PATHS
        ):
            key = _bucket(scope)
            # Requests without a key get their 401 from the routes.
            if key and (wait := self.buckets.take(hashlib.sha256(key).hexdigest())):
                from service.api.problems import problem_response

                retry = max(1, math.ceil(wait))
                detail = (
                    f"this key sends more than {self.buckets.rate:g} writes a second "
                    f"(bursts of {self.buckets.burst}); retry in {retry} s"
                )
                response = problem_response(
                    Request(scope),
                    429,
                    detail,
                    kind="too-many-requests",
                    headers={"Retry-After": str(retry)},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
