"""Labels in the API's answers: each reason and each circle's theme carries
what it is about in the answer's language, next to its stable key."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from matcher import Reason, default_taxonomy
from service.documents.encoding import REASONS, reason_dict, reason_label


def labelled_reasons(reasons: Iterable[Reason | Mapping], lang: str) -> list[dict]:
    """Reasons (the engine's, or as stored) as JSON, each with its ``label``
    in ``lang``: a theme's label, or the name of the score's other term;
    ``None`` for a reason about something else (a circle's learner, whose
    key is the member).

    >>> labelled_reasons([Reason("theme", "budget_tracking", 0.5)], "fr")[0]["label"]
    "Suivi budgétaire de l'éducation"
    >>> stored = {"kind": "south_south", "key": "south_south", "contribution": 0.1}
    >>> labelled_reasons([stored], "es")[0]["label"]
    'bonificación Sur–Sur'
    >>> print(labelled_reasons([Reason("learner", "sn-coalition", 0.5)], "fr")[0]["label"])
    None
    """
    taxonomy = default_taxonomy()
    found = []
    for r in reasons:
        reason = Reason(r["kind"], r["key"], r["contribution"]) if isinstance(r, Mapping) else r
        labelled = reason.kind == "theme" or reason.kind in REASONS
        label = reason_label(reason, taxonomy, lang) if labelled else None
        found.append({**reason_dict(reason), "label": label})
    return found


def theme_label(key: str, lang: str) -> str:
    """The label of theme ``key`` in ``lang``.

    >>> theme_label("budget_tracking", "pt")
    'Monitoramento do orçamento da educação'
    """
    return default_taxonomy().label(key, lang)
