"""Problems found in an input: where, which field, the bad value, how to fix it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from service.safe_text import escape_controls


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where, which field, the bad value, and
    what to do about it."""

    where: str
    field: str
    value: Any
    message: str
    line: int | None = None
    column: int | None = None
    at: tuple[int, ...] = field(default=(), compare=False, repr=False)
    """Where the problem is, as positions in the input: problems are listed in
    this order (an input's own order); never shown."""

    def __post_init__(self) -> None:
        # A problem echoes what was sent, but a reader needs only its start:
        # a value nested hundreds deep would also overflow every printer.
        object.__setattr__(self, "value", _echo(self.value))

    def __str__(self) -> str:
        at = f"line {self.line}, column {self.column}: " if self.line else ""
        field = f" · {self.field}" if self.field else ""
        value = "" if self.value is None else f" = {json.dumps(self.value, ensure_ascii=False)}"
        return escape_controls(f"{at}{self.where}{field}{value}: {self.message}")

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None and k != "at"}


_ECHO_ITEMS = 5


_ECHO_DEPTH = 2


_ECHO_CHARS = 300


def _echo(value: Any, depth: int = _ECHO_DEPTH) -> Any:
    """``value`` cut to a readable size: strings to 300 characters, lists and
    objects to their first 5 items, 2 levels deep ("…" marks a cut)."""
    if isinstance(value, str):
        return value if len(value) <= _ECHO_CHARS else value[:_ECHO_CHARS] + "…"
    if isinstance(value, list | tuple | dict):
        if _already_cut(value):
            return value
        if depth == 0:
            return "…"
        if isinstance(value, dict):
            items = list(value.items())
            out: Any = {str(k)[:_ECHO_CHARS]: _echo(v, depth - 1) for k, v in items[:_ECHO_ITEMS]}
            if len(items) > _ECHO_ITEMS:
                out["…"] = f"{len(items) - _ECHO_ITEMS} more"
            return out
        out = [_echo(v, depth - 1) for v in value[:_ECHO_ITEMS]]
        return out + ["…"] if len(value) > _ECHO_ITEMS else out
    return value


def _already_cut(value: list | tuple | dict) -> bool:
    """Whether ``value`` is an :func:`_echo` result (echoing it again, e.g.
    for ``dataclasses.replace``, must not change its count of the rest)."""
    if len(value) != _ECHO_ITEMS + 1:
        return False
    return "…" in value if isinstance(value, dict) else value[-1] == "…"


MAX_LISTED = 200
"""Problems listed in one answer: enough to fix a file in one go, few enough
that a file broken on every line still gets a quick, readable answer."""


def in_order(problems: list[Problem]) -> list[Problem]:
    """``problems`` in the input's order (by :attr:`Problem.at`; problems at
    the same place keep the order they were found in)."""
    return sorted(problems, key=lambda p: p.at)


def listed(problems: list[Problem]) -> list[Problem]:
    """The first :data:`MAX_LISTED` problems, then one that counts the rest.

    >>> many = [Problem(f"members[{k}]", "name", None, "add it") for k in range(201)]
    >>> for p in listed(many)[-2:]:
    ...     print(p)
    members[199] · name: add it
    …: and 1 more problem; fix these and check again
    """
    if len(problems) <= MAX_LISTED:
        return problems
    more = len(problems) - MAX_LISTED
    rest = f"and {more} more problem{'s' if more != 1 else ''}; fix these and check again"
    return [*problems[:MAX_LISTED], Problem("…", "", None, rest)]


class NetworkError(ValueError):
    """A network document with problems; ``problems`` lists all of them, in
    the document's order (a message lists the first :data:`MAX_LISTED`)."""

    def __init__(self, problems: list[Problem], *, source: str = "network") -> None:
        self.problems, self.source = problems, source
        plural = "s" if len(problems) != 1 else ""
        lines = "\n".join(f"  - {p}" for p in listed(problems))
        super().__init__(f"{source}: {len(problems)} problem{plural}\n{lines}")
