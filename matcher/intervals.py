"""Uncertainty of the outcome figures (issue 16): the share of relations
that met their goal with a Wilson score interval, the mean usefulness with a
percentile bootstrap interval, and the rule that a group with fewer than
:data:`MIN_ANSWERS` answers is "too few to tell".

Wilson rather than the normal ("Wald") interval because groups are small and
shares near 0 or 1 are common: Wald collapses to a point at 0/n and n/n and
leaves [0, 1]; Wilson does neither (Brown, Cai & DasGupta 2001).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats

__all__ = ["CONFIDENCE", "MIN_ANSWERS", "bootstrap_mean_interval", "enough", "wilson_interval"]

CONFIDENCE = 0.95
MIN_ANSWERS = 5
"""Below this many answers a group's figures are not shown as evidence (and
never ranked): the interval would span most of the scale."""


def enough(answers: int) -> bool:
    """Whether a group has enough answers to tell anything.

    >>> enough(4), enough(5)
    (False, True)
    """
    return answers >= MIN_ANSWERS


def wilson_interval(
    successes: int, n: int, *, confidence: float = CONFIDENCE
) -> tuple[float, float] | None:
    """The Wilson score interval of ``successes`` out of ``n``, or None when
    ``n`` is 0 (no answer: no share to bound).

    >>> [round(x, 4) for x in wilson_interval(8, 10)]
    [0.4902, 0.9433]
    >>> [round(x, 4) for x in wilson_interval(0, 10)]
    [0.0, 0.2775]
    >>> wilson_interval(0, 0) is None
    True
    """
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n ({n}), got {successes}")
    if n == 0:
        return None
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    # Rounding can put an end a hair outside [0, 1] or past the estimate.
    return max(0.0, min(centre - half, p)), min(1.0, max(centre + half, p))


def bootstrap_mean_interval(
    values: Sequence[float],
    *,
    seed: int,
    confidence: float = CONFIDENCE,
    resamples: int = 2000,
) -> tuple[float, float] | None:
    """A percentile bootstrap interval of the mean of ``values`` (``resamples``
    resamples drawn with ``seed``: the same values and seed give the same
    interval), or None without values.

    >>> bootstrap_mean_interval([4, 4, 4], seed=1)
    (4.0, 4.0)
    >>> low, high = bootstrap_mean_interval([1, 2, 3, 4, 5, 5, 4, 3], seed=1)
    >>> low < 3.375 < high, (round(low, 2), round(high, 2))
    (True, (2.38, 4.25))
    >>> bootstrap_mean_interval([], seed=1) is None
    True
    """
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        return None
    if np.all(data == data[0]):
        # Every resample has the same mean: scipy would warn of a degenerate
        # distribution; the interval is that point.
        return float(data[0]), float(data[0])
    result = stats.bootstrap(
        (data,),
        np.mean,
        confidence_level=confidence,
        n_resamples=resamples,
        method="percentile",
        random_state=np.random.default_rng(seed),
    )
    low, high = result.confidence_interval
    mean = float(data.mean())
    return min(float(low), mean), max(float(high), mean)
