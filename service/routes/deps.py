"""Dependencies shared by the routes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlmodel import Session

from service.config import Settings
from service.usecases import NetworkCache


def _engine(request: Request) -> Engine:
    return request.app.state.engine


def _session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


def _cache(request: Request) -> NetworkCache:
    return request.app.state.cache


def _settings(request: Request) -> Settings:
    return request.app.state.settings


EngineDep = Annotated[Engine, Depends(_engine)]
SessionDep = Annotated[Session, Depends(_session)]
CacheDep = Annotated[NetworkCache, Depends(_cache)]
SettingsDep = Annotated[Settings, Depends(_settings)]
