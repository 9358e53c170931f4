"""pair_mentors against independent oracles: a MILP for welfare, brute force for stability."""

import dataclasses
import math

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from matcher.errors import PairingError
from matcher.pairing import Pairing, blocking_pairs, is_valid_pairing, pair_mentors

NAN = np.nan

# ----------------------------------------------------------------------------- oracles


def allowed_pairs(benefit) -> dict[tuple[int, int], float]:
    """{(mentee, mentor): benefit} read straight from the input, without pairing.py."""
    if sp.issparse(benefit):
        out: dict[tuple[int, int], float] = {}
        coo = sp.coo_array(benefit)
        for i, j, v in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True):
            out[i, j] = out.get((i, j), 0.0) + v
        return out
    b = np.asarray(benefit, dtype=float)
    return {
        (i, j): float(b[i, j])
        for i in range(b.shape[0])
        for j in range(b.shape[1])
        if not math.isnan(b[i, j])
    }


def per_mentee(mentee_capacity, n):
    return [int(c) for c in np.broadcast_to(np.asarray(mentee_capacity), (n,))]


def milp_optimum(allowed, n, mcap, ecap, locked, coverage_first):
    """(mentees covered, total benefit) of the optimum, by an exact MILP (HiGHS)."""
    edges = sorted(allowed)
    k = len(edges)
    if k == 0:
        return 0, 0.0
    x_lo = np.array([1.0 if e in set(locked) else 0.0 for e in edges])
    n_y = n if coverage_first else 0
    rows = []
    lo, hi = [], []
    for i in range(n):
        rows.append([1.0 if e[0] == i else 0.0 for e in edges] + [0.0] * n_y)
        lo.append(0.0)
        hi.append(ecap[i])
    for j in range(len(mcap)):
        rows.append([1.0 if e[1] == j else 0.0 for e in edges] + [0.0] * n_y)
        lo.append(0.0)
        hi.append(mcap[j])
    for i in range(n_y):  # y_i <= sum_j x_ij: y_i = 1 only for a covered mentee
        rows.append([-1.0 if e[0] == i else 0.0 for e in edges] + [float(t == i) for t in range(n)])
        lo.append(-np.inf)
        hi.append(0.0)
    a, lo, hi = np.array(rows), np.array(lo), np.array(hi)
    bounds = Bounds(np.r_[x_lo, np.zeros(n_y)], np.ones(k + n_y))
    integrality = np.ones(k + n_y)
    options = {"mip_rel_gap": 0.0}
    benefit = np.array([allowed[e] for e in edges])
    covered = 0
    if coverage_first:
        first = milp(
            np.r_[np.zeros(k), -np.ones(n)],
            constraints=LinearConstraint(a, lo, hi),
            integrality=integrality,
            bounds=bounds,
            options=options,
        )
        assert first.success
        covered = round(-first.fun)
        a = np.vstack([a, np.r_[np.zeros(k), np.ones(n)]])
        lo, hi = np.r_[lo, covered], np.r_[hi, np.inf]
    best = milp(
        np.r_[-benefit, np.zeros(n_y)],
        constraints=LinearConstraint(a, lo, hi),
        integrality=integrality,
        bounds=bounds,
        options=options,
    )
    assert best.success
    return covered, -best.fun


def assert_feasible(pairs, allowed, mcap, ecap, locked):
    """Direct check of capacities, allowed and locked pairs, without pairing.py."""
    as_list = [tuple(p) for p in np.asarray(pairs).tolist()]
    assert len(set(as_list)) == len(as_list)
    for i, j in as_list:
        assert (i, j) in allowed
    for i in range(len(ecap)):
        assert sum(1 for p in as_list if p[0] == i) <= ecap[i]
    for j in range(len(mcap)):
        assert sum(1 for p in as_list if p[1] == j) <= mcap[j]
    assert set(map(tuple, locked)) <= set(as_list)


def brute_force_blocking(pairs, allowed, mcap, ecap, locked=()):
    """Blocking pairs by the definition, one candidate pair at a time."""
    chosen = {tuple(p) for p in np.asarray(pairs).tolist()}
    fixed = set(map(tuple, locked))
    found = []
    for (i, j), v in sorted(allowed.items()):
        if (i, j) in chosen:
            continue
        mine = [b for a, b in chosen if a == i]
        mentee_wants = len(mine) < ecap[i] or any(
            (-v, j) < (-allowed[i, b], b) for b in mine if (i, b) not in fixed
        )
        theirs = [a for a, b in chosen if b == j]
        mentor_wants = len(theirs) < mcap[j] or any(
            (-v, i) < (-allowed[a, j], a) for a in theirs if (a, j) not in fixed
        )
        if mentee_wants and mentor_wants:
            found.append((i, j))
    return found


# -------------------------------------------------------------------------- strategies


@st.composite
def instances(draw):
    n = draw(st.integers(0, 5))
    m = draw(st.integers(0, 5))
    value = st.one_of(
        st.integers(-4, 9).map(float),
        st.floats(-10, 10, allow_nan=False, allow_infinity=False),
    )
    cells = [(i, j) for i in range(n) for j in range(m) if draw(st.integers(0, 9)) < 7]
    values = [draw(value) for _ in cells]
    if draw(st.booleans()):
        benefit = np.full((n, m), NAN)
        for (i, j), v in zip(cells, values, strict=True):
            benefit[i, j] = v
    else:
        entries = []
        for (i, j), v in zip(cells, values, strict=True):
            if draw(st.integers(0, 4)) == 0:  # a duplicate entry, to be summed
                entries.append((i, j, draw(value)))
            entries.append((i, j, v if draw(st.integers(0, 4)) else 0.0))  # explicit zeros
        r, c, d = (list(t) for t in zip(*entries, strict=True)) if entries else ([], [], [])
        fmt = draw(st.sampled_from(["coo", "csr", "csc"]))
        benefit = sp.coo_array((np.array(d, dtype=float), (r, c)), shape=(n, m)).asformat(fmt)
    mcap = draw(st.lists(st.integers(0, 3), min_size=m, max_size=m))
    if draw(st.booleans()):
        mentee_capacity = draw(st.integers(0, 3))
    else:
        mentee_capacity = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    allowed = allowed_pairs(benefit)
    ecap = per_mentee(mentee_capacity, n)
    load_e, load_m, locked = [0] * n, [0] * m, []
    for i, j in sorted(allowed):
        if draw(st.integers(0, 5)) == 0 and load_e[i] < ecap[i] and load_m[j] < mcap[j]:
            load_e[i] += 1
            load_m[j] += 1
            locked.append((i, j))
    return {
        "benefit": benefit,
        "mentor_capacity": mcap,
        "mentee_capacity": mentee_capacity,
        "locked": locked,
        "allowed": allowed,
        "n": n,
        "ecap": ecap,
    }


HYPO = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------------- property tests


@HYPO
@given(inst=instances(), coverage_first=st.booleans(), seed=st.none() | st.integers(0, 2**32))
def test_welfare_is_feasible_and_matches_the_milp_optimum(inst, coverage_first, seed):
    b, mcap, q, locked = (
        inst[k] for k in ("benefit", "mentor_capacity", "mentee_capacity", "locked")
    )
    result = pair_mentors(b, mcap, q, locked=locked, coverage_first=coverage_first, seed=seed)
    assert isinstance(result, Pairing) and result.optimal and result.objective == "welfare"
    assert result.pairs.dtype == np.int64 and result.pairs.shape[1] == 2
    assert result.pairs.tolist() == sorted(result.pairs.tolist())
    assert_feasible(result.pairs, inst["allowed"], mcap, inst["ecap"], locked)
    assert is_valid_pairing(result.pairs, b, mcap, q, locked=locked)
    assert result.n_covered == len({i for i, _ in result.pairs.tolist()})
    expected = math.fsum(inst["allowed"][tuple(p)] for p in result.pairs.tolist())
    assert result.total_benefit == expected

    covered, best = milp_optimum(
        inst["allowed"], inst["n"], mcap, inst["ecap"], locked, coverage_first
    )
    if coverage_first:
        assert result.n_covered == covered
    assert result.resolution >= 0.0
    assert abs(result.total_benefit - best) <= 1e-6 + result.resolution
    if not coverage_first:
        unlocked = set(map(tuple, result.pairs.tolist())) - set(locked)
        assert all(inst["allowed"][p] >= 0 for p in unlocked)


@HYPO
@given(inst=instances(), seed=st.integers(0, 2**32))
def test_seed_is_deterministic_and_never_changes_the_optimum(inst, seed):
    b, mcap, q, locked = (
        inst[k] for k in ("benefit", "mentor_capacity", "mentee_capacity", "locked")
    )
    first = pair_mentors(b, mcap, q, locked=locked, seed=seed)
    again = pair_mentors(b, mcap, q, locked=locked, seed=seed)
    plain = pair_mentors(b, mcap, q, locked=locked)
    assert np.array_equal(first.pairs, again.pairs) and first.total_benefit == again.total_benefit
    assert np.array_equal(plain.pairs, pair_mentors(b, mcap, q, locked=locked).pairs)
    assert first.n_covered == plain.n_covered
    assert abs(first.total_benefit - plain.total_benefit) <= 1e-9 + 2 * plain.resolution


@HYPO
@given(inst=instances())
def test_stable_has_no_blocking_pair(inst):
    b, mcap, q, locked = (
        inst[k] for k in ("benefit", "mentor_capacity", "mentee_capacity", "locked")
    )
    result = pair_mentors(b, mcap, q, objective="stable", locked=locked, seed=7)
    assert not result.optimal and math.isnan(result.resolution) and result.objective == "stable"
    assert_feasible(result.pairs, inst["allowed"], mcap, inst["ecap"], locked)
    assert is_valid_pairing(result.pairs, b, mcap, q, locked=locked)
    assert brute_force_blocking(result.pairs, inst["allowed"], mcap, inst["ecap"], locked) == []
    assert blocking_pairs(result.pairs, b, mcap, q, locked=locked).shape == (0, 2)
    again = pair_mentors(b, mcap, q, objective="stable", locked=locked)
    assert np.array_equal(result.pairs, again.pairs)


@HYPO
@given(inst=instances(), coverage_first=st.booleans())
def test_blocking_pairs_agrees_with_brute_force(inst, coverage_first):
    b, mcap, q, locked = (
        inst[k] for k in ("benefit", "mentor_capacity", "mentee_capacity", "locked")
    )
    pairs = pair_mentors(b, mcap, q, locked=locked, coverage_first=coverage_first).pairs
    found = blocking_pairs(pairs, b, mcap, q, locked=locked)
    expected = brute_force_blocking(pairs, inst["allowed"], mcap, inst["ecap"], locked)
    assert found.dtype == np.int64 and found.shape == (len(expected), 2)
    assert [tuple(p) for p in found.tolist()] == expected


@HYPO
@given(inst=instances(), data=st.data())
def test_is_valid_pairing_rejects_each_kind_of_violation(inst, data):
    b, mcap, q, locked = (
        inst[k] for k in ("benefit", "mentor_capacity", "mentee_capacity", "locked")
    )
    pairs = pair_mentors(b, mcap, q, locked=locked).pairs.tolist()
    n, m = b.shape
    if pairs:
        assert not is_valid_pairing(pairs + [pairs[0]], b, mcap, q)  # duplicate
    forbidden = [(i, j) for i in range(n) for j in range(m) if (i, j) not in inst["allowed"]]
    if forbidden:
        assert not is_valid_pairing(pairs + [data.draw(st.sampled_from(forbidden))], b, mcap, q)
    assert not is_valid_pairing(pairs + [(n, 0)], b, mcap, q)  # out of range
    spare = [e for e in inst["allowed"] if list(e) not in pairs]
    if spare:
        extra = data.draw(st.sampled_from(spare))
        grown = pairs + [extra]
        over = (
            sum(p[0] == extra[0] for p in grown) > inst["ecap"][extra[0]]
            or sum(p[1] == extra[1] for p in grown) > mcap[extra[1]]
        )
        assert is_valid_pairing(grown, b, mcap, q) == (not over)
        assert not is_valid_pairing(pairs, b, mcap, q, locked=[extra])


# ----------------------------------------------------------------------- example tests


def test_greedy_is_suboptimal_three_by_three():
    b = np.array([[10.0, 9.0, 1.0], [9.0, 1.0, 1.0], [1.0, 1.0, 1.0]])
    result = pair_mentors(b, [1, 1, 1])
    # Greedy takes 10, then 1 + 1 = 12; the optimum is 9 + 9 + 1.
    assert result.pairs.tolist() == [[0, 1], [1, 0], [2, 2]]
    assert result.total_benefit == 19.0 and result.resolution == 0.0 and result.n_covered == 3


def test_coverage_first_gives_up_benefit_to_cover_one_more_mentee():
    b = np.array([[10.0, 9.0], [8.0, NAN]])
    welfare = pair_mentors(b, [1, 1], 2, coverage_first=False)
    assert welfare.pairs.tolist() == [[0, 0], [0, 1]] and welfare.total_benefit == 19.0
    covering = pair_mentors(b, [1, 1], 2, coverage_first=True)
    assert covering.pairs.tolist() == [[0, 1], [1, 0]] and covering.total_benefit == 17.0
    assert (welfare.n_covered, covering.n_covered) == (1, 2)


def test_negative_benefit_only_to_cover():
    b = np.array([[2.0, -1.0], [NAN, -3.0]])
    assert pair_mentors(b, [1, 2], 2, coverage_first=False).pairs.tolist() == [[0, 0]]
    result = pair_mentors(b, [1, 2], 2, coverage_first=True)
    # Mentee 1 can only be covered at -3; mentee 0 does not also take its -1 pair.
    assert result.pairs.tolist() == [[0, 0], [1, 1]] and result.total_benefit == -1.0
    assert pair_mentors(np.array([[-1.0]]), [1], coverage_first=False).pairs.shape == (0, 2)


def test_tiny_negative_is_not_rounded_into_a_free_pair():
    b = np.array([[1.0, -1e-300]])
    result = pair_mentors(b, [1, 1], 2)
    assert result.pairs.tolist() == [[0, 0]]


def test_sparse_stored_zero_is_allowed_and_missing_is_forbidden():
    b = sp.csr_array((np.array([0.0, 5.0]), ([0, 1], [1, 1])), shape=(2, 2))
    result = pair_mentors(b, [1, 1])
    assert result.pairs.tolist() == [[1, 1]]  # one mentee can be covered: the better one
    result = pair_mentors(b, [0, 2])
    assert result.pairs.tolist() == [[0, 1], [1, 1]] and result.total_benefit == 5.0
    with pytest.raises(PairingError, match="forbidden"):
        pair_mentors(b, [1, 1], locked=[(0, 0)])


def test_sparse_duplicates_are_summed_and_input_is_not_modified():
    b = sp.csr_matrix(
        (np.array([1.0, 2.0, -3.0]), np.array([0, 0, 1]), np.array([0, 3])), shape=(1, 2)
    )
    before = (b.data.copy(), b.indices.copy())
    result = pair_mentors(b, [1, 1], 2, coverage_first=False)
    assert result.pairs.tolist() == [[0, 0]] and result.total_benefit == 3.0
    assert np.array_equal(b.data, before[0]) and np.array_equal(b.indices, before[1])


def test_locked_pair_is_kept_even_when_harmful():
    b = np.array([[5.0, -2.0], [4.0, NAN]])
    result = pair_mentors(b, [1, 1], coverage_first=False, locked=[(0, 1)])
    assert result.pairs.tolist() == [[0, 1], [1, 0]] and result.total_benefit == 2.0
    stable = pair_mentors(b, [1, 1], objective="stable", locked=[(0, 1)])
    assert stable.pairs.tolist() == [[0, 1], [1, 0]]


def test_stable_example_by_hand():
    # Mentee 0 prefers mentor 0 (10 > 9) and mentor 0 prefers mentee 0 (10 > 8).
    b = np.array([[10.0, 9.0], [8.0, 1.0]])
    stable = pair_mentors(b, [1, 1], objective="stable")
    assert stable.pairs.tolist() == [[0, 0], [1, 1]] and stable.total_benefit == 11.0
    welfare = pair_mentors(b, [1, 1])
    assert welfare.total_benefit == 17.0
    assert blocking_pairs(welfare.pairs, b, [1, 1]).tolist() == [[0, 0]]
    assert blocking_pairs(stable.pairs, b, [1, 1]).shape == (0, 2)


def test_stable_ties_go_to_the_lower_index():
    b = np.ones((3, 2))
    assert pair_mentors(b, [1, 1], objective="stable").pairs.tolist() == [[0, 0], [1, 1]]


def test_stable_matches_the_matching_library():
    games = pytest.importorskip("matching.games")
    rng = np.random.default_rng(3)
    n, m = 40, 12
    b = np.where(rng.random((n, m)) < 0.5, rng.integers(0, 5, (n, m)).astype(float), NAN)
    mcap = rng.integers(1, 4, m)
    ours = pair_mentors(b, mcap, objective="stable")
    prefs_r = {
        i: sorted((j for j in range(m) if not np.isnan(b[i, j])), key=lambda j: (-b[i, j], j))
        for i in range(n)
    }
    prefs_h = {
        j: sorted((i for i in range(n) if not np.isnan(b[i, j])), key=lambda i: (-b[i, j], i))
        for j in range(m)
    }
    prefs_r = {i: p for i, p in prefs_r.items() if p}
    prefs_h = {j: p for j, p in prefs_h.items() if p}
    game = games.HospitalResident.create_from_dictionaries(
        prefs_r, prefs_h, {j: int(mcap[j]) for j in prefs_h}
    )
    theirs = sorted(
        (r.name, h.name) for h, rs in game.solve(optimal="resident").items() for r in rs
    )
    assert [tuple(p) for p in ours.pairs.tolist()] == theirs


def test_non_integer_benefits_report_a_small_positive_resolution():
    rng = np.random.default_rng(0)
    b = rng.random((30, 20))
    result = pair_mentors(b, np.full(20, 2), 2)
    assert 0.0 < result.resolution < 1e-9
    huge = pair_mentors(np.array([[1e300, 3e299], [2e299, 5e299]]), [1, 1])
    assert huge.pairs.tolist() == [[0, 0], [1, 1]] and huge.optimal
    assert huge.resolution < 1e-6 * huge.total_benefit


def test_pairing_is_immutable_and_has_helpers():
    b = np.array([[1.0, 2.0, NAN], [3.0, NAN, 1.0]])
    result = pair_mentors(b, [2, 1, 1], 2)
    assert result.pairs.tolist() == [[0, 0], [0, 1], [1, 0], [1, 2]]
    assert result.mentors_of(0).tolist() == [0, 1] and result.mentors_of(5).tolist() == []
    assert result.mentees_of(0).tolist() == [0, 1] and result.mentees_of(2).tolist() == [1]
    with pytest.raises(ValueError):
        result.pairs[0, 0] = 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.total_benefit = 0.0


def test_empty_problems():
    assert pair_mentors(np.zeros((0, 3)), [1, 1, 1]).pairs.shape == (0, 2)
    assert pair_mentors(np.full((2, 2), NAN), [1, 1]).total_benefit == 0.0
    none = pair_mentors(np.ones((2, 2)), [0, 0])
    assert none.pairs.shape == (0, 2) and none.n_covered == 0 and none.optimal
    assert pair_mentors(sp.csr_array((3, 4)), [1] * 4, objective="stable").pairs.shape == (0, 2)


@pytest.mark.parametrize(
    ("locked", "message"),
    [
        ([(2, 0)], r"locked\[0\] = \(2, 0\) is out of range for 2 mentees x 2 mentors"),
        ([(0, -1)], "out of range"),
        ([(0, 1)], r"locked\[0\] = \(0, 1\) is a forbidden pair"),
        ([(0, 0), (0, 0)], r"locked pair \(0, 0\) appears more than once"),
        ([(0, 0), (1, 0)], r"mentor 0 2 mentees but mentor_capacity\[0\] is 1"),
        ([[0.5, 1]], "integer"),
        ([(0, 0, 1)], "shape"),
    ],
)
def test_locked_errors_name_the_problem(locked, message):
    b = np.array([[1.0, NAN], [2.0, 3.0]])
    for objective in ("welfare", "stable"):
        with pytest.raises(PairingError, match=message):
            pair_mentors(b, [1, 1], objective=objective, locked=locked)


def test_locked_beyond_mentee_capacity():
    b = np.ones((1, 3))
    with pytest.raises(PairingError, match=r"mentee 0 2 mentors but mentee_capacity\[0\] is 1"):
        pair_mentors(b, [1, 1, 1], [1], locked=[(0, 1), (0, 2)])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: pair_mentors(np.ones(3), [1]), "2-D"),
        (lambda: pair_mentors(np.ones((1, 1, 1)), [1]), "2-D"),
        (lambda: pair_mentors([["a"]], [1]), "real"),
        (lambda: pair_mentors(np.array([[np.inf]]), [1]), "infinite"),
        (lambda: pair_mentors(np.ones((2, 2)), [1]), r"mentor_capacity must be shape \(2,\)"),
        (lambda: pair_mentors(np.ones((2, 2)), 1), r"mentor_capacity must be shape \(2,\)"),
        (lambda: pair_mentors(np.ones((2, 2)), [1, -1]), r"mentor_capacity\[1\] = -1"),
        (lambda: pair_mentors(np.ones((2, 2)), [1, 1.5]), "integers"),
        (lambda: pair_mentors(np.ones((2, 2)), [1, 1], [1, 1, 1]), "mentee_capacity must be"),
        (lambda: pair_mentors(np.ones((2, 2)), [1, 1], -1), "negative"),
        (lambda: pair_mentors(np.ones((2, 2)), [1, 1], objective="best"), "objective"),
        (lambda: pair_mentors(np.ones((2, 2)), [1, 1], coverage_first="yes"), "coverage_first"),
        (lambda: pair_mentors(np.ones((2, 2)), [1, 1], seed=1.5), "seed"),
        (lambda: is_valid_pairing([[0]], np.ones((2, 2)), [1, 1]), "shape"),
        (lambda: blocking_pairs([[0, 0], [0, 0]], np.ones((2, 2)), [2, 2], 2), "feasible"),
    ],
)
def test_bad_input_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_float_capacities_that_are_integers_are_accepted():
    result = pair_mentors(np.ones((2, 2)), np.array([1.0, 1.0]), 1.0)
    assert len(result.pairs) == 2
