"""What came of the published rounds: per round, the feedback counts (the
round outcomes the API shows) and, for the secretariat, the comments."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from service.contract import FeedbackPublic
from service.store.models import Round
from service.usecases.review import list_feedback, round_counts, round_outcomes

COMMENTS_SHOWN = 100
"""Comments listed per round (newest rounds first); GET /v1/rounds/{id}/feedback has all."""


@dataclass(frozen=True)
class RoundOutcome:
    round: Round
    counts: dict[str, int]
    outcomes: dict
    """``feedback``, ``met``, ``mean_usefulness`` (:func:`round_outcomes`)."""
    comments: list[FeedbackPublic]
    """Of the round's first :data:`COMMENTS_SHOWN` feedback, those with a comment."""


def published_outcomes(session: Session) -> list[RoundOutcome]:
    """Every round that was published (the current and the archived ones),
    newest first, with its feedback."""
    rounds = session.exec(
        select(Round)
        .where(col(Round.status).in_(("published", "archived")))
        .order_by(col(Round.id).desc())
    ).all()
    found = []
    for row in rounds:
        feedback = list_feedback(session, round_id=row.id, limit=COMMENTS_SHOWN, offset=0).items
        found.append(
            RoundOutcome(
                row,
                round_counts(session, row.id),
                round_outcomes(session, row.id),
                [f for f in feedback if f.comment],
            )
        )
    return found
