"""What the report shows, computed once with the same public ``matcher``
calls and defaults as ``peermatch map``, ``match``, ``circles`` and
``exchanges``: every number in the report is the one those commands print."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx

from matcher import (
    CapacityMap,
    CirclesResult,
    ExchangeResult,
    Network,
    NetworkArrays,
    RoundResult,
    Taxonomy,
    capacity_map,
    exchange_pairs,
    form_circles,
    help_graph,
    mentoring_round,
    network_arrays,
)
from matcher.flow import FlowMap, flow_map
from matcher.history import History
from matcher.outcomes import OutcomeAnalysis, outcome_analysis


@dataclass(frozen=True)
class Analysis:
    """Everything the report shows, computed once."""

    network: Network
    taxonomy: Taxonomy
    arrays: NetworkArrays
    graph: nx.DiGraph
    capacity: CapacityMap
    round: RoundResult
    circles: CirclesResult
    exchanges: ExchangeResult
    history: History | None = None
    """The past rounds and their feedback, when a history was given."""
    flow: FlowMap | None = None
    """The knowledge-flow map of :attr:`history` (None without a history)."""
    outcomes: OutcomeAnalysis | None = None
    """What came of the past relations, by format and group (None without a history)."""


def analyse(
    network: Network,
    *,
    taxonomy: Taxonomy,
    progress: Callable[[str], None] | None = None,
    history: History | None = None,
) -> Analysis:
    """Run the engine as the CLI commands do, with their defaults: the
    capacity map by region, a welfare round with the default policy and no
    seed, circles on the default themes, exchanges without ``-k``.
    ``progress`` is told the name of each step before it starts. ``history``:
    the past rounds and their feedback, kept for the report (the CLI builds it
    from a history document with ``service.usecases.history.to_history``:
    the report may not import the use cases), from which the outcomes and
    the knowledge-flow map are computed."""
    say = progress or (lambda _step: None)
    arrays = network_arrays(network, taxonomy)
    say("help graph")
    # An empty network has no help graph to build (the scorer needs members).
    graph = help_graph(arrays) if arrays.n else nx.DiGraph()
    say("capacity map")
    # The map would build the same help graph again for its brokers.
    cmap = capacity_map(arrays, by="region", graph=graph)
    say("mentoring round")
    result = mentoring_round(network, taxonomy=taxonomy, arrays=arrays)
    say("learning circles")
    circles = form_circles(arrays)
    say("reciprocal exchanges")
    exchanges = exchange_pairs(arrays)
    flow = outcomes = None
    if history is not None:
        say("outcomes")
        outcomes = outcome_analysis(history)
        say("knowledge flow")
        flow = flow_map(history)
    return Analysis(
        network, taxonomy, arrays, graph, cmap, result, circles, exchanges, history, flow, outcomes
    )
