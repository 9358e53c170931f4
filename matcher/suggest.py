"""The one "did you mean …?" rule peermatch uses for hints.

Country names, language names, theme keys and member ids all suggest a correction the
same way, so a typo gets the same kind of hint wherever it is made.
"""

import difflib
from collections.abc import Iterable

__all__ = ["CUTOFF", "closest"]

CUTOFF = 0.75
"""The lowest :class:`difflib.SequenceMatcher` ratio that still counts as a likely typo:
"Kenia" -> "Kenya" (0.8) passes, "Korea" -> "Kenya" (0.6) does not."""


def closest(query: str, choices: Iterable[str], *, cutoff: float = CUTOFF) -> str | None:
    """The choice most similar to ``query`` (ratio at least ``cutoff``), else ``None``.

    The answer does not depend on the order of ``choices``: equally close choices are
    decided the way :func:`difflib.get_close_matches` decides them.

    >>> closest("Kenia", ["Kenya", "Kuwait"]), closest("budget_traking", ["budget_tracking"])
    ('Kenya', 'budget_tracking')
    >>> closest("Atlantis", ["Kenya", "Kuwait"]) is None
    True
    """
    found = difflib.get_close_matches(query, list(choices), n=1, cutoff=cutoff)
    return found[0] if found else None
