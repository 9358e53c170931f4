"""Optimality beyond the candidate graph: dual certificates and pricing."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matcher.candidates
import matcher.rounds
from matcher import (
    ScoringPolicy,
    candidate_matrix,
    default_taxonomy,
    mentoring_round,
    network_arrays,
    pair_mentors,
    welfare_certificate,
)
from service.contract import validate_network


@st.composite
def problems(draw):
    n, m = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    values = draw(
        st.lists(
            st.one_of(st.none(), st.integers(-2_000_000, 4_000_000).map(lambda k: k / 1e6)),
            min_size=n * m,
            max_size=n * m,
        )
    )
    benefit = np.array([np.nan if v is None else v for v in values]).reshape(n, m)
    mentor_capacity = np.array(draw(st.lists(st.integers(0, 2), min_size=m, max_size=m)))
    mentee_capacity = np.array(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    dropped = np.array(draw(st.lists(st.booleans(), min_size=n * m, max_size=n * m)))
    return benefit, mentor_capacity, mentee_capacity, dropped.reshape(n, m), draw(st.booleans())


@settings(max_examples=300, deadline=None)
@given(problem=problems())
def test_certificate_proves_optimality_against_left_out_pairs(problem):
    benefit, mcap, ecap, dropped, coverage_first = problem
    full = pair_mentors(benefit, mcap, ecap, coverage_first=coverage_first)
    bound = float(np.nanmax(np.abs(benefit), initial=0.0)) if np.isfinite(benefit).any() else 0.0

    chosen = np.zeros(benefit.shape, dtype=bool)
    chosen[full.pairs[:, 0], full.pairs[:, 1]] = True
    i, j = np.nonzero(np.isfinite(benefit) & ~chosen)
    certificate = welfare_certificate(full, benefit, mcap, ecap, max_benefit=bound)
    assert not certificate.improving(i, j, benefit[i, j]).any()

    restricted = np.where(dropped, np.nan, benefit)
    part = pair_mentors(restricted, mcap, ecap, coverage_first=coverage_first)
    cold = welfare_certificate(part, restricted, mcap, ecap, max_benefit=bound)
    # Seeded with another pairing's potentials, as column generation does.
    warm = welfare_certificate(
        part, restricted, mcap, ecap, max_benefit=bound, warm_start=certificate
    )
    i, j = np.nonzero(dropped & np.isfinite(benefit))
    for found in (cold, warm):
        if not found.improving(i, j, benefit[i, j]).any():
            assert part.n_covered == full.n_covered or not coverage_first
            assert part.total_benefit == pytest.approx(full.total_benefit, abs=1e-9)


def test_certificate_needs_a_welfare_pairing():
    b = np.array([[1.0]])
    with pytest.raises(ValueError, match="welfare"):
        welfare_certificate(pair_mentors(b, [1], objective="stable"), b, [1])


def test_certificate_rejects_benefits_above_its_bound():
    b = np.array([[1.0, np.nan]])
    certificate = welfare_certificate(pair_mentors(b, [1, 1]), b, [1, 1])
    with pytest.raises(ValueError, match="max_benefit"):
        certificate.improving([0], [1], [5.0])


@pytest.fixture(scope="module")
def generated():
    from fixtures.generator import generate_network

    network = validate_network(generate_network(400, seed=3))
    return network, network_arrays(network, default_taxonomy())


def test_priced_round_equals_the_dense_optimum(generated):
    network, arrays = generated
    tax = default_taxonomy()
    dense = mentoring_round(network, taxonomy=tax, arrays=arrays, max_candidates=None)
    priced = mentoring_round(network, taxonomy=tax, arrays=arrays, max_candidates=2)
    assert dense.optimal and priced.optimal and priced.pricing_rounds >= 1
    assert priced.candidates < dense.candidates
    assert priced.mentees_matched == dense.mentees_matched
    assert priced.total_score == pytest.approx(dense.total_score, rel=1e-12)


def test_without_room_for_pricing_the_round_says_it_is_not_proven(generated, monkeypatch):
    network, arrays = generated
    monkeypatch.setattr(matcher.candidates, "CACHE_ELEMENTS", 0)
    result = mentoring_round(network, taxonomy=default_taxonomy(), arrays=arrays, max_candidates=2)
    assert not result.optimal and result.pricing_rounds == 0


def test_without_room_for_pricing_unmatched_mentees_get_mentors_with_free_slots(
    generated, monkeypatch
):
    network, arrays = generated
    tax, index = default_taxonomy(), network.index()
    monkeypatch.setattr(matcher.candidates, "CACHE_ELEMENTS", 0)
    first_only = mentoring_round(network, taxonomy=tax, arrays=arrays, max_candidates=1)
    monkeypatch.setattr(matcher.rounds, "COVER_STAGES", 0)
    bare = mentoring_round(network, taxonomy=tax, arrays=arrays, max_candidates=1)
    assert first_only.mentees_matched > bare.mentees_matched
    assert first_only.total_score > bare.total_score
    # Still a valid round: capacities held, only allowed pairs, locks kept.
    stored = candidate_matrix(arrays, policy=ScoringPolicy()).tocoo()
    allowed = set(zip(stored.row.tolist(), stored.col.tolist(), strict=True))
    load = np.zeros((2, arrays.n), dtype=int)
    for pair in first_only.pairs:
        i, j = index[pair.mentee], index[pair.mentor]
        assert (i, j) in allowed
        load[:, [i, j]] += [[1, 0], [0, 1]]
    assert (load[0] <= arrays.mentee_capacity).all()
    assert (load[1] <= arrays.mentor_capacity).all()
    made = {(p.mentor, p.mentee) for p in first_only.pairs}
    assert set(network.locked) <= made
    # Unproven: a reason claims only what the round checked.
    waiting = [u for u in first_only.unmatched if u.code == "capacity"]
    assert waiting
    for u in waiting:
        assert "too large to check them all" in u.reason


def test_candidate_matrix_include_adds_missing_pairs(generated):
    _, arrays = generated
    full = candidate_matrix(arrays, policy=ScoringPolicy()).tocoo()
    top1 = candidate_matrix(arrays, policy=ScoringPolicy(), max_candidates=1)
    outside = [
        (int(i), int(j)) for i, j in zip(full.row, full.col, strict=True) if top1[i, j] == 0
    ][:3]
    widened = candidate_matrix(
        arrays, policy=ScoringPolicy(), max_candidates=1, include=tuple(outside)
    )
    assert widened.nnz == top1.nnz + len(outside)
