"""Dependencies shared by the routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request
from sqlalchemy import Engine
from sqlmodel import Session

from service.config import Settings
from service.usecases import NetworkCache


# Async on purpose: these do no I/O (a Session connects on first use), and a
# sync dependency would cost a thread-pool round trip on every request.
async def _engine(request: Request) -> Engine:
    return request.app.state.engine


async def _session(request: Request) -> AsyncIterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


async def _cache(request: Request) -> NetworkCache:
    return request.app.state.cache


async def _settings(request: Request) -> Settings:
    return request.app.state.settings


EngineDep = Annotated[Engine, Depends(_engine)]
SessionDep = Annotated[Session, Depends(_session)]
CacheDep = Annotated[NetworkCache, Depends(_cache)]
SettingsDep = Annotated[Settings, Depends(_settings)]


@dataclass(frozen=True)
class Paging:
    """Which page of a list to answer."""

    limit: int | None
    offset: int


MAX_OFFSET = 2**31 - 1


def _offset() -> Any:
    return Query(0, ge=0, le=MAX_OFFSET, description="how many items of the list to skip")


def paging(default: int, most: int) -> Any:
    """The ``limit`` and ``offset`` query parameters of a list, as a dependency:
    ``Annotated[Paging, paging(50, 500)]``."""

    async def page(
        limit: int = Query(
            default, ge=1, le=most, description=f"the most items to answer, 1–{most}"
        ),
        offset: int = _offset(),
    ) -> Paging:
        return Paging(limit, offset)

    return Depends(page)


def paging_or_all(most: int) -> Any:
    """Like :func:`paging`, for a list answered whole before it was paged:
    without ``limit``, the page is the whole list."""

    async def page(
        limit: int | None = Query(
            None, ge=1, le=most, description=f"the most items to answer, 1–{most}; none: all"
        ),
        offset: int = _offset(),
    ) -> Paging:
        return Paging(limit, offset)

    return Depends(page)


async def _revision(
    if_match: str | None = Header(
        None,
        pattern=r'^(W/)?"?[0-9]{1,9}"?$',
        description='the round\'s `revision` the decision was made on, e.g. `"7"`: if the '
        "round changed since, 409 (stale-revision) says what changed; without it the "
        "decision is taken on the round as it is",
    ),
) -> int | None:
    return None if if_match is None else int(if_match.removeprefix("W/").strip('"'))


RevisionDep = Annotated[int | None, Depends(_revision)]
"""The round revision a decision was made on (``If-Match``), if sent."""
