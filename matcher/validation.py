"""Checks of arguments shared by the engine's entry points, so that every
function refuses the same bad input with the same words."""

from __future__ import annotations

import numpy as np

from matcher.errors import MatcherError

__all__ = ["check_seed"]


def check_seed(seed, *, default: int | None = None) -> int | None:
    """``seed`` as a Python int, or ``default`` when it is ``None``.

    A seed is ``None`` or an integer (Python or numpy); ``True``/``False``
    and floats are refused with :class:`~matcher.errors.MatcherError` (a
    ``ValueError``), so a misplaced flag never passes as seed 1 or 0.

    >>> check_seed(7), check_seed(None), check_seed(None, default=0)
    (7, None, 0)
    >>> check_seed(np.int64(3))
    3
    >>> check_seed(True)
    Traceback (most recent call last):
        ...
    matcher.errors.MatcherError: seed must be None or an int, got True
    """
    if seed is None:
        return default
    if isinstance(seed, bool | np.bool_) or not isinstance(seed, int | np.integer):
        raise MatcherError(f"seed must be None or an int, got {seed!r}")
    return int(seed)
