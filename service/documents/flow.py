"""The knowledge-flow map (:mod:`matcher.flow`) as the JSON document every
surface renders: the API (``GET /v1/flow``), the console's Flow page, the
report and the notebooks.

Two audiences. ``"admin"`` sees everything the map knows, members by id
(and name, when ``names`` are given). ``"hub"`` sees aggregates only: no
member id or name anywhere (member lists become counts, brokers a count),
and every count of flows small enough to point at a member — a region ×
region cell or a theme row with fewer than :data:`MIN_FLOWS` flows — is
left out (a cell becomes ``null``, a theme row is dropped), the document
saying how many were.

The long member lists (never reached, only receiving, …) are counted here and
listed page by page by :func:`member_rows`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from matcher.flow import MEMBER_STATUSES, FlowMap, Indicators
from matcher.geo import REGION_LABELS
from matcher.history import FORMATS
from service.documents.capacity_map import group_label
from service.documents.encoding import SCHEMA_VERSION
from service.documents.labels import theme_label
from service.translations import N_, gettext_for

MIN_FLOWS = 5
"""Below this many flows a cell or a theme row is left out of a hub's document
(as groups of fewer than 5 relations are left out of the outcome analysis)."""

AUDIENCES = ("admin", "hub")
LISTED_STATUSES = (*MEMBER_STATUSES, "needs_unmet")
"""The member lists :func:`member_rows` pages through."""

FORMAT_LABELS = {
    "mentoring": N_("Mentoring"),
    "exchange": N_("Reciprocal exchanges"),
    "circle": N_("Learning circles"),
}


def region_label(region: str, lang: str) -> str:
    """A region's name in ``lang`` (its key when it is not one we know)."""
    return (
        group_label(region, lang)
        if region in REGION_LABELS or region == "international"
        else region
    )


def _theme(key: str, lang: str) -> str:
    """A theme's label, or its key for a theme the taxonomy no longer has (a
    relation published under an older taxonomy keeps its themes)."""
    try:
        return theme_label(key, lang)
    except KeyError:
        return key


def _indicators(i: Indicators) -> dict[str, Any]:
    return asdict(i)


def _matrix(rows: tuple[tuple[int, ...], ...], hub: bool) -> tuple[list[list[int | None]], int]:
    """The matrix as the audience sees it, and how many cells were left out."""
    if not hub:
        return [list(row) for row in rows], 0
    hidden = sum(1 for row in rows for x in row if 0 < x < MIN_FLOWS)
    return [[None if 0 < x < MIN_FLOWS else x for x in row] for row in rows], hidden


def _who(member: str, names: Mapping[str, str] | None) -> dict[str, Any]:
    return {"member": member, "name": None if names is None else names.get(member)}


def flow_document(
    fmap: FlowMap, *, lang: str, audience: str, names: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The JSON document of ``fmap`` for ``audience`` (module docstring),
    theme, region and format labels in ``lang``.

    >>> from matcher.flow import example_history, flow_map
    >>> doc = flow_document(flow_map(example_history()), lang="fr", audience="hub")
    >>> doc["cumulative"]["matrix"], doc["themes"]  # 2 and 1 flows: left out
    ([[None, 0], [None, 0]], [])
    >>> doc["cumulative"]["suppressed_cells"], doc["suppressed"]["matrix_cells"]  # all matrices
    (2, 5)
    >>> doc["labels"]["regions"]["africa"], "brokers" in doc
    ('Afrique', False)
    """
    if audience not in AUDIENCES:
        raise ValueError(f"audience {audience!r} is not one of {AUDIENCES}")
    hub = audience == "hub"
    gettext = gettext_for(lang).gettext
    hidden_cells = 0
    rounds = []
    for r in fmap.rounds:
        matrix, hidden = _matrix(r.matrix, hub)
        hidden_cells += hidden
        rounds.append(
            {
                "round": r.round_id,
                "order": r.order,
                "format": r.format,
                "indicators": _indicators(r.indicators),
                "matrix": matrix,
                "unplaced": r.unplaced,
                "suppressed_cells": hidden,
            }
        )
    matrix, hidden = _matrix(fmap.matrix, hub)
    hidden_cells += hidden
    themes = [asdict(t) for t in fmap.themes]
    shown_themes = [t for t in themes if t["flows"] >= MIN_FLOWS] if hub else themes
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "audience": audience,
        "members": fmap.members,
        "regions": list(fmap.regions),
        "rounds": rounds,
        "cumulative": {
            "indicators": _indicators(fmap.cumulative),
            "matrix": matrix,
            "unplaced": fmap.unplaced,
            "suppressed_cells": hidden,
        },
        "member_counts": {
            **{s: len(fmap.status[s]) for s in MEMBER_STATUSES},
            "needs_unmet": len(fmap.needs_unmet),
        },
        "themes": shown_themes,
        "deserts": [asdict(d) for d in fmap.deserts],
        "brokers_count": len(fmap.brokers),
        "broker_sources": fmap.broker_sources,
        "suppressed": {
            "min_flows": MIN_FLOWS if hub else None,
            "matrix_cells": hidden_cells,
            "themes": len(themes) - len(shown_themes),
        },
        "labels": {
            "lang": lang,
            "themes": {t["theme"]: _theme(t["theme"], lang) for t in shown_themes}
            | {d.theme: _theme(d.theme, lang) for d in fmap.deserts},
            "regions": {r: region_label(r, lang) for r in fmap.regions}
            | {d.region: region_label(d.region, lang) for d in fmap.deserts},
            "formats": {f: gettext(FORMAT_LABELS[f]) for f in FORMATS},
        },
    }
    if not hub:
        document["brokers"] = [{**_who(b.member, names), **asdict(b)} for b in fmap.brokers]
    return document


def member_rows(
    fmap: FlowMap, status: str, names: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """The members of one of :data:`LISTED_STATUSES`, by id, each with its
    name (when ``names`` are given) and, for ``needs_unmet``, the themes
    it never received (for admins only: it names members).

    >>> from matcher.flow import example_history, flow_map
    >>> member_rows(flow_map(example_history()), "needs_unmet", {"n1": "North One"})
    [{'member': 'n1', 'name': 'North One', 'themes': ['fundraising']}]
    """
    if status == "needs_unmet":
        return [{**_who(m.member, names), "themes": list(m.themes)} for m in fmap.needs_unmet]
    return [{**_who(m, names), "themes": []} for m in fmap.status[status]]
