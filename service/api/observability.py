"""What an operator sees of the running service: a request id on every
answer, one JSON log line and the metrics of every request, and
``GET /metrics`` for admins.

The request log is the ``peermatch.request`` logger at INFO: ``peermatch
serve`` sends it to stderr as JSON lines (:func:`log_config`); elsewhere
(tests, an embedding app) it is silent until logging is configured.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, FastAPI, Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service import metrics
from service.api.auth import Admin

REQUEST_LOG = "peermatch.request"
HEADER = "X-Request-ID"
_SAFE_ID = re.compile(rb"[A-Za-z0-9._:+/=-]{1,128}")
"""An incoming request id is kept if it is 1–128 of these characters."""
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"
"""The route label of a request no route matched (a 404, a refused body)."""

_log = logging.getLogger(REQUEST_LOG)


def request_id(scope: Scope) -> str:
    """The client's ``X-Request-ID`` if it is short and plain, else a new one."""
    for name, value in scope.get("headers") or ():
        if name == b"x-request-id":
            if _SAFE_ID.fullmatch(value):
                return value.decode("ascii")
            break
    return uuid.uuid4().hex


class Observe:
    """The outermost middleware: gives each request its id (in
    ``request.state.request_id``, the ``X-Request-ID`` answer header and every
    problem document), then counts it, times it and logs it."""

    def __init__(self, app: ASGIApp, *, fixed_paths: frozenset[str] = frozenset()) -> None:
        self.app, self.fixed_paths = app, fixed_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state = scope.setdefault("state", {})
        rid = state["request_id"] = request_id(scope)
        status = 500  # unless an answer starts: an error escaped the app

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                if HEADER not in headers:
                    headers.append(HEADER, rid)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            method = scope["method"] if scope["method"] in _METHODS else "other"
            route = self._route(scope)
            # Counted before it is logged: once its line is out, /metrics has it.
            metrics.observe_request(method, route, status, seconds)
            if _log.isEnabledFor(logging.INFO):
                fields = {
                    "request_id": rid,
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 2),
                }
                if state.get("key_name"):
                    fields["key_name"] = state["key_name"]
                _log.info("request", extra={"fields": fields})

    def _route(self, scope: Scope) -> str:
        """The matched route's template (bounded label values), never the raw
        path, except for the app's fixed documentation paths."""
        route = scope.get("route")
        template = getattr(route, "path_format", None) or getattr(route, "path", None)
        if template:
            return template
        return scope["path"] if scope["path"] in self.fixed_paths else UNMATCHED


class JsonFormatter(logging.Formatter):
    """A record as one JSON object on one line: ``time`` (UTC, ISO 8601),
    ``level``, ``logger``, ``pid``, ``message`` and the record's ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "pid": record.process,
            "message": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        # ASCII only: a control character or a bidi override in a value is an
        # escape, inert in a terminal or a log viewer.
        return json.dumps(line, ensure_ascii=True, default=str)


def log_config(*, request_log: bool) -> dict[str, Any]:
    """uvicorn's logging configuration plus the request log (JSON lines on
    stderr, or off); uvicorn applies it in every worker process."""
    from uvicorn.config import LOGGING_CONFIG

    config = json.loads(json.dumps(LOGGING_CONFIG))
    config["formatters"]["json"] = {"()": f"{__name__}.JsonFormatter"}
    config["handlers"]["request"] = {
        "formatter": "json",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
    }
    config["loggers"][REQUEST_LOG] = {
        "handlers": ["request"],
        "level": "INFO" if request_log else "WARNING",
        "propagate": False,
    }
    return config


router = APIRouter(tags=["system"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def get_metrics(_: Admin) -> Response:
    """Requests and latency by route and status, round durations, snapshot
    rebuilds and live workers, summed over the workers (Prometheus text
    format 0.0.4). Admin keys only."""
    return Response(metrics.exposition(), media_type=metrics.CONTENT_TYPE)


def install(app: FastAPI) -> None:
    """Add ``/metrics`` and the request middleware (call it last: the
    middleware added last is the outermost, and sees every answer)."""
    app.include_router(router)
    fixed = {app.openapi_url, app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url}
    app.add_middleware(Observe, fixed_paths=frozenset(p for p in fixed if p))
    metrics.worker_started()
