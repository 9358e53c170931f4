"""Labels in the API's answers: each reason and each circle's theme carries
what it is about in the answer's language, next to its stable key."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from matcher import EmptyReason, Reason, Recommendation, default_taxonomy
from service.contract import RecommendationOut, Recommendations
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
    """The label of theme ``key`` in ``lang``; the key itself for a theme the
    taxonomy no longer has (a relation or an answer stored under an older
    taxonomy keeps its themes).

    >>> theme_label("budget_tracking", "pt")
    'Monitoramento do orçamento da educação'
    >>> theme_label("a_theme_since_dropped", "pt")
    'a_theme_since_dropped'
    """
    taxonomy = default_taxonomy()
    return taxonomy.label(key, lang) if key in taxonomy else key


def recommendations_answer(
    member_id: str,
    recs: Iterable[Recommendation],
    *,
    names: Mapping[str, str],
    direction: str,
    k: int,
    version: int,
    lang: str,
    empty: EmptyReason | None,
) -> Recommendations:
    """A member's recommendations as the API answers them and the console
    shows them: each peer's name, and its reasons labelled in ``lang``;
    ``empty`` says why there are none."""
    exchanges = direction == "exchanges"
    return Recommendations(
        member=member_id,
        direction=direction,
        k=k,
        network_version=version,
        recommendations=[
            RecommendationOut(
                member=r.member,
                name=names[r.member],
                score=r.score,
                languages=list(r.languages),
                reasons=labelled_reasons(r.reasons, lang),
                gives=labelled_reasons(r.gives, lang) if exchanges else None,
                receives=labelled_reasons(r.receives, lang) if exchanges else None,
            )
            for r in recs
        ],
        empty_reason=None if empty is None else empty.__dict__,
    )
