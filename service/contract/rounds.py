"""Rounds at the edge: the options a round is created with, decisions,
feedback, and what the API answers about rounds and published results."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)

from matcher.circles import DEFAULT_MAX_PER_MEMBER, DEFAULT_SIZE
from matcher.pairing import OBJECTIVES
from matcher.scoring import ScoringPolicy
from service.contract.answers import Page, ReasonOut, deprecated_alias
from service.contract.fields import MemberId, MultiLine, Seed

_BODY = ConfigDict(extra="forbid", strict=True)
"""Request bodies are strict, like a member update: no conversion of near
misses (``true``, ``"7"`` or ``7.0`` is not a seed, ``"false"`` no boolean)."""
_POLICY = ScoringPolicy()
Objective = StrEnum("Objective", [(o, o) for o in OBJECTIVES])
"""The engine's objectives, for the command line's choices."""
Bonus = Annotated[float, Field(ge=0, le=10, allow_inf_nan=False)]


class RoundCreate(BaseModel):
    """Options of a round. Mentoring: ``objective``, ``coverage_first`` and the
    policy knobs (defaults: the engine's :class:`~matcher.scoring.ScoringPolicy`);
    exchanges (disjoint reciprocal pairs, each member teaching the other): the
    policy knobs; circles: ``themes``, ``size``, ``max_per_member``."""

    model_config = _BODY
    kind: Literal["mentoring", "circles", "exchanges"]
    seed: Seed | None = None
    objective: Literal[OBJECTIVES] = OBJECTIVES[0]  # type: ignore[valid-type]
    coverage_first: bool = True
    south_south_bonus: Bonus = _POLICY.south_south_bonus
    north_south_bonus: Bonus = _POLICY.north_south_bonus
    same_region_bonus: Bonus = _POLICY.same_region_bonus
    history_penalty: Bonus = _POLICY.history_penalty
    themes: Annotated[list[str], Field(min_length=1, max_length=64)] | None = None
    size: Annotated[list[int], Field(min_length=2, max_length=2)] = list(DEFAULT_SIZE)
    max_per_member: Annotated[int, Field(ge=1, le=10)] = DEFAULT_MAX_PER_MEMBER


class CircleMemberOut(BaseModel):
    member: str
    role: str


_THEME_LABEL = "the theme's label in the answer's language (`Content-Language`)"


class ProposalPublic(BaseModel):
    id: int
    round_id: int
    revision: int
    kind: str
    status: str
    mentor: str | None
    mentee: str | None
    theme: str | None
    theme_label: str | None = Field(default=None, description=_THEME_LABEL)
    language: str | None
    members: list[dict[str, Any]]
    languages: list[str]
    score: float
    reasons: list[ReasonOut]
    note: str


class Outcomes(BaseModel):
    feedback: int
    met: int
    mean_usefulness: float | None


class RoundPublic(BaseModel):
    id: int
    kind: str
    status: str
    objective: str | None
    seed: int | None
    options: dict[str, Any]
    taxonomy_version: str
    input_sha256: str
    revision: int
    summary: dict[str, Any]
    created_at: datetime
    created_by: str
    published_at: datetime | None
    counts: dict[str, int]
    outcomes: Outcomes
    proposals: list[ProposalPublic] | None = None


class RoundList(Page[RoundPublic]):
    """Rounds, newest first, without their proposals."""

    rounds = deprecated_alias(RoundPublic)


Note = Annotated[MultiLine, Field(max_length=2000)]


class DecisionIn(BaseModel):
    model_config = _BODY
    decision: Literal["approve", "decline", "pin"] = Field(
        description="`approve`: accepted for this round, kept through re-runs; `decline`: "
        "removed from this round, never proposed again in it; `pin`: deprecated alias of "
        "`approve` (until /v2)"
    )
    note: Note = ""
    never_again: bool = Field(
        False,
        description="with `decline` of a pair: also store an exclusion that later rounds "
        "respect (`GET /v1/exclusions`); `note` then says why and is required",
    )
    lock: bool = Field(
        False,
        description="with `approve` of a pair: also store the pair as a lock, carried into "
        "later rounds until removed (`GET /v1/locks`, `DELETE /v1/locks/{mentor}/{mentee}`)",
    )

    @model_validator(mode="after")
    def _consistent(self) -> DecisionIn:
        if self.never_again and self.decision != "decline":
            raise ValueError("never_again goes with decision decline; remove it or decline")
        if self.never_again and not self.note.strip():
            raise ValueError("a decline with never_again needs a note saying why")
        if self.lock and self.decision == "decline":
            raise ValueError("lock goes with decision approve; remove it or approve")
        return self

    @property
    def status(self) -> str:
        """The proposal's status after this decision (pin is approve)."""
        return "declined" if self.decision == "decline" else "approved"


class ProposalDecisionIn(DecisionIn):
    proposal_id: Annotated[int, Field(ge=1, le=2**31 - 1)]


class DecisionsIn(BaseModel):
    """Decisions on proposals of one round, taken together or not at all."""

    model_config = _BODY
    decisions: Annotated[list[ProposalDecisionIn], Field(min_length=1, max_length=1000)]


class PublishIn(BaseModel):
    model_config = _BODY
    undecided: Literal["withdraw", "approve"] | None = Field(
        None,
        description="what becomes of the proposals nobody decided on; required (else 409 "
        "listing them) when there are any",
    )


class PublishPreview(BaseModel):
    """What publishing the round would do, given ``undecided``."""

    round_id: int
    revision: int
    undecided_choice: Literal["withdraw", "approve"] | None
    choice_needed: bool = Field(
        description="true when proposals are undecided and no choice was given: publishing "
        "now would be refused (409)"
    )
    published: list[ProposalPublic]
    withdrawn: list[ProposalPublic]
    undecided: list[ProposalPublic]


class LockIn(BaseModel):
    model_config = _BODY
    mentor: MemberId
    mentee: MemberId
    note: Note = ""


class ExclusionIn(BaseModel):
    model_config = _BODY
    member_a: MemberId
    member_b: MemberId
    note: Note = ""


class _Provenance(BaseModel):
    created_by: str | None = Field(description="the API key that stored it; null: unknown")
    note: str = Field(description="why")
    created_at: datetime | None = Field(description="when; null: stored before it was recorded")
    round_id: int | None = Field(description="the round whose decision stored it, if any")


class LockPublic(_Provenance):
    mentor: str
    mentee: str


class ExclusionPublic(_Provenance):
    member_a: str
    member_b: str


class FeedbackIn(BaseModel):
    """One side's answer on a published relation. Sending again replaces the
    same author's answer for the same member; ``themes_learned`` and
    ``continued`` left out keep what that answer said (a new answer: none
    learned, not said)."""

    model_config = _BODY
    met: bool = Field(description="whether the relation met its goal")
    usefulness: Annotated[int, Field(ge=1, le=5, description="1 (not at all) to 5 (very)")]
    comment: Annotated[MultiLine, Field(max_length=2000)] = ""
    member: MemberId | None = Field(
        default=None,
        description="The side answering: a member of the relation (the mentor or mentee of a "
        "pair, either partner of an exchange, one member of a circle). A member key answers "
        "only as itself and may leave it out. An admin key recording an answer must name the "
        "circle member it is from; for a pair or an exchange it may leave it out when the side "
        "is not known.",
    )
    themes_learned: Annotated[list[str], Field(max_length=50)] = Field(
        default_factory=list,
        description="The themes actually learned, as taxonomy keys (GET /v1/taxonomy); "
        "an unknown key is refused with the closest known one.",
    )
    continued: bool | None = Field(
        default=None,
        description="Whether the relation went on after the round; null: not known.",
    )


class FeedbackPublic(BaseModel):
    id: int
    proposal_id: int
    member: str | None = Field(
        description="the side that answered; null for an answer whose side is not known"
    )
    met: bool
    usefulness: int
    themes_learned: list[str]
    themes_learned_labels: list[str] = Field(
        description="the labels of themes_learned, in the same order, in the request's language"
    )
    continued: bool | None
    comment: str
    author: str = Field(description="the name of the API key that gave it")
    created_at: datetime
    updated_at: datetime | None = Field(description="when it was last replaced; null: never")


class PublishedPair(BaseModel):
    type: Literal["pair"] = "pair"
    proposal_id: int
    round_id: int
    mentor: str
    mentor_name: str | None
    mentee: str
    mentee_name: str | None
    languages: list[str]
    score: float
    reasons: list[ReasonOut]


class PublishedCircle(BaseModel):
    type: Literal["circle"] = "circle"
    proposal_id: int
    round_id: int
    theme: str
    theme_label: str = Field(description=_THEME_LABEL)
    language: str | None
    members: list[dict[str, Any]]
    score: float


class ThemeOut(BaseModel):
    key: str
    label: str = Field(description=_THEME_LABEL)


class PublishedExchange(BaseModel):
    """A reciprocal exchange: ``a`` and ``b`` each teach the other."""

    type: Literal["exchange"] = "exchange"
    proposal_id: int
    round_id: int
    a: str
    a_name: str | None
    b: str
    b_name: str | None
    a_teaches: list[ThemeOut] = Field(description="the themes `a` teaches `b`")
    b_teaches: list[ThemeOut] = Field(description="the themes `b` teaches `a`")
    languages: list[str]
    score: float
    reasons: list[ReasonOut]


PublishedItem = Annotated[
    PublishedPair | PublishedCircle | PublishedExchange, Field(discriminator="type")
]


class Published(Page[PublishedItem]):
    """Published pairs, circles and exchanges, by round and proposal."""

    limit: int | None = Field(  # type: ignore[assignment]
        description="the most items a page holds: `limit`; null without `limit`, when the "
        "page is the whole list (as before this list was paged)"
    )
    pairs = deprecated_alias(
        PublishedPair, lambda x: x.type == "pair", what="The pairs (`type` pair) among"
    )
    circles = deprecated_alias(
        PublishedCircle, lambda x: x.type == "circle", what="The circles (`type` circle) among"
    )


JobStage = Literal["validating", "solving", "storing"]


class JobProgress(BaseModel):
    stage: JobStage | None = Field(
        description="the stage under way (validating, solving, storing); null while queued"
    )
    fraction: float = Field(ge=0, le=1, description="coarse: the work done before this stage")


class JobPublic(BaseModel):
    """A round created or re-run in the background (``Prefer: respond-async``)."""

    id: int
    kind: Literal["round.create", "round.rerun"]
    status: Literal["queued", "running", "done", "failed"]
    progress: JobProgress
    params: dict[str, Any] = Field(description="the round's options, or the round re-run")
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    round_id: int | None = Field(description="the round created or re-run, once done")
    round_url: str | None = Field(description="where to get that round, once done")
    problem: dict[str, Any] | None = Field(
        description="why it failed: the problem document the synchronous call would have "
        "answered (an `interrupted` problem when the service restarted meanwhile)"
    )
