"""The fast paths of pricing stay exact: block scores, top-k, the price pass
against a brute-force check, and pruning between passes."""

import numpy as np
import pytest

from matcher import (
    ScoringPolicy,
    candidate_matrix,
    default_taxonomy,
    mentoring_round,
    network_arrays,
    pair_mentors,
    welfare_certificate,
)
from matcher.candidates import (
    PairScores,
    add_pairs,
    price_pairs,
    prune_pairs,
    score_bound,
    top_k_columns,
)
from matcher.scoring import BlockScorer, pair_scores
from service.contract import validate_network


@pytest.fixture(scope="module")
def generated():
    from fixtures.generator import generate_network

    network = validate_network(generate_network(400, seed=5))
    return network, network_arrays(network, default_taxonomy())


def test_top_k_marks_slots_a_row_cannot_fill():
    score = np.full((3, 40), -np.inf, dtype=np.float32)
    score[0, [3, 17]] = [1.0, 2.0]
    score[1, :] = np.arange(40)
    top, values = top_k_columns(score, 5)
    assert sorted(top[0][np.isfinite(values[0])].tolist()) == [3, 17]
    assert sorted(top[1].tolist()) == [35, 36, 37, 38, 39]
    assert not np.isfinite(values[2]).any()
    assert (np.take_along_axis(score, top, axis=1) == values).all()


def test_top_k_on_many_columns_keeps_the_largest_values():
    rng = np.random.default_rng(2)
    score = rng.integers(0, 6, (6, 40_000)).astype(np.float32)
    score[rng.random(score.shape) < 0.95] = -np.inf
    score[0] = -np.inf
    score[1, :] = -np.inf
    score[1, 5:12] = 1.0
    # Finite entries in one run of columns (one language's mentors), with ties.
    score[2, :] = -np.inf
    score[2, 30_000:30_300] = rng.integers(0, 3, 300)
    top, values = top_k_columns(score, 40)
    for row in range(len(score)):
        finite = np.isfinite(values[row])
        best = np.sort(score[row][np.isfinite(score[row])])[::-1][:40]
        assert np.array_equal(np.sort(values[row][finite])[::-1], best)
        assert np.array_equal(score[row, top[row][finite]], values[row][finite])
        assert len(set(top[row][finite].tolist())) == len(best)


@pytest.mark.parametrize("policy", [ScoringPolicy(), ScoringPolicy(south_south_bonus=0.6)])
def test_allowed_scores_equal_the_block_scores(generated, policy):
    _, arrays = generated
    scorer = BlockScorer(arrays, policy=policy)
    # Every member as a row: mentees who already know a theme they need,
    # exclusions, history and self-pairs all occur.
    assert (((arrays.needs > 0) & (arrays.expertise > 0)).any(axis=1)).any()
    rows = scorer.group_order(np.arange(arrays.n))
    for cols in (np.arange(arrays.n), np.flatnonzero(arrays.mentor_capacity > 0)):
        cols = scorer.column_order(cols)
        allowed = np.empty(len(rows), np.int64)
        fast = scorer.allowed_scores(rows, scorer.columns(cols), allowed=allowed)
        slow = scorer.block(rows, cols)[0]
        # Same pairs allowed; values equal up to float32 summation order (the
        # spans are separate matrix products), far inside the pricing slack.
        assert np.array_equal(np.isfinite(fast), np.isfinite(slow))
        assert np.allclose(fast[np.isfinite(fast)], slow[np.isfinite(slow)], rtol=0, atol=1e-5)
        assert allowed.tolist() == np.isfinite(slow).sum(axis=1).tolist()


def _brute_force_improving(arrays, benefit, certificate, policy):
    dense = candidate_matrix(arrays, policy=policy).tocoo()
    i, j = dense.row.astype(np.int64), dense.col.astype(np.int64)
    absent = np.asarray(benefit[i, j] == 0).ravel() & ~_stored(benefit, i, j)
    i, j, values = i[absent], j[absent], dense.data[absent]
    return set(zip(*(x[certificate.improving(i, j, values)].tolist() for x in (i, j)), strict=True))


def _stored(benefit, i, j):
    coo = benefit.tocoo()
    stored = set(zip(coo.row.tolist(), coo.col.tolist(), strict=True))
    return np.array([(a, b) in stored for a, b in zip(i.tolist(), j.tolist(), strict=True)])


@pytest.mark.parametrize("per_mentee", [1, 3])
@pytest.mark.parametrize("block_elements", [1 << 22, 3_000], ids=["one-block", "many-blocks"])
def test_price_pass_finds_exactly_the_improving_pairs(generated, per_mentee, block_elements):
    network, arrays = generated
    policy = ScoringPolicy()
    index = network.index()
    locked = tuple((index[mentee], index[mentor]) for mentor, mentee in network.locked)
    scores = PairScores(arrays, policy=policy, block_elements=block_elements)
    assert scores.cached
    benefit = candidate_matrix(
        arrays, policy=policy, max_candidates=1, include=locked, scores=scores
    )
    capacities = (arrays.mentor_capacity, arrays.mentee_capacity)
    bound = score_bound(arrays, policy=policy)
    for _ in range(40):
        pairing = pair_mentors(benefit, *capacities, locked=locked)
        certificate = welfare_certificate(
            pairing, benefit, *capacities, locked=locked, max_benefit=bound
        )
        i, j, exact = price_pairs(
            scores, benefit, certificate, per_mentee=per_mentee, return_scores=True
        )
        assert np.array_equal(exact, pair_scores(arrays, i, j, policy=policy))
        truth = _brute_force_improving(arrays, benefit, certificate, policy)
        found = set(zip(i.tolist(), j.tolist(), strict=True))
        assert found <= truth and len(found) == len(i)
        per = {}
        for mentee, _ in truth:
            per[mentee] = per.get(mentee, 0) + 1
        for mentee, count in per.items():
            assert (i == mentee).sum() == min(per_mentee, count)
        if not truth:
            return
        keep = np.concatenate([pairing.pairs, np.array(locked, np.int64).reshape(-1, 2)])
        benefit = prune_pairs(benefit, certificate, keep=keep, margin=0.3)
        benefit = add_pairs(arrays, benefit, i, j, policy=policy)
    pytest.fail("pricing did not converge")


def test_prune_keeps_listed_pairs_and_near_ones(generated):
    network, arrays = generated
    policy = ScoringPolicy()
    benefit = candidate_matrix(arrays, policy=policy, max_candidates=8)
    capacities = (arrays.mentor_capacity, arrays.mentee_capacity)
    pairing = pair_mentors(benefit, *capacities, coverage_first=False)
    certificate = welfare_certificate(pairing, benefit, *capacities)
    pruned = prune_pairs(benefit, certificate, keep=pairing.pairs, margin=0.2)
    assert pruned.nnz < benefit.nnz
    assert all(pruned[i, j] == benefit[i, j] for i, j in pairing.pairs)
    again = pair_mentors(pruned, *capacities, coverage_first=False)
    assert again.total_benefit == pytest.approx(pairing.total_benefit, abs=1e-9)


@pytest.mark.parametrize(
    "policy", [ScoringPolicy(), ScoringPolicy(history_penalty=2.0, text_weight=0.5)]
)
def test_pruned_priced_round_equals_the_dense_optimum(generated, policy):
    network, arrays = generated
    tax = default_taxonomy()
    options = dict(taxonomy=tax, arrays=arrays, policy=policy)
    dense = mentoring_round(network, max_candidates=None, **options)
    priced = mentoring_round(network, max_candidates=3, **options)
    assert dense.optimal and priced.optimal
    assert priced.mentees_matched == dense.mentees_matched
    assert priced.total_score == pytest.approx(dense.total_score, rel=1e-12)


def test_a_cache_over_its_byte_budget_is_dropped(generated, monkeypatch):
    import matcher.candidates

    network, arrays = generated
    policy = ScoringPolicy()
    kept = PairScores(arrays, policy=policy, block_elements=3_000)
    blocks = [block.score.copy() for block in kept.allowed_blocks()]
    monkeypatch.setattr(matcher.candidates, "CACHE_BYTES", 10_000)
    dropped = PairScores(arrays, policy=policy, block_elements=3_000)
    assert dropped.cached
    fresh = [block.score for block in dropped.allowed_blocks()]
    assert not dropped.cached
    assert all(np.array_equal(a, b) for a, b in zip(blocks, fresh, strict=True))
    # Without its cache a round cannot price: it says it is not proven.
    result = mentoring_round(network, taxonomy=default_taxonomy(), max_candidates=3)
    assert not result.optimal and result.pricing_rounds == 0
    monkeypatch.undo()
    proven = mentoring_round(network, taxonomy=default_taxonomy(), max_candidates=3)
    assert proven.optimal and proven.pricing_rounds > 0
