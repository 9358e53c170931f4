"""What the use cases refuse, in the domain's words. The HTTP layer maps each
class to a status and an RFC 9457 problem document (``service.api.problems``);
the CLI prints ``detail`` and exits 2. ``kind`` names the problem type;
``errors`` lists its details (where, field, value, message).
"""

from __future__ import annotations

from typing import Any

from service.contract import NetworkError, listed


class DomainError(Exception):
    kind = "bad-request"

    def __init__(
        self, detail: str, errors: list[dict[str, Any]] | None = None, *, kind: str | None = None
    ) -> None:
        super().__init__(detail)
        self.detail, self.errors = detail, errors
        self.kind = kind or self.kind


class NotFound(DomainError):
    """No such member, round, proposal, lock or exclusion."""

    kind = "not-found"


class Conflict(DomainError):
    """The request is fine, but the current state refuses it (a round already
    published, a capacity reached, a stored network a change would break)."""

    kind = "conflict"


class Invalid(DomainError):
    """The input itself is wrong; ``errors`` says where and how to fix it."""

    kind = "validation"


class Forbidden(DomainError):
    """This principal may not do this (e.g. a member changing its region)."""

    kind = "forbidden"


def not_found(what: str, ident: object) -> NotFound:
    return NotFound(f"no {what} with id '{ident}'")


def network_problems(exc: NetworkError, *, conflict: bool) -> Invalid | Conflict:
    """Every problem of a network document, as input to fix (``Invalid``) or,
    for a stored network that a change would break, as a ``Conflict``."""
    n = len(exc.problems)
    detail = f"{n} problem{'s' if n != 1 else ''} in the input; nothing was written"
    errors = [p.to_dict() for p in listed(exc.problems)]
    return Conflict(detail, errors=errors) if conflict else Invalid(detail, errors=errors)
