"""Errors the matcher raises for input it cannot work with."""


class MatcherError(ValueError):
    """Base class for input errors the matcher detects; a ``ValueError``, so
    callers that catch that catch these too.

    >>> from matcher.validation import check_seed
    >>> try:
    ...     check_seed(1.5)
    ... except ValueError as exc:
    ...     print(type(exc).__name__, exc)
    MatcherError seed must be None or an int, got 1.5
    """


class PairingError(MatcherError):
    """A pairing request that cannot be satisfied (bad locked pair, bad capacities).

    >>> import numpy as np
    >>> from matcher.pairing import pair_mentors
    >>> pair_mentors(np.array([[1.0, np.nan]]), [1, 1], locked=[(0, 1)])
    Traceback (most recent call last):
        ...
    matcher.errors.PairingError: locked[0] = (0, 1) is a forbidden pair (no allowed benefit)
    """
