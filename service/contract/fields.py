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
