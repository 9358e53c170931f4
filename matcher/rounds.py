"""A mentoring round over a whole network: candidate pairs, an exact (or
stable) pairing under capacities and locked pairs, a reason for every pair and
for every mentee left without a mentor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

import numpy as np
import scipy.sparse as sp

from matcher.candidates import PairScores, add_pairs, candidate_matrix
from matcher.certificate import welfare_certificate
from matcher.network import Network
from matcher.options import MAX_OPTIONS, Option, round_options
from matcher.pairing import OBJECTIVES, Pairing, pair_mentors
from matcher.pricing import price_pairs, prune_pairs, score_bound
from matcher.ranking import sorted_member
from matcher.scoring import BlockScorer, Reason, ScoringPolicy, explain_pairs, pair_scores
from matcher.taxonomy import Taxonomy
from matcher.vectors import NetworkArrays, distinct_rows, network_arrays

DENSE_PAIR_LIMIT = 4_000_000
"""Up to this many (mentee × mentor) pairs every allowed pair is a candidate;
above it each mentee starts with its ``AUTO_CANDIDATES`` best mentors and
pricing adds the pairs that could improve the pairing."""
AUTO_CANDIDATES = 40
UNPRICED_CANDIDATES = 30
"""The start when the block scores are too many to keep for pricing (about
28,000 members and up): the round is then one solve plus the cover stages,
and fewer best mentors each keep that one large solve quick for a small loss
of total score (figures: bench/RESULTS.md, "Why the engine's shortcuts")."""
MAX_PRICING_ROUNDS = 30
COVER_STAGES = 3
COVER_CANDIDATES = 10
"""Without room to price (see :func:`_cover_the_rest`): up to this many
further solves, each pairing the mentees still unmatched among the mentors
with free slots, each mentee with its this-many best of those. Each stage
covers fewer mentees than the one before; three keep the whole match at
100,000 members under its time target (figures: bench/RESULTS.md, "Why the
engine's shortcuts")."""
PRUNE_MARGINS = (0.15, 0.05)
"""Between pricing passes, candidate pairs this many score units below their
potentials are dropped (see :func:`~matcher.pricing.prune_pairs`): the
first margin while a pass adds pairs by the thousands, the second once it adds
fewer than ``SETTLED_PAIRS_PER_MENTEE`` per mentee and the potentials barely
move. At 10,000 members this takes the later solves from ~300,000 pairs to
~100,000; pruned pairs are priced again like any other, so the proof is
unchanged."""
SETTLED_PAIRS_PER_MENTEE = 2


@dataclass(frozen=True)
class MatchedPair:
    """A pair of a round: its score, the working languages the two share and
    the reasons that make up the score.

    >>> from matcher.examples import example_network
    >>> from matcher.taxonomy import default_taxonomy
    >>> pair = mentoring_round(example_network(), taxonomy=default_taxonomy()).pairs[0]
    >>> pair.mentee, pair.mentor, pair.score, pair.languages
    ('ke-coalition', 'sn-coalition', 1.2, ('en',))
    >>> [(r.key, r.contribution) for r in pair.reasons]
    [('budget_tracking', 1.0), ('south_south', 0.15), ('same_region', 0.05)]
    """

    mentee: str
    mentor: str
    score: float
    languages: tuple[str, ...]
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Unmatched:
    """A mentee with needs left without a mentor. ``code`` is one of
    ``no_shared_language``, ``no_stronger_mentor``, ``all_excluded``,
    ``capacity``; ``options`` are changes that alone would give it a mentor
    (see :mod:`matcher.options`).

    >>> from matcher.examples import example_network
    >>> from matcher.taxonomy import default_taxonomy
    >>> u = mentoring_round(example_network(), taxonomy=default_taxonomy()).unmatched[0]
    >>> u.member, u.code, u.reason
    ('pe-coalition', 'no_shared_language', 'no mentor shares a working language (es)')
    >>> [(o.kind, o.language, o.best) for o in u.options]
    [('accept_language', 'en', 'fr-ngo'), ('accept_language', 'fr', 'fr-ngo')]
    """

    member: str
    code: str
    reason: str
    options: tuple[Option, ...] = ()


@dataclass(frozen=True)
class RoundResult:
    """The result of :func:`mentoring_round`: the pairs, the mentees left
    without a mentor and why, and totals. ``optimal`` is a proof over every
    allowed pair (see :func:`mentoring_round`); ``candidates`` is the number
    of pairs the solver saw.

    >>> from matcher.examples import example_network
    >>> from matcher.taxonomy import default_taxonomy
    >>> r = mentoring_round(example_network(), taxonomy=default_taxonomy())
    >>> r.members, r.mentees_with_needs, r.mentees_matched, round(r.total_score, 4)
    (4, 3, 2, 2.0667)
    >>> r.optimal, r.candidates, r.max_candidates, r.pricing_rounds
    (True, 3, None, 0)
    """

    objective: str
    pairs: tuple[MatchedPair, ...]
    unmatched: tuple[Unmatched, ...]
    members: int
    mentees_with_needs: int
    mentees_matched: int
    total_score: float
    optimal: bool
    resolution: float
    candidates: int
    max_candidates: int | None
    pricing_rounds: int
    welfare_total: float | None
    """For ``objective="stable"``: the welfare optimum on the same
    candidates, so the cost of stability is ``welfare_total - total_score``."""


def mentoring_round(
    network: Network,
    *,
    taxonomy: Taxonomy,
    policy: ScoringPolicy | None = None,
    objective: str = "welfare",
    coverage_first: bool = True,
    seed: int | None = None,
    max_candidates: int | None | str = "auto",
    arrays: NetworkArrays | None = None,
    options: int = MAX_OPTIONS,
) -> RoundResult:
    """Pair mentees with mentors over ``network``.

    ``max_candidates="auto"`` gives the solver every allowed pair up to
    :data:`DENSE_PAIR_LIMIT` pairs; beyond, each mentee starts with its
    :data:`AUTO_CANDIDATES` (:data:`UNPRICED_CANDIDATES` when the scores cannot
    be kept for pricing) best mentors and pricing adds every pair that could
    improve the welfare pairing until none is left (``pricing_rounds``), so
    ``optimal`` is a proof over all allowed pairs in both cases (false only when
    the scores were too many to keep for pricing; a coverage-first welfare
    round then adds up to :data:`COVER_STAGES` solves for the mentees left
    unmatched, see :func:`_cover_the_rest`). An int or ``None`` (all pairs)
    forces the start. ``objective="stable"`` pairs over the same final
    candidates. Pass ``arrays`` to reuse a
    :func:`~matcher.vectors.network_arrays` result. ``options``: at most this
    many :class:`~matcher.options.Option` s per unmatched mentee, for a proven
    welfare round (0: none).

    >>> from matcher.examples import example_network
    >>> from matcher.taxonomy import default_taxonomy
    >>> result = mentoring_round(example_network(), taxonomy=default_taxonomy())
    >>> [(p.mentee, p.mentor, round(p.score, 2)) for p in result.pairs]
    [('ke-coalition', 'sn-coalition', 1.2), ('sn-coalition', 'ke-coalition', 0.87)]
    >>> result.optimal, [(u.member, u.code) for u in result.unmatched]
    (True, [('pe-coalition', 'no_shared_language')])
    """
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {', '.join(OBJECTIVES)}, got {objective!r}")
    policy = policy or ScoringPolicy()
    arrays = arrays if arrays is not None else network_arrays(network, taxonomy)
    index = network.index()
    locked = tuple((index[mentee], index[mentor]) for mentor, mentee in network.locked)
    solve = partial(
        pair_mentors,
        mentor_capacity=arrays.mentor_capacity,
        mentee_capacity=arrays.mentee_capacity,
        locked=locked,
        coverage_first=coverage_first,
        seed=seed,
    )
    max_candidates, scores = _first_candidates(arrays, policy, max_candidates)
    benefit = candidate_matrix(
        arrays, policy=policy, max_candidates=max_candidates, include=locked, scores=scores
    )
    welfare = solve(benefit)
    proven, pricing_rounds = max_candidates is None, 0
    if not proven and scores.cached:
        per_mentee = max_candidates or AUTO_CANDIDATES
        welfare, benefit, proven, pricing_rounds = _price(
            scores, benefit, welfare, solve, locked=locked, per_mentee=per_mentee
        )
    # (Pricing may drop a cache over its byte budget: then the cover stages run.)
    if not proven and not scores.cached and objective == "welfare" and coverage_first:
        welfare, benefit = _cover_stages(scores, benefit, welfare)
    result, welfare_total = welfare, None
    if objective == "stable":
        result = solve(benefit, objective="stable")
        welfare_total = welfare.total_benefit
    wants, matched = arrays.wanting, np.zeros(arrays.n, dtype=bool)
    matched[result.pairs[:, 0]] = True
    left_out = np.flatnonzero(wants & ~matched)
    unmatched = _diagnose(
        arrays,
        left_out,
        scores.allowed[left_out],
        policy=policy,
        # Without a proof, only the mentors the solver saw are known full.
        seen=None if proven else np.diff(benefit.indptr)[left_out],
    )
    if options and objective == "welfare" and proven and result.optimal:
        found = round_options(
            arrays, result, benefit, left_out, policy=policy, locked=locked, limit=options
        )
        unmatched = tuple(
            replace(u, options=found[i]) for u, i in zip(unmatched, left_out.tolist(), strict=True)
        )
    return RoundResult(
        objective=objective,
        pairs=_matched_pairs(arrays, result.pairs, policy=policy),
        unmatched=unmatched,
        members=arrays.n,
        mentees_with_needs=int(wants.sum()),
        mentees_matched=int((wants & matched).sum()),
        total_score=float(result.total_benefit),
        optimal=bool(result.optimal and proven),
        resolution=float(result.resolution),
        candidates=int(benefit.nnz),
        max_candidates=max_candidates,
        pricing_rounds=pricing_rounds,
        welfare_total=welfare_total,
    )


def _first_candidates(
    arrays: NetworkArrays, policy: ScoringPolicy, max_candidates: int | None | str
) -> tuple[int | None, PairScores]:
    """How many mentors each mentee starts with (None: all) and the block
    scores, kept in memory only when pricing will read them again."""
    auto = max_candidates == "auto"
    if auto:
        n_pairs = int(arrays.wanting.sum()) * int((arrays.mentor_capacity > 0).sum())
        max_candidates = None if n_pairs <= DENSE_PAIR_LIMIT else AUTO_CANDIDATES
    scores = PairScores(arrays, policy=policy, cache_elements=None if max_candidates else 0)
    if auto and max_candidates and not scores.cached:
        max_candidates = UNPRICED_CANDIDATES
    return max_candidates, scores


def _price(
    scores: PairScores,
    benefit: sp.csr_matrix,
    welfare: Pairing,
    solve: Callable[[sp.csr_matrix], Pairing],
    *,
    locked: tuple[tuple[int, int], ...],
    per_mentee: int,
) -> tuple[Pairing, sp.csr_matrix, bool, int]:
    """Column generation: price every allowed pair against the certificate of
    the pairing, add those that could improve it and solve again, until none
    is left (proven) or :data:`MAX_PRICING_ROUNDS` passes. Returns the last
    pairing, its candidates, whether it is proven optimal over every allowed
    pair, and the number of pricing passes."""
    arrays, policy = scores.arrays, scores.policy
    bound = score_bound(arrays, policy=policy)
    capacities = (arrays.mentor_capacity, arrays.mentee_capacity)
    # Pairs pruned once and priced back in are never pruned again: with small
    # margins, degenerate potentials could otherwise drop and re-add the same
    # pairs forever.
    keep = np.array(locked, np.int64).reshape(-1, 2)
    ever_pruned = np.zeros(0, np.int64)
    certificate = None
    for passes in range(1, MAX_PRICING_ROUNDS + 1):
        certificate = welfare_certificate(
            welfare, benefit, *capacities, locked=locked, max_benefit=bound, warm_start=certificate
        )
        i, j, found = price_pairs(
            scores, benefit, certificate, per_mentee=per_mentee, return_scores=True
        )
        if len(i) == 0:
            return welfare, benefit, True, passes
        settled = len(i) < SETTLED_PAIRS_PER_MENTEE * len(scores.mentees)
        before = _pair_keys(benefit)
        benefit = prune_pairs(
            benefit,
            certificate,
            keep=np.concatenate([welfare.pairs, keep]),
            margin=PRUNE_MARGINS[settled],
        )
        dropped = before[~sorted_member(_pair_keys(benefit), before)]
        ever_pruned = np.sort(np.concatenate([ever_pruned, dropped]))
        back = sorted_member(ever_pruned, i * arrays.n + j)
        keep = np.concatenate([keep, np.stack([i[back], j[back]], axis=1)])
        benefit = add_pairs(arrays, benefit, i, j, policy=policy, scores=found)
        welfare = solve(benefit)
    return welfare, benefit, False, MAX_PRICING_ROUNDS


def _cover_stages(
    scores: PairScores, benefit: sp.csr_matrix, welfare: Pairing
) -> tuple[Pairing, sp.csr_matrix]:
    """Up to :data:`COVER_STAGES` solves for the mentees left unmatched (see
    :func:`_cover_the_rest`), stopping when one covers nobody more; returns
    the union pairing and the candidates with the pairs the stages added."""
    arrays, policy = scores.arrays, scores.policy
    added = []
    for _ in range(COVER_STAGES):
        covered = welfare.n_covered
        welfare, pairs = _cover_the_rest(
            arrays, scores, welfare, per_mentee=COVER_CANDIDATES, policy=policy
        )
        added.append(pairs)
        if welfare.n_covered == covered:
            break
    if added:
        i, j, values = (np.concatenate(parts) for parts in zip(*added, strict=True))
        benefit = add_pairs(arrays, benefit, i, j, policy=policy, scores=values)
    return welfare, benefit


def _matched_pairs(
    arrays: NetworkArrays, pairs: np.ndarray, *, policy: ScoringPolicy
) -> tuple[MatchedPair, ...]:
    """The pairs of a round with their scores, shared languages and reasons."""
    mentees, mentors = pairs[:, 0], pairs[:, 1]
    values = pair_scores(arrays, mentees, mentors, policy=policy)
    reasons = explain_pairs(arrays, mentees, mentors, policy=policy)
    # Few distinct sets of shared languages: name each once, for its first pair.
    first, which = distinct_rows(arrays.speaks[mentees] & arrays.speaks[mentors])
    names = [
        arrays.shared_languages(i, j)
        for i, j in zip(mentees[first].tolist(), mentors[first].tolist(), strict=True)
    ]
    languages = [names[k] for k in which.tolist()]
    return tuple(
        MatchedPair(
            mentee=arrays.ids[i], mentor=arrays.ids[j], score=score, languages=langs, reasons=why
        )
        for i, j, score, langs, why in zip(
            mentees.tolist(), mentors.tolist(), values.tolist(), languages, reasons, strict=True
        )
    )


def _cover_the_rest(
    arrays: NetworkArrays,
    scores: PairScores,
    welfare: Pairing,
    *,
    per_mentee: int,
    policy: ScoringPolicy,
) -> tuple[Pairing, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Without room to price, one solve over each mentee's best mentors
    leaves mentees unmatched while other mentors keep free slots (the
    popular ones fill up: 30 % of mentees at 100,000 members). A second
    solve pairs them among the mentors with free slots, each with its
    ``per_mentee`` best of those. Returns the union (not an optimum of the
    whole, and not claimed to be) and the new candidate pairs with their
    scores. They are new: a mentor that had room in an unmatched mentee's
    earlier candidates would have been given to it (coverage comes first;
    the stages run only for coverage-first rounds)."""
    load_mentee = np.bincount(welfare.pairs[:, 0], minlength=arrays.n)
    load_mentor = np.bincount(welfare.pairs[:, 1], minlength=arrays.n)
    room = arrays.mentor_capacity - load_mentor
    rows = scores.mentees[load_mentee[scores.mentees] == 0]
    cols = scores.mentors[room[scores.mentors] > 0]
    if len(rows) == 0 or len(cols) == 0:
        nothing = np.zeros(0, np.int64)
        return welfare, (nothing, nothing, np.zeros(0))
    i, j = scores.best_pairs(rows, cols, per_mentee)
    values = pair_scores(arrays, i, j, policy=policy)
    extra = sp.csr_matrix((values, (i, j)), shape=(arrays.n, arrays.n))
    second = pair_mentors(extra, room, arrays.mentee_capacity)
    pairs = np.concatenate([welfare.pairs, second.pairs])
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    pairs.flags.writeable = False
    union = Pairing(
        pairs=pairs,
        total_benefit=welfare.total_benefit + second.total_benefit,
        optimal=False,
        objective="welfare",
        coverage_first=welfare.coverage_first,
        resolution=welfare.resolution + second.resolution,
        n_covered=welfare.n_covered + second.n_covered,
    )
    return union, (i, j, values)


def _pair_keys(benefit) -> np.ndarray:
    """Stored (row, column) pairs of a CSR matrix as sorted int64 keys
    ``row * n_columns + column``."""
    benefit.sort_indices()
    rows = np.repeat(np.arange(benefit.shape[0], dtype=np.int64), np.diff(benefit.indptr))
    return rows * benefit.shape[1] + benefit.indices


def _diagnose(
    arrays: NetworkArrays,
    mentees: np.ndarray,
    allowed: np.ndarray,
    *,
    policy: ScoringPolicy,
    seen: np.ndarray | None = None,
) -> tuple[Unmatched, ...]:
    """Name the first constraint, in order of how hard it is to lift, that
    kept each unmatched mentee out. ``allowed``: each one's number of allowed
    mentors (a mentee with any was kept out by capacity). ``seen``: for a
    round that is not proven optimal, each one's number of candidate mentors
    (the only ones known to be full)."""
    found: dict[int, Unmatched] = {}
    for k, (i, count) in enumerate(zip(mentees.tolist(), allowed.tolist(), strict=True)):
        if count and seen is None:
            found[i] = _capacity(arrays, i, count)
        elif count:
            found[i] = Unmatched(
                arrays.ids[i],
                "capacity",
                f"its {int(seen[k])} candidate mentors are at capacity ({count} could help; "
                "the network is too large to check them all)",
            )
    # Only mentees without any allowed mentor need the parts of the score.
    blocked = mentees[allowed == 0]
    if len(blocked) == 0:
        return tuple(found[int(i)] for i in mentees)
    mentors = np.flatnonzero(arrays.mentor_capacity > 0)
    scorer = BlockScorer(arrays, policy=policy)
    step = max(1, (1 << 22) // max(1, len(mentors)))
    for start in range(0, len(blocked), step):
        rows = blocked[start : start + step]
        score, theme, shares = scorer.block(rows, mentors)
        shares &= rows[:, None] != mentors[None, :]
        stronger = shares & (theme > 1e-6)
        for r, i in enumerate(rows):
            found[int(i)] = _reason(arrays, int(i), shares[r], stronger[r], score[r])
    return tuple(found[int(i)] for i in mentees)


def _reason(arrays, i, shares, stronger, score) -> Unmatched:
    member = arrays.ids[i]
    if not shares.any():
        langs = ", ".join(
            lang for lang, ok in zip(arrays.languages, arrays.speaks[i], strict=True) if ok
        )
        return Unmatched(
            member, "no_shared_language", f"no mentor shares a working language ({langs})"
        )
    if not stronger.any():
        needs = ", ".join(arrays.themes[t] for t in np.flatnonzero(arrays.needs[i]))
        return Unmatched(
            member,
            "no_stronger_mentor",
            f"no mentor sharing a working language is stronger on its needs ({needs})",
        )
    n_candidates = int(np.isfinite(score).sum())
    if n_candidates == 0:
        return Unmatched(
            member, "all_excluded", f"all {int(stronger.sum())} candidate mentors are excluded"
        )
    return _capacity(arrays, i, n_candidates)


def _capacity(arrays, i, n_candidates) -> Unmatched:
    return Unmatched(
        arrays.ids[i],
        "capacity",
        f"every mentor who could help is at capacity ({n_candidates} candidates)",
    )
