"""The network capacity map: where know-how is, where it is needed, and the gaps.

For every theme the map counts **supply** (members at expertise ≥
:data:`EXPERT_LEVEL` and their mentor capacity) and **demand** (members at
need ≥ :data:`NEED_LEVEL` and their mentee capacity), broken down by region,
North/South or kind of member, and how much of the demand the network cannot
meet from its own members:

- **unserved** (per theme, exact): members in need left without a mentor
  sharing a working language even if every expert gave that theme all of its
  mentor capacity — a maximum flow from members in need to experts. Other
  themes compete for the same capacity, so real unmet demand is at least this;
- **unmet** (per theme and language): ``no_expert`` — members in need with no
  expert in any of their languages (exact) — and ``not_enough_capacity`` — more
  members in need speak the language than its experts can take, an
  indication only (see :class:`LanguageGap`);
- **single points of failure**: a (theme, language) with one expert only,
  on whom members in need depend;
- **brokers**: members on the most shortest chains of the help graph
  (betweenness, see :func:`broker_scores`);
- **South–South potential**: the share of Southern needs that a Southern
  expert could meet under the hard constraints of a round.

An *expert* who can meet a need is a member at expertise ≥ :data:`EXPERT_LEVEL`
with ``mentor_capacity`` > 0 (one that never mentors meets nobody's need);
supply counts every member at that level, with its capacity.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import maximum_flow

from matcher.brokers import (
    BROKER_SEED,
    BROKER_SOURCES,
    EXACT_BETWEENNESS_NODES,
    TOP_BROKERS,
    Broker,
    broker_scores,
    help_adjacency,
    top_brokers,
)
from matcher.geo import REGIONS
from matcher.network import INTERNATIONAL, KINDS
from matcher.scoring import ScoringPolicy
from matcher.vectors import NetworkArrays, distinct_rows

__all__ = [
    "BROKER_SEED",
    "BROKER_SOURCES",
    "EXACT_BETWEENNESS_NODES",
    "EXPERT_LEVEL",
    "GROUPINGS",
    "NEED_LEVEL",
    "NORTH_SOUTH",
    "TOP_BROKERS",
    "Broker",
    "CapacityMap",
    "GroupCount",
    "LanguageGap",
    "SinglePointOfFailure",
    "SouthSouthPotential",
    "SouthSouthTheme",
    "ThemeCapacity",
    "broker_scores",
    "capacity_map",
]

EXPERT_LEVEL = 3
"""Expertise from which a member counts as supply: 3 = has done it well
several times, can advise (4 = can train others)."""
NEED_LEVEL = 2
"""Need from which a member counts as demand: 1 is "would be nice", 2 and 3
are needs a member would spend time on."""
GROUPINGS = ("region", "north_south", "kind")
"""What ``by`` may break supply and demand down by."""
NORTH_SOUTH = ("global_south", "global_north")


@dataclass(frozen=True)
class GroupCount:
    """Supply and demand of one theme within one group of members.

    >>> from matcher.examples import example_arrays
    >>> cmap = capacity_map(example_arrays())
    >>> cmap.theme("fundraising").north_south[1]
    GroupCount(group='global_north', supply_members=1, supply_capacity=2, demand_members=0,
               demand_capacity=0)
    """

    group: str
    supply_members: int
    supply_capacity: int
    demand_members: int
    demand_capacity: int


@dataclass(frozen=True)
class ThemeCapacity:
    """One theme of the map.

    ``coverage`` is supply capacity over demand members (``None`` with no
    demand): below 1 the experts cannot take every member in need even if
    they gave this theme all their time. ``by_group`` follows
    :attr:`CapacityMap.groups`; ``north_south`` is always (global_south,
    global_north). ``no_expert`` ≤ ``unserved`` ≤ ``demand_members``.

    >>> from matcher.examples import example_arrays
    >>> cmap = capacity_map(example_arrays())
    >>> row = cmap.theme("fundraising")  # fr-ngo (capacity 2) knows it, pe-coalition needs it
    >>> row.supply_capacity, row.demand_members, row.coverage, row.no_expert, row.unserved
    (2, 1, 2.0, 1, 1)
    >>> [g.group for g in row.by_group if g.demand_members]
    ['latin_america_caribbean']
    """

    theme: str
    supply_members: int
    supply_capacity: int
    demand_members: int
    demand_capacity: int
    coverage: float | None
    no_expert: int
    unserved: int
    by_group: tuple[GroupCount, ...]
    north_south: tuple[GroupCount, GroupCount]


@dataclass(frozen=True)
class LanguageGap:
    """Demand the network cannot meet on one theme in one working language.

    ``demand`` members in need speak ``language``; ``experts`` experts speak it
    with ``capacity`` mentor capacity in all. ``code`` is ``"no_expert"`` when
    no expert speaks it and ``members`` of those in need have no expert in any
    of their languages (exact), or ``"not_enough_capacity"`` when experts speak
    it but ``members`` = demand − capacity > 0. That shortfall is an
    indication, not a count: a member in need who speaks two languages is in
    both rows and may be served in the other one, and an expert who speaks two
    languages offers the same capacity in both, so rows do not add up; the
    exact figure per theme is :attr:`ThemeCapacity.unserved`.

    >>> from matcher.examples import example_arrays
    >>> cmap = capacity_map(example_arrays())
    >>> cmap.unmet  # nobody who knows fundraising speaks Spanish
    (LanguageGap(theme='fundraising', language='es', code='no_expert', members=1, demand=1,
                 experts=0, capacity=0),)
    """

    theme: str
    language: str
    code: str
    members: int
    demand: int
    experts: int
    capacity: int


@dataclass(frozen=True)
class SinglePointOfFailure:
    """``expert`` is the only expert on ``theme`` speaking ``language``;
    ``dependents`` members in need speak it, ``stranded`` of them have no
    other expert in any of their languages.

    >>> from matcher.examples import example_arrays
    >>> cmap = capacity_map(example_arrays())
    >>> cmap.single_points_of_failure
    (SinglePointOfFailure(theme='campaigning_mobilisation', language='en', expert='ke-coalition',
                          dependents=1, stranded=1),)
    """

    theme: str
    language: str
    expert: str
    dependents: int
    stranded: int


@dataclass(frozen=True)
class SouthSouthTheme:
    """One theme of :class:`SouthSouthPotential`.

    >>> from matcher.examples import example_arrays
    >>> cmap = capacity_map(example_arrays())
    >>> cmap.south_south.by_theme[-1]  # no Southern expert in fundraising
    SouthSouthTheme(theme='fundraising', needs=1, met=0)
    """

    theme: str
    needs: int
    met: int


@dataclass(frozen=True)
class SouthSouthPotential:
    """``met`` of the ``needs`` (Southern member, theme) pairs at need ≥
    :data:`NEED_LEVEL` have at least one Southern expert who could mentor
    them: shared language, not excluded, mentor capacity > 0. ``share`` is
    ``None`` with no Southern needs; ``by_theme`` lists themes with some.

    >>> from matcher.examples import example_arrays
    >>> cmap = capacity_map(example_arrays())
    >>> s = cmap.south_south
    >>> s.needs, s.met, round(s.share, 4), [t.theme for t in s.by_theme]
    (3, 2, 0.6667, ['budget_tracking', 'campaigning_mobilisation', 'fundraising'])
    """

    needs: int
    met: int
    share: float | None
    by_theme: tuple[SouthSouthTheme, ...]


@dataclass(frozen=True)
class CapacityMap:
    """The capacity map of a network (see the module docstring).

    ``themes`` are in taxonomy order; ``unmet`` largest first;
    ``broker_sources`` is ``None`` when broker scores are exact, else how many
    sampled sources estimate them.

    >>> from matcher.examples import example_arrays
    >>> cmap = capacity_map(example_arrays(), by="north_south")
    >>> cmap.groups, cmap.members, cmap.help_graph_edges, cmap.broker_sources
    (('global_south', 'global_north'), 4, 3, None)
    """

    by: str
    groups: tuple[str, ...]
    members: int
    themes: tuple[ThemeCapacity, ...]
    unmet: tuple[LanguageGap, ...]
    single_points_of_failure: tuple[SinglePointOfFailure, ...]
    brokers: tuple[Broker, ...]
    broker_sources: int | None
    help_graph_edges: int
    south_south: SouthSouthPotential

    def theme(self, key: str) -> ThemeCapacity:
        """The row of theme ``key``; ``KeyError`` if unknown.

        >>> from matcher.examples import example_arrays
        >>> capacity_map(example_arrays()).theme("budget_tracking").supply_members
        2
        """
        for row in self.themes:
            if row.theme == key:
                return row
        raise KeyError(f"unknown theme key {key!r}")

    def themes_by_unmet_demand(self) -> list[str]:
        """Every theme key, most unserved members in need first, then most
        members in need, ties by key; themes nobody needs come last.

        >>> from matcher.examples import example_arrays
        >>> capacity_map(example_arrays()).themes_by_unmet_demand()[:3]
        ['fundraising', 'budget_tracking', 'campaigning_mobilisation']
        """
        ranked = sorted(self.themes, key=lambda r: (-r.unserved, -r.demand_members, r.theme))
        return [r.theme for r in ranked]


def capacity_map(
    arrays: NetworkArrays,
    *,
    policy: ScoringPolicy | None = None,
    by: str = "region",
    graph: nx.DiGraph | None = None,
    brokers: bool = True,
) -> CapacityMap:
    """The capacity map of a network, supply and demand broken down ``by``
    ``"region"`` (the five UNESCO regions and ``"international"``),
    ``"north_south"`` or ``"kind"``.

    ``graph`` is the network's :func:`matcher.graph.help_graph` if already
    built (it is built with ``policy`` otherwise); only the brokers use it, and
    ``brokers=False`` skips both (most of the time on large networks) when only
    the counts are wanted.

    >>> from matcher.network import Member, make_network
    >>> from matcher.taxonomy import default_taxonomy
    >>> from matcher.vectors import network_arrays
    >>> a = Member(id="a", name="A", kind="national_coalition", languages=("fr",),
    ...            region="africa", global_south=True, needs={"budget_tracking": 3})
    >>> b = Member(id="b", name="B", kind="international_ngo", languages=("fr",),
    ...            region="europe_north_america", global_south=False,
    ...            expertise={"budget_tracking": 4})
    >>> cmap = capacity_map(network_arrays(make_network([a, b]), default_taxonomy()))
    >>> row = cmap.theme("budget_tracking")
    >>> row.supply_members, row.demand_members, row.coverage, row.unserved
    (1, 1, 1.0, 0)
    >>> cmap.themes_by_unmet_demand()[0]
    'budget_tracking'
    """
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}, got {by!r}")
    groups, group_of = _grouping(arrays, by)
    supply = arrays.expertise >= EXPERT_LEVEL
    demand = arrays.needs >= NEED_LEVEL
    expert = supply & (arrays.mentor_capacity > 0)[:, None]
    lang_set, share = _language_sets(arrays.speaks)
    reach = _reach(expert, lang_set, share) - expert  # other experts sharing a language
    no_expert = demand & (reach == 0)
    unserved = [
        _unserved(demand[:, t], expert[:, t], arrays.mentor_capacity, lang_set, share)
        for t in range(len(arrays.themes))
    ]
    adjacency = help_adjacency(arrays, policy, graph, brokers)
    scores, sources = broker_scores(adjacency)
    return CapacityMap(
        by=by,
        groups=groups,
        members=arrays.n,
        themes=_themes(arrays, groups, group_of, supply, demand, no_expert, unserved),
        unmet=_language_gaps(arrays, demand, expert, no_expert),
        single_points_of_failure=_single_points(arrays, demand, expert, reach),
        brokers=top_brokers(arrays.ids, adjacency, scores) if brokers else (),
        broker_sources=sources,
        help_graph_edges=int(adjacency.nnz),
        south_south=_south_south(arrays, demand, expert, lang_set, share),
    )


def _grouping(arrays: NetworkArrays, by: str) -> tuple[tuple[str, ...], np.ndarray]:
    if by == "region":
        return (*REGIONS, INTERNATIONAL), arrays.region.astype(np.int64)
    if by == "north_south":
        return NORTH_SOUTH, (~arrays.south).astype(np.int64)
    index = {k: i for i, k in enumerate(KINDS)}
    return KINDS, np.array([index[k] for k in arrays.kind], dtype=np.int64)


def _themes(
    arrays: NetworkArrays,
    groups: tuple[str, ...],
    group_of: np.ndarray,
    supply: np.ndarray,
    demand: np.ndarray,
    no_expert: np.ndarray,
    unserved: list[int],
) -> tuple[ThemeCapacity, ...]:
    """One :class:`ThemeCapacity` per theme, in taxonomy order."""
    mentor_cap = arrays.mentor_capacity[:, None] * supply
    mentee_cap = arrays.mentee_capacity[:, None] * demand
    counted = (supply, mentor_cap, demand, mentee_cap)
    per_group = _group_counts(counted, group_of, groups)
    per_side = _group_counts(counted, (~arrays.south).astype(np.int64), NORTH_SOUTH)
    themes = []
    for t, key in enumerate(arrays.themes):
        wanting = int(demand[:, t].sum())
        capacity = int(mentor_cap[:, t].sum())
        themes.append(
            ThemeCapacity(
                theme=key,
                supply_members=int(supply[:, t].sum()),
                supply_capacity=capacity,
                demand_members=wanting,
                demand_capacity=int(mentee_cap[:, t].sum()),
                coverage=capacity / wanting if wanting else None,
                no_expert=int(no_expert[:, t].sum()),
                unserved=unserved[t],
                by_group=tuple(per_group[t]),
                north_south=(per_side[t][0], per_side[t][1]),
            )
        )
    return tuple(themes)


def _group_counts(
    counted: tuple[np.ndarray, ...], index: np.ndarray, names: tuple[str, ...]
) -> list[list[GroupCount]]:
    """Per theme, one :class:`GroupCount` per group ``names[index[i]]`` of
    the (supply, mentor capacity, demand, mentee capacity) ``counted``."""
    members = _membership(index, len(names))
    counts = [members @ x.astype(np.int64) for x in counted]
    return [
        [GroupCount(g, *(int(c[k, t]) for c in counts)) for k, g in enumerate(names)]
        for t in range(counted[0].shape[1])
    ]


def _membership(index: np.ndarray, size: int) -> sp.csr_matrix:
    """(size, n) 0/1 matrix with a 1 at (index[i], i): ``_membership(g, k) @ x``
    sums the rows of ``x`` by group. Sparse, since dense integer products are
    slow in numpy and float BLAS is erratic on these thin shapes."""
    n = len(index)
    return sp.csr_matrix((np.ones(n, np.int64), (index, np.arange(n))), shape=(size, n))


def _by_language(speaks: np.ndarray, values: np.ndarray) -> np.ndarray:
    """(themes, languages) sums of the rows of ``values`` over each language's speakers."""
    return (sp.csr_matrix(speaks.T, dtype=np.int64) @ values.astype(np.int64)).T


def _language_sets(speaks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each member's language set (an index) and which sets share a language.
    Members with the same languages reach the same experts, so per-member
    questions become set × set ones: 129 sets in the generated 10,000-member network."""
    first, member_set = distinct_rows(speaks)
    sets = speaks[first].astype(np.int64)
    return member_set, (sets @ sets.T) > 0


def _reach(expert: np.ndarray, lang_set: np.ndarray, share: np.ndarray) -> np.ndarray:
    """(n, themes): how many experts share a language with each member (itself
    included if it is one)."""
    per_set = _membership(lang_set, len(share)) @ expert.astype(np.int64)
    return (share.astype(np.int64) @ per_set)[lang_set]


def _unserved(
    demand: np.ndarray,
    expert: np.ndarray,
    mentor_capacity: np.ndarray,
    lang_set: np.ndarray,
    share: np.ndarray,
) -> int:
    """Members in need of one theme that no assignment to experts sharing a
    language can serve, each expert taking up to its mentor capacity: members
    in need minus a maximum flow, on groups of members with the same
    languages. A member both in need and an expert is its own group on both
    sides, so it is never assigned to itself."""
    wanting, experts = np.flatnonzero(demand), np.flatnonzero(expert)
    if len(wanting) == 0:
        return 0
    both = demand & expert
    # Group key: the language set, or len(share) + member for a member on both sides.
    key_w = np.where(both[wanting], len(share) + wanting, lang_set[wanting])
    key_e = np.where(both[experts], len(share) + experts, lang_set[experts])
    group_w, first_w, size_w = np.unique(key_w, return_index=True, return_counts=True)
    group_e, first_e, inverse_e = np.unique(key_e, return_index=True, return_inverse=True)
    cap_e = np.bincount(inverse_e.ravel(), weights=mentor_capacity[experts]).astype(np.int64)
    allowed = share[lang_set[wanting[first_w]]][:, lang_set[experts[first_e]]]
    itself = (group_w[:, None] == group_e[None, :]) & (group_w[:, None] >= len(share))
    allowed &= ~itself  # a member on both sides is not its own mentor
    w, e = np.nonzero(allowed)
    n_w, n_e = len(group_w), len(group_e)
    sink = n_w + n_e + 1
    # Nodes: 0 source, 1..n_w groups in need, then expert groups, then the sink.
    tails = np.concatenate([np.zeros(n_w, np.int64), 1 + w, 1 + n_w + np.arange(n_e)])
    heads = np.concatenate([1 + np.arange(n_w), 1 + n_w + e, np.full(n_e, sink)])
    caps = np.concatenate([size_w, size_w[w], cap_e]).astype(np.int32)
    graph = sp.csr_matrix((caps, (tails, heads)), shape=(sink + 1, sink + 1))
    return len(wanting) - int(maximum_flow(graph, 0, sink).flow_value)


def _language_gaps(
    arrays: NetworkArrays, demand: np.ndarray, expert: np.ndarray, no_expert: np.ndarray
) -> tuple[LanguageGap, ...]:
    speaks = arrays.speaks
    wanting = _by_language(speaks, demand)  # (themes, languages)
    experts = _by_language(speaks, expert)
    capacity = _by_language(speaks, expert * arrays.mentor_capacity[:, None])
    stranded = _by_language(speaks, no_expert)
    # A language with no expert leaves only the members with no other one
    # unmet; one with experts falls short when they cannot take everyone.
    size = np.where(capacity == 0, stranded, np.clip(wanting - capacity, 0, None))
    gaps = [
        LanguageGap(
            theme=arrays.themes[t],
            language=arrays.languages[k],
            code="no_expert" if capacity[t, k] == 0 else "not_enough_capacity",
            members=int(size[t, k]),
            demand=int(wanting[t, k]),
            experts=int(experts[t, k]),
            capacity=int(capacity[t, k]),
        )
        for t, k in zip(*np.nonzero(size > 0), strict=True)
    ]
    return tuple(sorted(gaps, key=lambda g: (-g.members, -g.demand, g.theme, g.language)))


def _single_points(
    arrays: NetworkArrays, demand: np.ndarray, expert: np.ndarray, reach: np.ndarray
) -> tuple[SinglePointOfFailure, ...]:
    speaks = arrays.speaks
    experts = _by_language(speaks, expert)
    # Where a (theme, language) has one expert, the sum of expert indices is it.
    who = _by_language(speaks, expert * np.arange(arrays.n)[:, None])
    wanting = _by_language(speaks, demand)
    alone = _by_language(speaks, demand & (reach == 1))
    found = []
    for t, k in zip(*np.nonzero(experts == 1), strict=True):
        x = int(who[t, k])
        # The expert itself may be in need of the theme: it depends on others.
        dependents = int(wanting[t, k]) - int(demand[x, t])
        if dependents > 0:
            stranded = int(alone[t, k]) - int(demand[x, t] and reach[x, t] == 1)
            found.append(
                SinglePointOfFailure(
                    arrays.themes[t], arrays.languages[k], arrays.ids[x], dependents, stranded
                )
            )
    return tuple(sorted(found, key=lambda s: (-s.stranded, -s.dependents, s.theme, s.language)))


def _south_south(
    arrays: NetworkArrays,
    demand: np.ndarray,
    expert: np.ndarray,
    lang_set: np.ndarray,
    share: np.ndarray,
) -> SouthSouthPotential:
    south_expert = expert & arrays.south[:, None]
    mentors = _reach(south_expert, lang_set, share) - south_expert
    # Take away excluded partners who would otherwise count (exclusions are few).
    pairs = arrays.excluded.tocoo()
    talk = (arrays.speaks[pairs.row] & arrays.speaks[pairs.col]).any(axis=1)
    excluded = sp.csr_matrix(
        (talk.astype(np.int64), (pairs.row, pairs.col)), shape=arrays.excluded.shape
    )
    mentors -= excluded @ south_expert.astype(np.int64)
    needs = demand & arrays.south[:, None]
    met = needs & (mentors > 0)
    per_theme = needs.sum(axis=0), met.sum(axis=0)
    total, done = int(needs.sum()), int(met.sum())
    return SouthSouthPotential(
        needs=total,
        met=done,
        share=done / total if total else None,
        by_theme=tuple(
            SouthSouthTheme(arrays.themes[t], int(per_theme[0][t]), int(per_theme[1][t]))
            for t in np.flatnonzero(per_theme[0])
        ),
    )
