"""Errors as RFC 9457 problem details (``application/problem+json``).

Every error a client can cause has a ``type``, a ``title``, the ``status``, a
``detail`` saying how to fix it and, for bad input, ``errors``: one entry per
problem with ``where`` (member id, row or position), ``field``, ``value`` and
``message``. Nothing a client sends produces a 500.

The database's state is not the client's fault either: unavailable or
read-only gives 503 with ``Retry-After``, full storage 507
(``service.store.faults`` tells which); any other error is a 500 problem
document, never Starlette's plain text.
"""

from __future__ import annotations

import logging
import math
import sqlite3
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from service.api.problem_kinds import kind_for_status, problem_type
from service.safe_text import escape_controls
from service.store.faults import Fault, classify
from service.usecases.errors import Conflict, DomainError, Forbidden, Invalid, NotFound

PROBLEM_JSON = "application/problem+json"
_TITLES = {
    400: "Bad request",
    401: "Missing or unknown API key",
    403: "Not allowed for this key's role",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict with the current state",
    413: "Request body too large",
    415: "Unsupported media type",
    429: "Too many requests",
    422: "Invalid input",
    500: "Internal server error",
    503: "Service unavailable",
    507: "Insufficient storage",
}
RETRY_AFTER_UNAVAILABLE = 5
"""Seconds a client waits before retrying when the database is unavailable
(a restart, a failover, a lock) or the service is not ready."""
RETRY_AFTER_READ_ONLY = 60
"""Seconds before retrying a write refused because the database (or the
service) is read-only: an operator has to act."""
_log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error the service answers with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.detail, self.errors = status, detail, errors
        self.kind = kind or kind_for_status(status)


class SafeJSONResponse(JSONResponse):
    """JSON in which C1 and bidirectional controls are ``\\uXXXX`` escapes:
    the same data for a JSON reader, inert in a terminal (curl) or a log."""

    def render(self, content: Any) -> bytes:
        text = super().render(content).decode("utf-8")
        return escape_controls(text).encode("utf-8")


def _clean(value: Any, depth: int = 0) -> Any:
    """Echo a client's value safely: JSON has no NaN or infinity, UTF-8 no
    lone surrogates, and a problem document need not repeat a huge value (or
    one nested deeper than any problem document is)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str):
        text = value.encode("utf-8", "backslashreplace").decode("utf-8")
        return text if len(text) <= 300 else text[:300] + "…"
    if isinstance(value, dict | list | tuple) and depth == _CLEAN_DEPTH:
        return "…"
    if isinstance(value, dict):
        return {str(_clean(k, depth + 1)): _clean(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v, depth + 1) for v in value]
    return value


_CLEAN_DEPTH = 8
_UNREADABLE_BODY = "There was an error parsing the body"
"""FastAPI's detail when a JSON body cannot be decoded at all."""


def problem_response(
    request: Request,
    status: int,
    detail: str,
    *,
    kind: str,
    errors=None,
    headers=None,
    extensions: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": problem_type(request, kind),
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors is not None:
        body["errors"] = errors
    if extensions:
        body.update({k: v for k, v in extensions.items() if k not in body})
    # The request's id (service.api.observability), also for answers that
    # bypass the request middleware's header, such as a 500.
    request_id = request.scope.get("state", {}).get("request_id")
    if request_id:
        body["request_id"] = request_id
        headers = {**(headers or {}), "X-Request-ID": request_id}
    return SafeJSONResponse(
        _clean(body), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


def _field_error(err: dict) -> dict[str, Any]:
    loc = [str(part) for part in err.get("loc", ())]
    where = loc[0] if loc else "request"
    field = ".".join(loc[1:])
    out: dict[str, Any] = {
        "where": where,
        "field": field,
        "message": err.get("msg", "invalid").removeprefix("Value error, "),
    }
    if err.get("type") == "json_invalid":
        reason = (err.get("ctx") or {}).get("error", "not JSON")
        at = f" at character {loc[1]}" if len(loc) > 1 else ""
        return {
            "where": where,
            "field": "",
            "message": f"the body is not valid JSON ({reason}{at}); send one JSON object",
        }
    value = err.get("input")
    if err.get("type") != "missing" and isinstance(value, str | int | float | bool):
        out["value"] = value
    return out


_FAULTS = {
    Fault.unavailable: (
        503,
        "database-unavailable",
        "the database is unavailable (down, connection lost, or locked by a long "
        "write); retry after Retry-After seconds",
        RETRY_AFTER_UNAVAILABLE,
    ),
    Fault.read_only: (
        503,
        "database-read-only",
        "the database is read-only, so nothing can be written now (reads still "
        "work); retry later: an operator has to make it writable",
        RETRY_AFTER_READ_ONLY,
    ),
    Fault.full: (
        507,
        "storage-full",
        "the database's storage is full: nothing was written; an operator has to "
        "free space (reads still work)",
        None,
    ),
}


def fault_response(request: Request, fault: Fault) -> JSONResponse:
    """The problem document for a database fault."""
    status, kind, detail, retry = _FAULTS[fault]
    headers = {"Retry-After": str(retry)} if retry else None
    return problem_response(request, status, detail, kind=kind, headers=headers)


def read_only_mode_response(request: Request) -> JSONResponse:
    """A write refused because the service was started read-only."""
    return problem_response(
        request,
        503,
        "the service runs read-only (started with --read-only or "
        "PEERMATCH_READ_ONLY=true): reads work, writes are refused until it is "
        "restarted read-write",
        kind="read-only-mode",
        headers={"Retry-After": str(RETRY_AFTER_READ_ONLY)},
    )


def not_ready_response(request: Request, detail: str, checks: dict[str, Any]) -> JSONResponse:
    """/ready's answer when a check fails; ``checks`` names each one's state."""
    return problem_response(
        request,
        503,
        detail,
        kind="not-ready",
        headers={"Retry-After": str(RETRY_AFTER_UNAVAILABLE)},
        extensions={"checks": checks},
    )


def _internal_error(request: Request) -> JSONResponse:
    return problem_response(
        request,
        500,
        "an unexpected error on the server (it is logged); retry, or report it if it persists",
        kind="internal-error",
    )


_DOMAIN_STATUS = {NotFound: 404, Conflict: 409, Invalid: 422, Forbidden: 403, DomainError: 400}


def install(app: FastAPI) -> None:
    """Route every error through one problem-document shape."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return problem_response(request, exc.status, exc.detail, kind=exc.kind, errors=exc.errors)

    @app.exception_handler(DomainError)
    async def _domain_error(request: Request, exc: DomainError) -> JSONResponse:
        status = next(s for cls, s in _DOMAIN_STATUS.items() if isinstance(exc, cls))
        return problem_response(request, status, exc.detail, kind=exc.kind, errors=exc.errors)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [_field_error(e) for e in exc.errors()]
        fields = ", ".join(sorted({f"{e['where']}.{e['field']}".rstrip(".") for e in errors}))
        return problem_response(
            request,
            422,
            f"invalid {fields}; see errors for each problem and how to fix it",
            kind="validation",
            errors=errors,
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # Writers are serialised (service.store.db.write_session), so this is a
        # uniqueness check the code missed, not a race: still the client's
        # conflict, never a 500.
        return problem_response(
            request,
            409,
            "this conflicts with data that exists; nothing was written",
            kind="conflict",
        )

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> JSONResponse:
        return problem_response(
            request,
            422,
            "a value cannot be stored (e.g. text with a NUL character); nothing was written",
            kind="validation",
        )

    @app.exception_handler(SQLAlchemyError)
    @app.exception_handler(sqlite3.Error)
    async def _database(request: Request, exc: Exception) -> JSONResponse:
        fault = classify(exc)
        if fault is None:
            raise exc  # a bug: the 500 handler below answers, and the server logs it
        _log.warning(
            "database %s: %s %s: %s",
            fault.value,
            request.method,
            request.url.path,
            getattr(exc, "orig", None) or exc,
        )
        return fault_response(request, fault)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Starlette's last resort (its ServerErrorMiddleware), which re-raises
        # to the server afterwards, so the traceback is logged.
        fault = classify(exc)
        return _internal_error(request) if fault is None else fault_response(request, fault)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "")
        if exc.status_code == 400 and detail == _UNREADABLE_BODY:
            detail = (
                "the request body cannot be read as JSON: send UTF-8 text, numbers "
                "under 4,300 digits and at most a few hundred levels of nesting"
            )
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405 and (allowed := _allowed_methods(request)):
            headers = {**(headers or {}), "Allow": allowed}
        return problem_response(
            request,
            exc.status_code,
            detail,
            kind=kind_for_status(exc.status_code),
            headers=headers,
        )


def _allowed_methods(request: Request) -> str | None:
    """The methods of the operations documented at the request's path.
    Starlette's 405 names only those of the first route on the path (GET of
    ``/v1/members``, not its POST); where a fixed path and a template both
    match (``/v1/members/import``, ``/v1/members/{member_id}``), the fixed one
    is the resource."""
    found: dict[str, set[str]] = {}
    routes = list(request.app.router.routes)
    while routes:
        route = routes.pop()
        if route.matches(request.scope)[0] is Match.NONE:
            continue
        if hasattr(route, "original_router"):  # an included router (its paths are whole)
            routes.extend(route.original_router.routes)
        elif methods := getattr(route, "methods", None):
            found.setdefault(route.path, set()).update(methods)
    if not found:
        return None
    return ", ".join(sorted(found[min(found, key=lambda path: (path.count("{"), path))]))
