"""Read-only mode (``peermatch serve --read-only``, ``PEERMATCH_READ_ONLY``):
every request that could write gets a 503 problem before it reaches a route."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from service.api.problems import read_only_mode_response

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""The methods of the routes that only read; every other one writes."""


class ReadOnlyGate:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            await read_only_mode_response(Request(scope))(scope, receive, send)
            return
        await self.app(scope, receive, send)
