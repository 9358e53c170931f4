"""The field types every input shares: ids, one-line and multi-line text,
capacities, e-mail addresses."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    AfterValidator,
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
