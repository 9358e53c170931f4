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

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
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


class _Scope:
    """The flows, ties and members of one round or of all rounds so far."""

    def __init__(self) -> None:
        self.flows = 0
        self.ties: Counter[tuple[str, str]] = Counter()
        self.themes: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
        self.in_relation: set[str] = set()
        self.givers: set[str] = set()
        self.receivers: set[str] = set()
        self.crossing = {"region": [0, 0], "language": [0, 0]}

    def add(self, relation, people: dict[str, Person]) -> None:
        self.in_relation.update(relation.givers, relation.receivers)
        for f in relation.flows:
            self.flows += 1
            self.ties[f.source, f.target] += 1
            self.themes[f.source, f.target].add(f.theme)
            self.givers.add(f.source)
            self.receivers.add(f.target)
            a, b = people[f.source], people[f.target]
            for what, x, y in (
                ("region", a.region, b.region),
                ("language", a.language, b.language),
            ):
                if x is not None and y is not None:
                    self.crossing[what][1] += 1
                    self.crossing[what][0] += x != y

    def indicators(self, new_ties: int, repeated_ties: int, south: set[str]) -> Indicators:
        both = len(self.givers & self.receivers)
        s = len(south)
        ss = sum(1 for a, b in self.ties if a in south and b in south)
        (cr, rk), (cl, lk) = self.crossing["region"], self.crossing["language"]
        return Indicators(
            flows=self.flows,
            ties=len(self.ties),
            new_ties=new_ties,
            repeated_ties=repeated_ties,
            members_in_relation=len(self.in_relation),
            giving=len(self.givers),
            receiving=len(self.receivers),
            giving_and_receiving=both,
            reciprocity=_share(both, len(self.in_relation)),
            south_south_ties=ss,
            south_south_density=_share(ss, s * (s - 1)),
            crossing_regions=cr,
            regions_known=rk,
            crossing_region_share=_share(cr, rk),
            crossing_languages=cl,
            languages_known=lk,
            crossing_language_share=_share(cl, lk),
        )


def _matrix(
    flows: Iterable, people: dict[str, Person], index: dict[str, int]
) -> tuple[tuple[tuple[int, ...], ...], int]:
    counts = np.zeros((len(index), len(index)), dtype=np.int64)
    unplaced = 0
    for f in flows:
        a, b = people[f.source].region, people[f.target].region
        if a is None or b is None:
            unplaced += 1
        else:
            counts[index[a], index[b]] += 1
    return tuple(tuple(int(x) for x in row) for row in counts), unplaced


def _brokers(
    ids: Sequence[str], ties: Iterable[tuple[str, str]]
) -> tuple[tuple[FlowBroker, ...], int | None]:
    index = {m: k for k, m in enumerate(ids)}
    edges = np.array([(index[a], index[b]) for a, b in ties], dtype=np.int64).reshape(-1, 2)
    ones = np.ones(len(edges), dtype=np.int8)
    adjacency = sp.csr_matrix((ones, (edges[:, 0], edges[:, 1])), shape=(len(ids), len(ids)))
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
    south = {p.id for p in history.members if p.south}
    regions = tuple(sorted({p.region for p in history.members if p.region}, key=_region_key))
    index = {r: k for k, r in enumerate(regions)}
    by_round = defaultdict(list)
    for rel in history.relations:
        by_round[rel.round_id].append(rel)

    total, seen, rounds = _Scope(), set(), []
    returns: Counter[tuple[str, str]] = Counter()  # tie → rounds that have it
    for past in sorted(history.rounds, key=lambda r: r.order):
        scope = _Scope()
        for rel in by_round[past.id]:
            scope.add(rel, people)
            total.add(rel, people)
        new = set(scope.ties) - seen
        seen |= new
        returns.update(scope.ties.keys())  # once per round, whatever its flows
        matrix, unplaced = _matrix((f for r in by_round[past.id] for f in r.flows), people, index)
        rounds.append(
            RoundFlow(
                round_id=past.id,
                order=past.order,
                format=past.format,
                indicators=scope.indicators(len(new), len(scope.ties) - len(new), south),
                ties=tuple(
                    Tie(a, b, n, tuple(sorted(scope.themes[a, b])), (a, b) in new)
                    for (a, b), n in sorted(scope.ties.items())
                ),
                matrix=matrix,
                unplaced=unplaced,
            )
        )
    matrix, unplaced = _matrix((f for r in history.relations for f in r.flows), people, index)

    status: dict[str, list[str]] = {s: [] for s in MEMBER_STATUSES}
    for m in ids:
        gives, gets = m in total.givers, m in total.receivers
        if m not in total.in_relation:
            status["never_reached"].append(m)
        elif gives and gets:
            status["both"].append(m)
        elif gets:
            status["only_receiving"].append(m)
        elif gives:
            status["only_giving"].append(m)
        else:
            status["no_flow"].append(m)

    received: defaultdict[str, set[str]] = defaultdict(set)  # theme → targets
    sources: defaultdict[str, set[str]] = defaultdict(set)
    theme_flows: Counter[str] = Counter()
    reached: set[tuple[str, str]] = set()  # (theme, region) a flow went into
    for rel in history.relations:
        for f in rel.flows:
            received[f.theme].add(f.target)
            sources[f.theme].add(f.source)
            theme_flows[f.theme] += 1
            if people[f.target].region is not None:
                reached.add((f.theme, people[f.target].region))

    needs_unmet, unmet_by_theme = [], Counter()
    demand: Counter[str] = Counter()
    demand_cells: Counter[tuple[str, str]] = Counter()
    for m in ids:
        p = people[m]
        for t in p.needs:
            demand[t] += 1
            if p.region is not None:
                demand_cells[t, p.region] += 1
        missing = tuple(sorted(t for t in p.needs if m not in received[t]))
        unmet_by_theme.update(missing)
        if missing:
            needs_unmet.append(MemberNeeds(m, missing))

    themes = tuple(
        ThemeReach(
            theme=t,
            receivers=len(received[t]),
            sources=len(sources[t]),
            flows=theme_flows[t],
            demand=demand[t],
            needs_unmet=unmet_by_theme[t],
        )
        for t in sorted(set(theme_flows) | set(demand))
    )
    deserts = tuple(
        Desert(t, r, n)
        for (t, r), n in sorted(demand_cells.items(), key=lambda c: (c[0][0], _region_key(c[0][1])))
        if (t, r) not in reached
    )
    brokers, sampled = _brokers(ids, sorted(total.ties))
    return FlowMap(
        members=len(ids),
        regions=regions,
        rounds=tuple(rounds),
        cumulative=total.indicators(len(seen), sum(1 for n in returns.values() if n > 1), south),
        matrix=matrix,
        unplaced=unplaced,
        status={s: tuple(v) for s, v in status.items()},
        needs_unmet=tuple(needs_unmet),
        themes=themes,
        deserts=deserts,
        brokers=brokers,
        broker_sources=sampled,
    )
