"""The OpenAPI document tells the truth about errors: each operation lists
the problem documents (``application/problem+json``, RFC 9457) it can
answer, derived once from its method, parameters, body and dependencies,
instead of FastAPI's default 422 ``HTTPValidationError``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from service.api import auth, deps
from service.api.problem_kinds import KINDS
from service.api.problems import PROBLEM_JSON
from service.api.ratelimit import EXEMPT_PATHS, WRITE_METHODS
from service.usecases.access import ROLES

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem document; `type` is the address of a page "
    "saying what it means and how to fix it.",
    "type": "object",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ProblemError"}},
    },
    "additionalProperties": True,
}
PROBLEM_ERROR_SCHEMA: dict[str, Any] = {
    "title": "ProblemError",
    "description": "One thing wrong with the input: where (body, query, path, a "
    "member or a row), which field, the value sent and how to fix it.",
    "type": "object",
    "required": ["where", "message"],
    "properties": {
        "where": {"type": "string"},
        "field": {"type": "string"},
        "value": {},
        "message": {"type": "string"},
        "line": {"type": ["integer", "null"]},
        "column": {"type": ["integer", "null"]},
    },
    "additionalProperties": True,
}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds to wait before retrying",
        "schema": {"type": "integer", "minimum": 1},
    }
}
_DB_DEPENDENCIES = {deps._engine, deps._session, deps._cache}


def _calls(dependant: Dependant) -> list[Any]:
    found, stack = [], list(dependant.dependencies)
    while stack:
        sub = stack.pop()
        found.append(sub.call)
        stack.extend(sub.dependencies)
    return found


def _has_params(dependant: Dependant) -> bool:
    if dependant.path_params or dependant.query_params or dependant.header_params:
        return True
    return any(_has_params(sub) for sub in dependant.dependencies)


CONFLICTING_READS = frozenset({"/v1/rounds/{round_id}/publish-preview"})
"""Reads that answer 409: a preview of publishing a round that is no draft."""


def statuses(route: APIRoute, method: str, operation: dict[str, Any]) -> set[int]:
    """The problem statuses ``route`` can answer to ``method``."""
    calls = _calls(route.dependant)
    keyed = auth.principal in calls
    roles = [getattr(call, "roles", None) for call in calls]
    restricted = any(r is not None and r != frozenset(ROLES) for r in roles)
    body = "requestBody" in operation
    write = method in WRITE_METHODS
    # The body-size guard sits in front of every route: a malformed
    # Content-Length gets 400 and an announced or sent body over the limit
    # 413, whether or not the operation reads a body.
    found = {400, 413, 500}
    found |= {401} if keyed else set()
    found |= {403} if keyed and restricted else set()
    found |= {404} if route.dependant.path_params else set()
    found |= {409, 507, 503} if write else set()
    found |= {409} if route.path in CONFLICTING_READS else set()
    found |= {422} if body or _has_params(route.dependant) else set()
    found |= {429} if write and route.path not in EXEMPT_PATHS else set()
    found |= {503} if keyed or _DB_DEPENDENCIES & set(calls) else set()
    return found


def _description(status: int) -> str:
    kinds = [k for k, kind in KINDS.items() if kind.status == status]
    titles = sorted({KINDS[k].title for k in kinds})
    return f"{' / '.join(titles)} (problem type: {', '.join(kinds)})"


def _routes(app: FastAPI) -> list[APIRoute]:
    """Every API route, also those of included routers."""
    found, stack = [], list(app.routes)
    while stack:
        route = stack.pop()
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            stack.extend(route.original_router.routes)
    return found


def document_problems(app: FastAPI, schema: dict[str, Any]) -> None:
    """Declare every operation's problem responses in ``schema`` (in place)."""
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"], schemas["ProblemError"] = PROBLEM_SCHEMA, PROBLEM_ERROR_SCHEMA
    content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for route in _routes(app):
        if not route.include_in_schema:
            continue
        for method in route.methods:
            operation = schema["paths"].get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            declared = {int(s) for s in responses if s.isdigit() and int(s) >= 400}
            for status in sorted(statuses(route, method, operation) | declared):
                answer = responses.get(str(status), {})
                if status == 422 or not answer.get("description"):
                    answer["description"] = _description(status)
                answer["content"] = content
                if status in (429, 503):
                    answer["headers"] = _RETRY_AFTER
                responses[str(status)] = answer
            operation["responses"] = dict(sorted(responses.items()))
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` declare the problem responses (computed once)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document_problems(app, generate())
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
