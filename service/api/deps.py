"""Dependencies shared by the routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
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
