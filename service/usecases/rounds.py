"""Rounds: computing a draft from the engine's result and re-running it
around the secretariat's decisions."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from matcher import (
    ScoringPolicy,
    default_taxonomy,
    form_circles,
    mentoring_round,
    network_arrays,
)
from matcher.circles import MAX_SIZE as MAX_CIRCLE_SIZE
from matcher.circles import Circle
from matcher.circles.relax import circle_options
from matcher.exchanges import Exchange, exchange_pairs
from matcher.rounds import MatchedPair
from service import metrics
from service.contract import (
    UNLOCK_OR_FIX,
    Problem,
    RoundCreate,
)
from service.documents.circles import circles_summary, left_out_list
from service.documents.encoding import reason_dict
from service.documents.exchanges import exchanges_summary, teaches
from service.documents.mentoring import round_summary, unmatched_list
from service.store.db import read_session, write_session
from service.store.models import Proposal, Round
from service.usecases.access import Principal
from service.usecases.audit import audit
from service.usecases.errors import Conflict, Invalid, not_found
from service.usecases.network import (
    lock_position,
    network_document,
    validated_network,
    with_unlock_route,
)

LIVE = ("approved", "pinned")
"""Statuses of proposals that a re-run keeps and a publication tells
(``pinned``: decided before ``pin`` became an alias of approve)."""

Progress = Callable[[str, float], None]
"""Told each coarse stage of a round's computation and the fraction of the
work done before it (``service.usecases.jobs`` stores it on the job)."""


def _quiet(stage: str, fraction: float) -> None:
    pass


def with_approvals(document: dict[str, Any], kept: list[Proposal]):
    """``document`` with a round's approved and pinned pairs added as locked
    pairs, and the relabel (see :func:`validated_network`) that names them."""
    stored = document["locked"]
    approved = [p for p in kept if {"mentor": p.mentor, "mentee": p.mentee} not in stored]
    locked = stored + [{"mentor": p.mentor, "mentee": p.mentee} for p in approved]
    return {**document, "locked": locked}, _approvals_as_locks(len(stored), approved)


def _approvals_as_locks(stored: int, approved: list[Proposal]):
    """A re-run locks its approved and pinned pairs after the ``stored``
    locks; when one of them no longer fits the profiles, the fix is a decision
    on that proposal, not a lock to remove."""

    def relabel(problem: Problem) -> Problem:
        position = lock_position(problem)
        if position is not None and position >= stored:
            p = approved[position - stored]
            decide = f"POST /v1/rounds/{p.round_id}/proposals/{p.id}/decision"
            fix = f"Decline proposal {p.id} ({decide}) or fix the profiles"
            return replace(
                problem,
                where=f"proposal {p.id} ({p.mentor} mentors {p.mentee}, {p.status})",
                message=problem.message.replace(UNLOCK_OR_FIX, fix),
            )
        if problem.where == "locked":
            note = " (this round's approved and pinned pairs count as locked pairs)"
            return replace(problem, message=problem.message + note)
        return with_unlock_route(problem)

    return relabel


POLICY_OPTIONS = ("south_south_bonus", "north_south_bonus", "same_region_bonus", "history_penalty")
"""The :class:`ScoringPolicy` weights a round may set (the others keep the engine's)."""
MENTORING_OPTIONS = frozenset({"objective", "coverage_first", *POLICY_OPTIONS})


CIRCLE_OPTIONS = frozenset({"themes", "size", "max_per_member"})
NOT_OPTIONS = {
    "mentoring": CIRCLE_OPTIONS,
    "circles": MENTORING_OPTIONS,
    "exchanges": CIRCLE_OPTIONS | (MENTORING_OPTIONS - set(POLICY_OPTIONS)),
}
"""The options each kind of round has not (an exchange is no directed
pair: nothing to make stable, no mentee to cover first)."""


def check_round_options(spec: RoundCreate) -> None:
    """Refuse (``Invalid``) options that no network makes valid: unknown theme
    keys, a bad circle size, an option of the other kind of round."""
    tax = default_taxonomy()
    errors = []
    for k, key in enumerate(spec.themes or []):
        if key not in tax:
            hint = tax.suggest(key)
            errors.append(
                {
                    "where": "body",
                    "field": f"themes.{k}",
                    "value": key,
                    "message": "unknown theme key"
                    + (f"; did you mean '{hint}'?" if hint else "; GET /v1/taxonomy lists them"),
                }
            )
    low, high = spec.size
    if not 2 <= low <= high <= MAX_CIRCLE_SIZE:
        errors.append(
            {
                "where": "body",
                "field": "size",
                "value": f"{low}-{high}",
                "message": f"size must be [min, max] with 2 <= min <= max <= {MAX_CIRCLE_SIZE}, "
                "e.g. [4, 8]",
            }
        )
    # An option of the other kind would be silently ignored: say so instead
    # (a form that always sends every field, with its default, is fine).
    for field in sorted(spec.model_fields_set & NOT_OPTIONS[spec.kind]):
        if getattr(spec, field) == type(spec).model_fields[field].get_default(
            call_default_factory=True
        ):
            continue
        errors.append(
            {
                "where": "body",
                "field": field,
                "message": f"{'an' if spec.kind == 'exchanges' else 'a'} {spec.kind} round "
                f"has no {field} option; remove it",
            }
        )
    if errors:
        raise Invalid("invalid round options; nothing was created", errors)


def _compute(
    spec: RoundCreate, document: dict[str, Any], *, declined_circles=frozenset(), relabel=None
):
    """Run the engine on ``document``; returns (summary, proposals as row
    values, input hash), the proposals built from the engine's result.
    ``relabel``: see :func:`validated_network`."""
    network = validated_network(document, relabel=relabel)
    tax = default_taxonomy()
    policy = ScoringPolicy(**{k: getattr(spec, k) for k in POLICY_OPTIONS})
    if spec.kind == "exchanges":
        # Deterministic without the seed (ties go by ids); it is kept with
        # the round as for the other kinds.
        found = exchange_pairs(network_arrays(network, tax), policy=policy)
        summary = {**exchanges_summary(found, network), "seed": spec.seed}
        return summary, [_exchange_proposal(e) for e in found.pairs], summary["input_sha256"]
    if spec.kind == "mentoring":
        result = mentoring_round(
            network,
            taxonomy=tax,
            policy=policy,
            objective=spec.objective,
            coverage_first=spec.coverage_first,
            seed=spec.seed,
        )
        summary = round_summary(result, network, seed=spec.seed)
        summary["unmatched"] = unmatched_list(result)
        return summary, [_pair_proposal(p) for p in result.pairs], summary["input_sha256"]
    arrays = network_arrays(network, tax)
    circles = form_circles(
        arrays,
        themes=spec.themes,
        size=tuple(spec.size),
        max_per_member=spec.max_per_member,
        seed=spec.seed,
    )
    proposals, dropped = [], 0
    for c in circles.circles:
        if (c.theme, frozenset(m.id for m in c.members)) in declined_circles:
            dropped += 1
        else:
            proposals.append(_circle_proposal(c))
    summary = circles_summary(circles, network)
    # Bounded by MAX_REFORMS formings, so a round answers in a few formings' time.
    options = circle_options(arrays, circles)
    summary.update(left_out=left_out_list(circles, options), declined_dropped=dropped)
    return summary, proposals, summary["input_sha256"]


def _pair_proposal(pair: MatchedPair) -> dict[str, Any]:
    return {
        "kind": "pair",
        "mentor": pair.mentor,
        "mentee": pair.mentee,
        "members": [
            {"member": pair.mentor, "role": "mentor"},
            {"member": pair.mentee, "role": "mentee"},
        ],
        "languages": list(pair.languages),
        "score": pair.score,
        "reasons": [reason_dict(r) for r in pair.reasons],
    }


def _exchange_proposal(e: Exchange) -> dict[str, Any]:
    """An exchange as a proposal row: ``mentor``/``mentee`` hold ``a``/``b``
    (so what is keyed on a pair, such as an exclusion, reads it as one) and
    each member says what it teaches the other."""
    return {
        "kind": "exchange",
        "mentor": e.a,
        "mentee": e.b,
        "members": [
            {"member": e.a, "role": "partner", "teaches": teaches(e.a_to_b_reasons)},
            {"member": e.b, "role": "partner", "teaches": teaches(e.b_to_a_reasons)},
        ],
        "languages": list(e.languages),
        "score": e.score,
        "reasons": [reason_dict(r) for r in e.reasons],
    }


def _circle_proposal(circle: Circle) -> dict[str, Any]:
    return {
        "kind": "circle",
        "theme": circle.theme,
        "language": circle.language,
        "members": [{"member": m.id, "role": m.role} for m in circle.members],
        "languages": [circle.language],
        "score": circle.score,
        "reasons": [reason_dict(r) for r in circle.reasons],
    }


def _options(spec: RoundCreate) -> dict[str, Any]:
    if spec.kind == "mentoring":
        keys = ("coverage_first", *POLICY_OPTIONS)
    elif spec.kind == "exchanges":
        keys = POLICY_OPTIONS
    else:
        keys = ("themes", "size", "max_per_member")
    return {k: getattr(spec, k) for k in keys}


def create_round(
    engine: Engine, *, spec: RoundCreate, who: Principal, progress: Progress = _quiet
) -> int:
    """Compute a round on the current network and store it as a draft. The
    computation reads a snapshot; the write is one short transaction, so two
    rounds created at once are two valid drafts."""
    started = time.perf_counter()
    progress("validating", 0.0)
    check_round_options(spec)
    with read_session(engine) as session:
        document = network_document(session)
    progress("solving", 0.1)
    summary, proposals, sha = _compute(spec, document)
    progress("storing", 0.9)
    with write_session(engine) as session:
        row = Round(
            kind=spec.kind,
            objective=spec.objective if spec.kind == "mentoring" else None,
            seed=spec.seed,
            options=_options(spec),
            taxonomy_version=default_taxonomy().version,
            input_sha256=sha,
            summary=summary,
            created_by=who.name,
        )
        session.add(row)
        session.flush()
        for p in proposals:
            session.add(Proposal(round_id=row.id, revision=1, **p))
        audit(session, who, "round.create", "round", row.id, kind=spec.kind, seed=spec.seed)
        round_id = row.id
    metrics.observe_round("create", spec.kind, time.perf_counter() - started)
    return round_id


def locked_round(session: Session, round_id: int) -> Round:
    """The round row, locked against concurrent decisions on PostgreSQL (SQLite
    serialises writers with BEGIN IMMEDIATE)."""
    row = session.exec(select(Round).where(Round.id == round_id).with_for_update()).first()
    if row is None:
        raise not_found("round", round_id)
    return row


def round_spec(row: Round) -> RoundCreate:
    return RoundCreate(
        kind=row.kind, seed=row.seed, objective=row.objective or "welfare", **row.options
    )


def _review_state(session: Session, round_id: int) -> tuple[tuple[int, str], ...]:
    rows = session.exec(
        select(Proposal.id, Proposal.status)
        .where(Proposal.round_id == round_id)
        .order_by(Proposal.id)
    ).all()
    return tuple((i, s) for i, s in rows)


def rerun_round(
    engine: Engine, *, round_id: int, who: Principal, progress: Progress = _quiet
) -> None:
    """Re-optimise a draft: approved and pinned proposals are kept (as locked
    pairs), declined ones are never proposed again (as exclusions), the rest is
    proposed anew. If the round is decided on meanwhile, 409: run it again."""
    started = time.perf_counter()
    progress("validating", 0.0)
    with read_session(engine) as session:
        row = session.get(Round, round_id)
        if row is None:
            raise not_found("round", round_id)
        if row.status != "draft":
            raise Conflict(f"round {round_id} is {row.status}; only a draft can be re-run")
        state = _review_state(session, round_id)
        proposals = session.exec(select(Proposal).where(Proposal.round_id == round_id)).all()
        document = network_document(session)
        spec, revision = round_spec(row), row.revision
    kept = [p for p in proposals if p.status in LIVE]
    declined = [p for p in proposals if p.status == "declined"]
    declined_circles = frozenset()
    relabel = None
    if spec.kind != "circles":
        if spec.kind == "mentoring":
            document, relabel = with_approvals(document, kept)
        else:
            # An approved exchange takes both its members: the rest is
            # optimised around them, so the round stays disjoint.
            document = _without(document, {m["member"] for p in kept for m in p.members})
        document = _with_declined(document, declined)
    else:
        declined_circles = frozenset(
            (p.theme, frozenset(m["member"] for m in p.members)) for p in declined
        )
        document = _without_full_members(document, kept, max_per_member=spec.max_per_member)
    progress("solving", 0.1)
    summary, fresh, sha = _compute(
        spec, document, declined_circles=declined_circles, relabel=relabel
    )
    if spec.kind == "exchanges":
        summary = _with_kept_exchanges(summary, kept)
    if spec.kind == "circles":
        fitting = _fit_circles(fresh, kept, max_per_member=spec.max_per_member)
        summary = {
            **summary,
            "circles": len(kept) + len(fitting),
            "kept": len(kept),
            "dropped_to_fit": len(fresh) - len(fitting),
        }
        fresh = fitting
    progress("storing", 0.9)
    with write_session(engine) as session:
        row = locked_round(session, round_id)
        if row.revision != revision or _review_state(session, round_id) != state:
            raise Conflict(f"round {round_id} changed while it was re-run; re-run it again")
        row.revision += 1
        _store_proposals(session, row, fresh, kept)
        row.summary, row.input_sha256 = summary, sha
        session.add(row)
        audit(session, who, "round.rerun", "round", round_id, round=round_id, revision=row.revision)
    metrics.observe_round("rerun", spec.kind, time.perf_counter() - started)


def _identity(p: dict[str, Any]) -> tuple:
    """What makes a proposal the same one again: its pair, or its circle's
    theme, language and member set."""
    if p["kind"] == "pair":
        return ("pair", p["mentor"], p["mentee"])
    if p["kind"] == "exchange":
        return ("exchange", *sorted((p["mentor"], p["mentee"])))
    return ("circle", p["theme"], p["language"], frozenset(m["member"] for m in p["members"]))


def _store_proposals(session: Session, row: Round, fresh: list[dict], kept: list[Proposal]):
    """Store a re-run's ``fresh`` proposals at ``row.revision``: one proposed
    before in this round (now or at an earlier revision) keeps its id, with
    the new score and reasons; the current ones not proposed again are
    superseded; the ``kept`` (approved) stay as they are."""
    earlier: dict[tuple, Proposal] = {}
    for p in session.exec(
        select(Proposal)
        .where(Proposal.round_id == row.id, col(Proposal.status).in_(("proposed", "superseded")))
        .order_by(Proposal.id)
    ).all():
        key = _identity(p.model_dump())
        # Rounds re-run before ids were stable hold the same pair more than once.
        if key not in earlier or (p.status == "proposed" and earlier[key].status != "proposed"):
            earlier[key] = p
    keep_keys = {_identity(p.model_dump()) for p in kept}
    again = set()
    for values in fresh:
        key = _identity(values)
        if key in keep_keys:
            continue
        p = earlier.get(key)
        if p is None:
            session.add(Proposal(round_id=row.id, revision=row.revision, **values))
            continue
        for field, value in values.items():
            setattr(p, field, value)
        p.status, p.revision = "proposed", row.revision
        session.add(p)
        again.add(p.id)
    for p in earlier.values():
        if p.status == "proposed" and p.id not in again:
            p.status = "superseded"
            session.add(p)


def _with_declined(document: dict[str, Any], declined: list[Proposal]) -> dict[str, Any]:
    """The network with this round's declined pairs (or exchanges) as
    exclusions: never proposed again in it. A "never again" decline is a
    stored exclusion already."""
    stored = document["exclusions"]
    declined_pairs = {tuple(sorted([p.mentor, p.mentee])) for p in declined}
    extra = [list(x) for x in sorted(declined_pairs - {tuple(x) for x in stored})]
    return {**document, "exclusions": stored + extra}


def _with_kept_exchanges(summary: dict[str, Any], kept: list[Proposal]) -> dict[str, Any]:
    """A re-run's summary of the whole round: the engine's figures on the
    members the approved exchanges left, plus those exchanges (the bound is
    then the best total given the approvals)."""
    score = math.fsum(p.score for p in kept)
    return {
        **summary,
        "pairs": summary["pairs"] + len(kept),
        "members": summary["members"] + 2 * len(kept),
        "eligible": summary["eligible"] + 2 * len(kept),
        "network_members": summary["network_members"] + 2 * len(kept),
        "total": summary["total"] + score,
        "upper_bound": summary["upper_bound"] + score,
        "kept": len(kept),
    }


def _circle_load(kept: list[Proposal]) -> dict[str, int]:
    load: dict[str, int] = {}
    for p in kept:
        for m in p.members:
            load[m["member"]] = load.get(m["member"], 0) + 1
    return load


def _without_full_members(
    document: dict[str, Any], kept: list[Proposal], *, max_per_member: int
) -> dict[str, Any]:
    """The network without the members that kept circles already fill to
    ``max_per_member`` (and the pairs that name them): the re-run then
    spends its effort on the others."""
    full = {i for i, n in _circle_load(kept).items() if n >= max_per_member}
    return _without(document, full)


def _without(document: dict[str, Any], gone: set[str]) -> dict[str, Any]:
    """The network without the members ``gone`` and the pairs that name them."""
    if not gone:
        return document
    return {
        **document,
        "members": [m for m in document["members"] if m["id"] not in gone],
        "exclusions": [x for x in document["exclusions"] if not gone & set(x)],
        "locked": [x for x in document["locked"] if not gone & {x["mentor"], x["mentee"]}],
        "history": [x for x in document["history"] if not gone & {x["mentor"], x["mentee"]}],
    }


def _fit_circles(fresh: list[dict], kept: list[Proposal], *, max_per_member: int) -> list[dict]:
    """The new circles that fit beside the kept ones: none repeats a kept
    circle, and no member joins more than ``max_per_member`` in all."""
    load = _circle_load(kept)
    kept_ids = {(p.theme, frozenset(m["member"] for m in p.members)) for p in kept}
    out = []
    for c in fresh:
        ids = [m["member"] for m in c["members"]]
        if (c["theme"], frozenset(ids)) in kept_ids:
            continue
        if any(load.get(i, 0) >= max_per_member for i in ids):
            continue
        for i in ids:
            load[i] = load.get(i, 0) + 1
        out.append(c)
    return out
