"""The outcome figures' intervals (issue 16): known answers from outside
references, and what must hold for any data."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matcher.intervals import bootstrap_mean_interval, enough, wilson_interval

# Wilson 95% intervals as published in Newcombe (1998), "Two-sided confidence
# intervals for the single proportion", Statistics in Medicine 17, table I.
NEWCOMBE = [
    ((81, 263), (0.2553, 0.3662)),
    ((15, 148), (0.0624, 0.1605)),
    ((0, 20), (0.0, 0.1611)),
    ((1, 29), (0.0061, 0.1718)),
]


@pytest.mark.parametrize(("counts", "expected"), NEWCOMBE)
def test_wilson_matches_newcombe(counts, expected):
    low, high = wilson_interval(*counts)
    assert (round(low, 4), round(high, 4)) == expected


@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_contains_the_share_within_zero_and_one(counts):
    successes, n = counts
    low, high = wilson_interval(successes, n)
    assert 0 <= low <= successes / n <= high <= 1


@given(st.integers(0, 50), st.integers(1, 50), st.integers(2, 20))
def test_wilson_narrows_with_more_answers_at_the_same_share(successes, extra, factor):
    n = successes + extra
    low, high = wilson_interval(successes, n)
    wide_low, wide_high = wilson_interval(successes * factor, n * factor)
    assert wide_high - wide_low < high - low


def test_wilson_refuses_impossible_counts():
    with pytest.raises(ValueError, match="between 0 and n"):
        wilson_interval(3, 2)


@given(st.lists(st.integers(1, 5), min_size=1, max_size=60), st.integers(0, 2**32 - 1))
def test_bootstrap_contains_the_mean_within_the_scale(values, seed):
    low, high = bootstrap_mean_interval(values, seed=seed, resamples=200)
    mean = sum(values) / len(values)
    assert 1 <= low <= mean + 1e-12 and mean - 1e-12 <= high <= 5


@given(st.lists(st.integers(1, 5), min_size=2, max_size=30), st.integers(0, 2**32 - 1))
def test_bootstrap_is_deterministic_for_a_seed(values, seed):
    first = bootstrap_mean_interval(values, seed=seed, resamples=200)
    assert bootstrap_mean_interval(values, seed=seed, resamples=200) == first


def test_no_data_no_interval():
    assert wilson_interval(0, 0) is None
    assert bootstrap_mean_interval([], seed=1) is None


def test_too_few_answers_is_five():
    assert [enough(n) for n in range(7)] == [False] * 5 + [True] * 2
