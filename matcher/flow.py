"""The knowledge-flow map: who learned from whom, on what, round after round.

Read from a :class:`matcher.history.History`: every published relation's
``flows`` (mentor → mentee on the pair's themes, both ways of an exchange,
anchor → member of a circle on its theme) form a directed multigraph over
time. Definitions, used the same way per round and cumulatively (all rounds
up to and including the last):

- a *flow* is one ``Flow`` of a published relation; a *tie* is a distinct
  ordered pair (source, target) with at least one flow. A tie is *new* in
  the first round (by ``order``) it appears in, *repeated* in every later
  round that has it again, so per round new + repeated = its ties, and the
  new ties of all rounds add up to the cumulative ties. Cumulatively every
  tie was new once (new = ties) and *repeated* counts the ties that came
  back in at least one later round.
- *members in a relation*: givers or receivers of a published relation of
  the scope. A member *gives* when it is the source of a flow, *receives*
  when it is the target of one. **Reciprocity** is the share of the members
  in a relation who both give and receive (None without members in a
  relation).
- **South–South tie density**: distinct ties from a Southern member to
  another Southern member, divided by the ordered pairs of Southern members
  there could be, s·(s − 1) over all ``s`` Southern members of the history
  (None when s < 2).
- **Crossing regions / languages**: the share of flows whose source's region
  (first language) differs from its target's, among the flows where both are
  known (None when there are none).
- Over the whole history every member is in exactly one of: *never reached*
  (in no published relation), *only receiving*, *only giving*, *giving and
  receiving*, or *in a relation without a flow* (e.g. a pair that named no
  theme, a circle's sole anchor without learners).
- A member's need stays *unmet* when it never received a flow on that theme
  in any round. A theme × region cell is a *knowledge desert* when members
  of that region need the theme and no flow on it ever reached the region.
- **Brokers of realised flow**: directed betweenness on the graph of the
  cumulative ties (:func:`matcher.brokers.broker_scores`, which is exact up
  to 2,000 members and beyond estimates from 256 sources drawn with a fixed
  seed: same history, same brokers).

The region × region matrix counts flows from the source's region (row) to the
target's (column); a flow with an end of unknown region is counted in
``unplaced`` instead, so the matrix plus ``unplaced`` is the flow count.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from matcher.brokers import broker_scores, top_brokers
from matcher.geo import REGIONS
from matcher.history import Flow, History, PastRound, Person, Relation
from matcher.network import INTERNATIONAL

__all__ = [
    "MEMBER_STATUSES",
    "Desert",
    "FlowBroker",
    "FlowMap",
    "Indicators",
    "MemberNeeds",
    "RoundFlow",
    "ThemeReach",
    "Tie",
    "example_history",
    "flow_map",
]

MEMBER_STATUSES = ("never_reached", "only_receiving", "only_giving", "both", "no_flow")
"""Where each member stands over the whole history (a partition of the members)."""

_REGION_ORDER = {r: k for k, r in enumerate((*REGIONS, INTERNATIONAL))}


@dataclass(frozen=True)
class Tie:
    """A distinct source → target tie of a round: its ``flows`` and their
    themes (sorted), ``new`` when no earlier round had it.

    >>> flow_map(example_history()).rounds[1].ties[0]
    Tie(source='n1', target='s1', flows=1, themes=('budget_tracking',), new=False)
    """

    source: str
    target: str
    flows: int
    themes: tuple[str, ...]
    new: bool


@dataclass(frozen=True)
class Indicators:
    """The measures of one round or of all rounds so far (module docstring).
    Shares are None when their denominator is 0.

    >>> c = flow_map(example_history()).cumulative
    >>> c.flows, c.ties, c.repeated_ties, c.reciprocity, c.south_south_density
    (4, 3, 1, 0.6666666666666666, 1.0)
    >>> c.crossing_region_share, c.crossing_language_share
    (0.5, 1.0)
    """

    flows: int
    ties: int
    new_ties: int
    repeated_ties: int
    members_in_relation: int
    giving: int
    receiving: int
    giving_and_receiving: int
    reciprocity: float | None
    south_south_ties: int
    south_south_density: float | None
    crossing_regions: int
    regions_known: int
    crossing_region_share: float | None
    crossing_languages: int
    languages_known: int
    crossing_language_share: float | None


@dataclass(frozen=True)
class RoundFlow:
    """One round: its indicators, its ties (by source, target) and its region
    × region flow matrix (rows: source region, columns: target region, in
    :attr:`FlowMap.regions` order).

    >>> r = flow_map(example_history()).rounds[0]
    >>> r.format, r.indicators.new_ties, r.matrix  # Europe → Africa
    ('mentoring', 1, ((0, 0), (1, 0)))
    """

    round_id: int
    order: int
    format: str
    indicators: Indicators
    ties: tuple[Tie, ...]
    matrix: tuple[tuple[int, ...], ...]
    unplaced: int


@dataclass(frozen=True)
class ThemeReach:
    """A theme that flowed or is needed: members who received it, from how
    many distinct sources, in how many flows, and members who need it now.

    >>> flow_map(example_history()).themes[1]
    ThemeReach(theme='fundraising', receivers=1, sources=1, flows=1, demand=1, needs_unmet=1)
    """

    theme: str
    receivers: int
    sources: int
    flows: int
    demand: int
    needs_unmet: int


@dataclass(frozen=True)
class Desert:
    """A theme that ``demand`` members of ``region`` need and that never
    flowed into the region.

    >>> flow_map(example_history()).deserts
    (Desert(theme='fundraising', region='europe_north_america', demand=1),)
    """

    theme: str
    region: str
    demand: int


@dataclass(frozen=True)
class MemberNeeds:
    """A member and its need themes on which it never received a flow.

    >>> flow_map(example_history()).needs_unmet
    (MemberNeeds(member='n1', themes=('fundraising',)),)
    """

    member: str
    themes: tuple[str, ...]


@dataclass(frozen=True)
class FlowBroker:
    """A member on many shortest chains of realised ties: its betweenness,
    how many members it gave to and received from (distinct ties).

    >>> flow_map(example_history()).brokers  # n1 → s1 → s2
    (FlowBroker(member='s1', score=0.5, gives_to=1, receives_from=2),)
    """

    member: str
    score: float
    gives_to: int
    receives_from: int


@dataclass(frozen=True)
class FlowMap:
    """The knowledge-flow map of a history (module docstring).

    >>> fmap = flow_map(example_history())
    >>> fmap.regions, fmap.status["only_giving"], fmap.status["both"]
    (('africa', 'europe_north_america'), ('n1',), ('s1', 's2'))
    """

    members: int
    regions: tuple[str, ...]
    rounds: tuple[RoundFlow, ...]
    cumulative: Indicators
    matrix: tuple[tuple[int, ...], ...]
    unplaced: int
    status: dict[str, tuple[str, ...]]
    """Members by :data:`MEMBER_STATUSES`, each list sorted."""
    needs_unmet: tuple[MemberNeeds, ...]
    themes: tuple[ThemeReach, ...]
    deserts: tuple[Desert, ...]
    brokers: tuple[FlowBroker, ...]
    broker_sources: int | None
    """None: exact betweenness; else the number of sampled sources."""


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _region_key(region: str) -> tuple[int, str]:
    return (_REGION_ORDER.get(region, len(_REGION_ORDER)), region)


@dataclass(frozen=True)
class _Flows:
    """Every flow of a history as arrays (round position, source, target and
    theme as indices, and the tie ``source * n + target``), and the members of
    every relation with the round position of the relation."""

    round: np.ndarray
    source: np.ndarray
    target: np.ndarray
    theme: np.ndarray
    tie: np.ndarray
    members: tuple[np.ndarray, np.ndarray]

    @classmethod
    def of(
        cls,
        history: History,
        position: dict[int, int],
        index: dict[str, int],
        theme_index: dict[str, int],
    ) -> _Flows:
        rows = [
            (position[rel.round_id], index[f.source], index[f.target], theme_index[f.theme])
            for rel in history.relations
            for f in rel.flows
        ]
        table = np.array(rows, dtype=np.int64).reshape(-1, 4)
        members = np.array(
            [
                (position[rel.round_id], index[m])
                for rel in history.relations
                for m in {*rel.givers, *rel.receivers}
            ],
            dtype=np.int64,
        ).reshape(-1, 2)
        return cls(
            round=table[:, 0],
            source=table[:, 1],
            target=table[:, 2],
            theme=table[:, 3],
            tie=table[:, 1] * len(index) + table[:, 2],
            members=(members[:, 0], members[:, 1]),
        )


@dataclass(frozen=True)
class _Context:
    """What the indicators read of each member (by index): region and first
    language (-1: unknown), Southern or not."""

    n: int
    region: np.ndarray
    language: np.ndarray
    south: np.ndarray

    def indicators(
        self, source: np.ndarray, target: np.ndarray, members: np.ndarray, new: int, repeated: int
    ) -> Indicators:
        keys = np.unique(source * self.n + target)
        a, b = keys // max(1, self.n), keys % max(1, self.n)
        giving, receiving = np.unique(source), np.unique(target)
        both = len(np.intersect1d(giving, receiving, assume_unique=True))
        in_relation = len(np.unique(members))
        s = int(self.south.sum())
        south_south = int(np.sum(self.south[a] & self.south[b]))
        crossing = []
        for of in (self.region, self.language):
            x, y = of[source], of[target]
            known = (x >= 0) & (y >= 0)
            crossing.append((int(np.sum(known & (x != y))), int(known.sum())))
        (cr, rk), (cl, lk) = crossing
        return Indicators(
            flows=len(source),
            ties=len(keys),
            new_ties=new,
            repeated_ties=repeated,
            members_in_relation=in_relation,
            giving=len(giving),
            receiving=len(receiving),
            giving_and_receiving=both,
            reciprocity=_share(both, in_relation),
            south_south_ties=south_south,
            south_south_density=_share(south_south, s * (s - 1)),
            crossing_regions=cr,
            regions_known=rk,
            crossing_region_share=_share(cr, rk),
            crossing_languages=cl,
            languages_known=lk,
            crossing_language_share=_share(cl, lk),
        )


def _matrix(
    source: np.ndarray, target: np.ndarray, region: np.ndarray, size: int
) -> tuple[tuple[tuple[int, ...], ...], int]:
    """Flows from region to region, and the flows with an end of unknown region."""
    x, y = region[source], region[target]
    placed = (x >= 0) & (y >= 0)
    counts = np.bincount(x[placed] * size + y[placed], minlength=size * size)
    rows = counts.reshape(size, size).tolist()
    return tuple(tuple(row) for row in rows), int(len(source) - placed.sum())


def _brokers(
    ids: list[str], source: np.ndarray, target: np.ndarray
) -> tuple[tuple[FlowBroker, ...], int | None]:
    ones = np.ones(len(source), dtype=np.int8)
    adjacency = sp.csr_matrix((ones, (source, target)), shape=(len(ids), len(ids)))
    scores, sampled = broker_scores(adjacency)
    found = top_brokers(tuple(ids), adjacency, scores)
    return tuple(FlowBroker(b.member, b.score, b.can_help, b.helped_by) for b in found), sampled


def example_history() -> History:
    """The history of the examples: Southern s1 and s2 (Africa), Northern n1
    (Europe); round 0 pairs n1 → s1 on budget tracking; in round 1 s1 and s2
    exchange (budget tracking one way, fundraising the other) and n1 teaches
    s1 budget tracking again.

    >>> len(example_history().relations)
    3
    """
    b, f = "budget_tracking", "fundraising"
    return History(
        members=(
            Person("n1", "europe_north_america", False, "en", frozenset({f})),
            Person("s1", "africa", True, "fr", frozenset({b})),
            Person("s2", "africa", True, "en"),
        ),
        rounds=(PastRound(1, "mentoring", 0), PastRound(2, "exchange", 1)),
        relations=(
            Relation("1", 1, "mentoring", ("n1",), ("s1",), ("n1", "s1"), (b,), "fr",
                     (Flow("n1", "s1", b),)),
            Relation("2", 2, "exchange", ("s1", "s2"), ("s1", "s2"), ("s1", "s2"), (b, f), "fr",
                     (Flow("s1", "s2", b), Flow("s2", "s1", f))),
            Relation("3", 2, "exchange", ("n1", "s1"), ("n1", "s1"), ("n1", "s1"), (b,), "fr",
                     (Flow("n1", "s1", b),)),
        ),
        answers=(),
    )  # fmt: skip


def flow_map(history: History) -> FlowMap:
    """The knowledge-flow map of ``history`` (definitions: module docstring).

    >>> from matcher.history import EMPTY
    >>> flow_map(EMPTY).cumulative.flows, flow_map(EMPTY).rounds
    (0, ())
    """
    people = {p.id: p for p in history.members}
    ids = sorted(people)
    n = len(ids)
    index = {m: k for k, m in enumerate(ids)}
    regions = tuple(sorted({p.region for p in history.members if p.region}, key=_region_key))
    region_index = {r: k for k, r in enumerate(regions)}
    languages = {
        lang: k
        for k, lang in enumerate(sorted({p.language for p in history.members if p.language}))
    }
    region = np.array([region_index.get(people[m].region, -1) for m in ids], dtype=np.int64)
    language = np.array([languages.get(people[m].language, -1) for m in ids], dtype=np.int64)
    south = np.array([people[m].south is True for m in ids], dtype=bool)
    past = sorted(history.rounds, key=lambda r: r.order)
    position = {r.id: k for k, r in enumerate(past)}
    needs = {t for p in history.members for t in p.needs}
    theme_names = sorted({f.theme for rel in history.relations for f in rel.flows} | needs)
    theme_index = {t: k for k, t in enumerate(theme_names)}

    flows = _Flows.of(history, position, index, theme_index)
    member_round, member = flows.members
    context = _Context(n=n, region=region, language=language, south=south)

    # The round each tie first appears in, and in how many rounds it appears.
    order = np.lexsort((flows.round, flows.tie))
    ties, first = np.unique(flows.tie[order], return_index=True)
    first_round = flows.round[order][first]
    tie_rounds = np.unique(flows.tie * max(1, len(past)) + flows.round) // max(1, len(past))
    came_back = int(np.sum(np.bincount(np.searchsorted(ties, tie_rounds), minlength=len(ties)) > 1))

    rounds = []
    for k, r in enumerate(past):
        sel, mine = flows.round == k, member_round == k
        new = int(np.sum(first_round == k))
        keys, counts = np.unique(flows.tie[sel], return_counts=True)
        pairs = np.unique(flows.tie[sel] * len(theme_names) + flows.theme[sel])
        cuts = np.searchsorted(pairs // max(1, len(theme_names)), keys, side="right")
        theme_of = pairs % max(1, len(theme_names))
        new_of = first_round[np.searchsorted(ties, keys)] == k
        matrix, unplaced = _matrix(flows.source[sel], flows.target[sel], region, len(regions))
        rounds.append(
            RoundFlow(
                round_id=r.id,
                order=r.order,
                format=r.format,
                indicators=context.indicators(
                    flows.source[sel], flows.target[sel], member[mine], new, len(keys) - new
                ),
                ties=tuple(
                    Tie(
                        ids[key // n],
                        ids[key % n],
                        int(count),
                        tuple(theme_names[t] for t in theme_of[start:end]),
                        bool(fresh),
                    )
                    for key, count, start, end, fresh in zip(
                        keys.tolist(),
                        counts.tolist(),
                        np.r_[0, cuts[:-1]][: len(cuts)].tolist(),
                        cuts.tolist(),
                        new_of.tolist(),
                        strict=True,
                    )
                ),
                matrix=matrix,
                unplaced=unplaced,
            )
        )
    matrix, unplaced = _matrix(flows.source, flows.target, region, len(regions))
    cumulative = context.indicators(flows.source, flows.target, member, len(ties), came_back)

    gives = np.zeros(n, dtype=bool)
    gives[flows.source] = True
    gets = np.zeros(n, dtype=bool)
    gets[flows.target] = True
    in_relation = np.zeros(n, dtype=bool)
    in_relation[member] = True
    status = {
        "never_reached": ~in_relation,
        "only_receiving": in_relation & gets & ~gives,
        "only_giving": in_relation & gives & ~gets,
        "both": in_relation & gives & gets,
        "no_flow": in_relation & ~gives & ~gets,
    }

    size = len(theme_names)
    received = np.unique(flows.theme * n + flows.target)
    given = np.unique(flows.theme * n + flows.source)
    receivers = np.bincount(received // max(1, n), minlength=size)
    sources = np.bincount(given // max(1, n), minlength=size)
    theme_flows = np.bincount(flows.theme, minlength=size)
    got = set(received.tolist())  # theme * n + member
    into = region[flows.target]
    reached = {
        (theme_names[t], regions[r])
        for t, r in set(zip(flows.theme[into >= 0].tolist(), into[into >= 0].tolist(), strict=True))
    }

    needs_unmet, unmet_by_theme = [], Counter()
    demand: Counter[str] = Counter()
    demand_cells: Counter[tuple[str, str]] = Counter()
    for k, m in enumerate(ids):
        p = people[m]
        for t in p.needs:
            demand[t] += 1
            if p.region is not None:
                demand_cells[t, p.region] += 1
        missing = tuple(sorted(t for t in p.needs if theme_index[t] * n + k not in got))
        unmet_by_theme.update(missing)
        if missing:
            needs_unmet.append(MemberNeeds(m, missing))

    themes = tuple(
        ThemeReach(
            theme=t,
            receivers=int(receivers[k]),
            sources=int(sources[k]),
            flows=int(theme_flows[k]),
            demand=demand[t],
            needs_unmet=unmet_by_theme[t],
        )
        for k, t in enumerate(theme_names)
    )
    deserts = tuple(
        Desert(t, r, count)
        for (t, r), count in sorted(
            demand_cells.items(), key=lambda c: (c[0][0], _region_key(c[0][1]))
        )
        if (t, r) not in reached
    )
    brokers, sampled = _brokers(ids, ties // max(1, n), ties % max(1, n))
    return FlowMap(
        members=n,
        regions=regions,
        rounds=tuple(rounds),
        cumulative=cumulative,
        matrix=matrix,
        unplaced=unplaced,
        status={s: tuple(ids[k] for k in np.flatnonzero(status[s])) for s in MEMBER_STATUSES},
        needs_unmet=tuple(needs_unmet),
        themes=themes,
        deserts=deserts,
        brokers=brokers,
        broker_sources=sampled,
    )
