"""The knowledge-flow map (:mod:`matcher.flow`) as the JSON document every
surface renders: the API (``GET /v1/flow``), the console's Flow page, the
report and the notebooks.

Two audiences. ``"admin"`` sees everything the map knows, members by id
(and name, when ``names`` are given). ``"hub"`` sees aggregates only: no
member id or name anywhere (member lists become counts, brokers a count),
and every count small enough to point at a member — a region × region cell
or a theme row with fewer than :data:`MIN_FLOWS` flows, a knowledge desert
with fewer than that many members in need — is left out (a cell becomes
``null``, a row is dropped), with the cells that would give a left-out one
back by subtraction (:func:`hub_hidden_cells`); the document says how many.

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


def _indicators(i: Indicators) -> dict[str, Any]:
    return asdict(i)


def _matrix(rows: tuple[tuple[int, ...], ...], hidden: frozenset[tuple[int, int]]):
    """The matrix with the ``hidden`` cells as ``None``, and how many of
    them had flows."""
    shown = [
        [None if (i, j) in hidden and x else x for j, x in enumerate(row)]
        for i, row in enumerate(rows)
    ]
    return shown, sum(1 for i, j in hidden if rows[i][j])


def _hub_themes(themes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The theme rows a hub sees: each flow is on one theme and the hub knows
    the total, so with the rows of fewer than :data:`MIN_FLOWS` flows go the
    smallest others until the left-out flows are none or at least that many."""
    order = sorted(range(len(themes)), key=lambda k: themes[k]["flows"])
    hidden = {k for k in order if themes[k]["flows"] < MIN_FLOWS}
    left_out = sum(themes[k]["flows"] for k in hidden)
    for k in order:
        if not 0 < left_out < MIN_FLOWS:
            break
        if k not in hidden:
            hidden.add(k)
            left_out += themes[k]["flows"]
    return [t for k, t in enumerate(themes) if k not in hidden]


def hub_hidden_cells(matrices: list[tuple[tuple[int, ...], ...]]) -> frozenset[tuple[int, int]]:
    """The region × region cells a hub is not shown, the same in every
    matrix (each round's and the cumulative): a cell with 1–4 flows in any
    of them, and then, in each matrix, as many of the smallest other cells as
    it takes for the left-out flows on the diagonal, and off it, to be none
    or at least :data:`MIN_FLOWS`. A hub knows each matrix's total flows and
    those crossing regions (the indicators) and that the cumulative matrix
    is the rounds' sum: a small cell hidden in one matrix only, or alone on
    or off the diagonal, would come back by subtraction.

    >>> sorted(hub_hidden_cells([((9, 3), (6, 7))]))  # 3 alone off the diagonal: 6 too
    [(0, 1), (1, 0)]
    >>> sorted(hub_hidden_cells([((9, 0), (6, 0)), ((9, 3), (6, 7))]))  # the same across rounds
    [(0, 1), (1, 0)]
    """
    hidden = {
        (i, j)
        for m in matrices
        for i, row in enumerate(m)
        for j, x in enumerate(row)
        if 0 < x < MIN_FLOWS
    }
    changed = bool(hidden)
    while changed:
        changed = False
        for m in matrices:
            for diagonal in (True, False):
                cells = [
                    (i, j) for i in range(len(m)) for j in range(len(m)) if (i == j) == diagonal
                ]
                left_out = sum(m[i][j] for i, j in cells if (i, j) in hidden)
                others = sorted(
                    ((m[i][j], (i, j)) for i, j in cells if (i, j) not in hidden and m[i][j]),
                    key=lambda vc: vc[0],
                )
                for value, cell in others:
                    if not 0 < left_out < MIN_FLOWS:
                        break
                    hidden.add(cell)
                    left_out += value
                    changed = True
    return frozenset(hidden)


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
    cells = (
        hub_hidden_cells([r.matrix for r in fmap.rounds] + [fmap.matrix]) if hub else frozenset()
    )
    hidden_cells = 0
    rounds = []
    for r in fmap.rounds:
        matrix, hidden = _matrix(r.matrix, cells)
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
    matrix, hidden = _matrix(fmap.matrix, cells)
    hidden_cells += hidden
    themes = [asdict(t) for t in fmap.themes]
    shown_themes = _hub_themes(themes) if hub else themes
    # A desert's demand is how many members of a region need a theme that
    # never reached them: a hub is not told about fewer than MIN_FLOWS of them.
    deserts = [d for d in fmap.deserts if not hub or d.demand >= MIN_FLOWS]
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
        "deserts": [asdict(d) for d in deserts],
        "brokers_count": len(fmap.brokers),
        "broker_sources": fmap.broker_sources,
        "suppressed": {
            "min_flows": MIN_FLOWS if hub else None,
            "matrix_cells": hidden_cells,
            "themes": len(themes) - len(shown_themes),
            "deserts": len(fmap.deserts) - len(deserts),
        },
        "labels": {
            "lang": lang,
            "themes": {t["theme"]: theme_label(t["theme"], lang) for t in shown_themes}
            | {d.theme: theme_label(d.theme, lang) for d in deserts},
            "regions": {r: region_label(r, lang) for r in fmap.regions}
            | {d.region: region_label(d.region, lang) for d in deserts},
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
