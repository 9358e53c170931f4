"""Checks of the options every circles function takes."""

from __future__ import annotations

import numpy as np

from matcher.errors import MatcherError


def check_options(size, max_per_member) -> tuple[tuple[int, int], int]:
    """``((size_min, size_max), max_per_member)`` as ints, or a :class:`MatcherError`."""
    try:
        size_min, size_max = (int(s) for s in size)
    except (TypeError, ValueError):
        raise MatcherError(f"size must be (min, max), got {size!r}") from None
    if not 2 <= size_min <= size_max:
        raise MatcherError(f"size must satisfy 2 <= min <= max, got {size!r}")
    if isinstance(max_per_member, bool) or not isinstance(max_per_member, int | np.integer):
        raise MatcherError(f"max_per_member must be an int, got {max_per_member!r}")
    if max_per_member < 1:
        raise MatcherError(f"max_per_member must be >= 1, got {max_per_member}")
    return (size_min, size_max), int(max_per_member)

