"""The FastAPI application: ``create_app()`` builds it on an engine (migrated
on start, or checked current in read-only mode), with problem-detail errors, a
body-size bound and the /v1 routes; ``app_from_environment()`` is each
``peermatch serve`` worker's factory."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from service import console
from service.api import observability, openapi, problems
from service.api.ratelimit import TokenBuckets, WriteRateLimit
from service.api.read_only import ReadOnlyGate
from service.api.routes import (
    feedback,
    flow,
    jobs,
    members,
    network,
    outcomes,
    pairs,
    problem_pages,
    rounds,
    system,
)
from service.config import Settings, get_settings
from service.store.db import make_engine, prepare
from service.usecases import NetworkCache
from service.usecases.jobs import JobRunner, fail_interrupted
from service.usecases.webhook import Webhook


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with a 413 problem, whether
    the client announced the length or streams the body."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and not length.isdigit():
            await self._refuse(
                scope,
                send,
                400,
                "Content-Length must be a whole number of bytes",
                kind="bad-request",
            )
            return
        if length is not None and int(length) > self.limit:
            await self._too_large(scope, send)
            return
        seen, exceeded, answered = 0, False, False

        async def counted() -> dict:
            nonlocal seen, exceeded
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                exceeded = True
                raise _TooLarge
            return message

        # FastAPI catches errors raised while it reads a JSON body and answers
        # 400 "error parsing the body": once the limit is hit, whatever the
        # app answers is replaced by the 413.
        async def guarded(message: dict) -> None:
            nonlocal answered
            if not exceeded:
                await send(message)
            elif not answered:
                answered = True
                await self._too_large(scope, send)

        try:
            await self.app(scope, counted, guarded)
        except _TooLarge:
            if not answered:
                await self._too_large(scope, send)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        detail = (
            f"the request body is larger than {self.limit} bytes; split it "
            "(or raise PEERMATCH_MAX_BODY_BYTES)"
        )
        await self._refuse(scope, send, 413, detail, kind="too-large")

    @staticmethod
    async def _refuse(scope: Scope, send: Send, status: int, detail: str, *, kind: str) -> None:
        from starlette.requests import Request

        response = problems.problem_response(Request(scope), status, detail, kind=kind)
        await response(scope, None, send)


class _TooLarge(Exception):
    pass


CORS_METHODS = ["GET", "HEAD", "POST", "PATCH", "DELETE"]
CORS_REQUEST_HEADERS = ["X-API-Key", "Content-Type", "If-None-Match", "X-Request-ID", "Prefer"]
CORS_EXPOSED_HEADERS = ["ETag", "Retry-After", "X-Request-ID", "Location", "Preference-Applied"]
"""What a browser page on an allowed origin may send and read (CORS)."""


def _operation_id(route: APIRoute) -> str:
    return route.name


def _pages(app: FastAPI) -> None:
    """``/`` (the console) and ``/docs`` (Swagger UI, served locally)."""

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse("/console/", status_code=303)

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="peermatch API",
            swagger_js_url=f"{console.VENDOR_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{console.VENDOR_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{console.STATIC_PATH}/favicon.svg",
        )


def create_app(settings: Settings | None = None, *, migrate_schema: bool = True) -> FastAPI:
    """The service on ``settings`` (default: from the environment); the
    database is created and migrated to the newest schema here, unless
    ``migrate_schema`` is false (``peermatch serve`` prepares it once, before
    its workers start). A database that refuses writes stops it
    (``DatabaseNotWritable``) unless ``settings.read_only``; read-only, its
    schema must be current (``SchemaNotCurrent``); see
    ``service.store.db.prepare``. Migrating, it also marks failed the jobs
    an earlier process left unfinished (``service.usecases.jobs``)."""
    settings = settings or get_settings()
    engine = make_engine(settings.url(), busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    if migrate_schema:
        prepare(engine, read_only=settings.read_only)
        if not settings.read_only:
            fail_interrupted(engine)
    app = FastAPI(
        title="peermatch",
        version="1",
        summary="Peer matching for an education campaign network: members, "
        "recommendations, reviewed mentoring rounds and learning circles.",
        generate_unique_id_function=_operation_id,
        default_response_class=problems.SafeJSONResponse,
        # Swagger UI from the console's vendored copy (served below), never a
        # CDN: /docs works without internet access. No ReDoc.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    # API-key lookups run on the event loop (see service.api.auth), on a pool of
    # their own: the loop never waits for a connection held by a worker
    # thread, which could otherwise wait for the loop to release it.
    app.state.auth_engine = make_engine(
        settings.url(),
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        pool_size=1,
        max_overflow=1,
    )
    app.state.cache = NetworkCache(engine)
    app.state.jobs = JobRunner(engine)
    app.state.webhook = Webhook.from_settings(settings)
    problems.install(app)
    app.include_router(system.router)
    app.include_router(members.router)
    app.include_router(network.router)
    app.include_router(rounds.router)
    app.include_router(jobs.router)
    app.include_router(pairs.router)
    app.include_router(feedback.router)
    app.include_router(outcomes.router)
    app.include_router(problem_pages.router)
    app.include_router(flow.router)
    console.install(app)
    _pages(app)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    if settings.write_rate > 0:
        app.state.write_buckets = TokenBuckets(rate=settings.write_rate, burst=settings.write_burst)
        app.add_middleware(WriteRateLimit, buckets=app.state.write_buckets)
    if settings.read_only:
        app.add_middleware(ReadOnlyGate)
    if origins := settings.cors_origin_list():
        # Outside the gates (a preflight is answered before a rate limit or
        # read-only mode sees it, and their refusals carry the CORS headers),
        # inside the request log and ids.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=CORS_METHODS,
            allow_headers=CORS_REQUEST_HEADERS,
            expose_headers=CORS_EXPOSED_HEADERS,
            max_age=600,
        )
    observability.install(app)  # last: its middleware is the outermost
    openapi.install(app)
    return app


def app_from_environment() -> FastAPI:
    """The app of each ``peermatch serve`` worker process (a uvicorn factory):
    settings from the environment the workers inherit; the parent process
    migrated the database, loaded the demo and made the first key."""
    return create_app(get_settings(), migrate_schema=False)
