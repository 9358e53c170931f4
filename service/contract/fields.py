"""The field types every input shares: ids, one-line and multi-line text,
capacities, e-mail addresses."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
)

from service.safe_text import check_multi_line, check_single_line

MAX_CAPACITY = 50


MEMBER_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


MemberId = Annotated[str, Field(pattern=MEMBER_ID_PATTERN)]

RESERVED_MEMBER_IDS = frozenset({"export"})
"""Ids that GET /v1/members/{id} could never reach: a route of that name
comes first."""
PSEUDONYM_PREFIX = "deleted-"
"""Deleted members are named ``deleted-`` and 8 hex digits in the records
that stay; no live member may look like one."""


def reserved_id_problem(member_id: object) -> str | None:
    """Why a new member may not take ``member_id``, or None.

    >>> reserved_id_problem("export")
    "'export' is reserved (GET /v1/members/export is a route); choose another id"
    >>> reserved_id_problem("ke-coalition") is None
    True
    """
    if not isinstance(member_id, str):
        return None
    if member_id in RESERVED_MEMBER_IDS:
        return (
            f"'{member_id}' is reserved (GET /v1/members/{member_id} is a route); choose another id"
        )
    if member_id.lower().startswith(PSEUDONYM_PREFIX):
        # A pseudonym in the records must never name a live member.
        return f"ids starting with '{PSEUDONYM_PREFIX}' name deleted members; choose another id"
    return None


def _not_reserved(member_id: str) -> str:
    if problem := reserved_id_problem(member_id):
        raise ValueError(problem)
    return member_id


NewMemberId = Annotated[MemberId, AfterValidator(_not_reserved)]
"""The id of a member being created over HTTP: checked with the rest of the
body, so one answer lists every problem."""


SingleLine = Annotated[str, AfterValidator(check_single_line)]
"""Names, labels and other one-line text: no control or bidirectional
override characters (they could steer a terminal or disguise a name)."""


MultiLine = Annotated[str, AfterValidator(check_multi_line)]
"""Descriptions, notes and comments: line feeds and tabs, no other control."""

MAX_SEED = 2**31 - 1
Seed = Annotated[int, Field(ge=0, le=MAX_SEED)]
"""A tie-breaking seed: same input and seed, same output."""


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[Tt ]|$)")


def _iso_8601(value: object) -> object:
    # pydantic also reads a number as Unix seconds: 20261201 would be a day of
    # 1970, silently.
    if isinstance(value, str) and not _ISO_DATE.match(value):
        raise ValueError("not an ISO 8601 date or time; write e.g. 2026-12-01T00:00:00Z")
    return value


IsoTime = Annotated[datetime, BeforeValidator(_iso_8601)]
"""A moment given as text (a query parameter): ISO 8601, a date or a date
and time, with or without an offset; never a bare number."""
