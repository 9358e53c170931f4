"""Errors the matcher raises for input it cannot work with."""


class MatcherError(ValueError):
    """Base class for input errors the matcher detects."""


class PairingError(MatcherError):
    """A pairing request that cannot be satisfied (bad locked pair, bad capacities)."""
