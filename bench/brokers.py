"""``python -m bench.brokers NETWORK.json [--runs 3]``: the capacity map with
its own broker scores against networkx's ``betweenness_centrality``.

Times :func:`matcher.capacity_map.capacity_map` with
:func:`~matcher.capacity_map.broker_scores` and with networkx in its place,
alternating, same session, both given the help graph built once (its build
time is printed apart: the map pays it either way). networkx gets the same
job on that graph: exact up to ``EXACT_BETWEENNESS_NODES`` members, else
``BROKER_SOURCES`` sampled sources (``k``) with ``BROKER_SEED``. Prints each
run and the medians. Make the network with ``peermatch generate --members
10000 --seed 1 > net.json``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import time
from pathlib import Path

import networkx as nx
import numpy as np

from matcher import default_taxonomy, help_graph, network_arrays
from service.contract import validate_network

# matcher.capacity_map the module (the package exports the function of that name).
cmap = importlib.import_module("matcher.capacity_map")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.brokers")
    parser.add_argument("network", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    network = validate_network(json.loads(args.network.read_text(encoding="utf-8")))
    arrays = network_arrays(network, default_taxonomy())
    ids = arrays.ids
    own = cmap.broker_scores
    start = time.perf_counter()
    graph = help_graph(arrays)
    print(f"{arrays.n} members, help graph of {graph.number_of_edges()} edges built in "
          f"{time.perf_counter() - start:.2f} s")  # fmt: skip

    def with_networkx(adjacency, *, exact_up_to=cmap.EXACT_BETWEENNESS_NODES):
        # The help graph itself, unweighted: broker_scores counts hops too.
        sampled = cmap.BROKER_SOURCES if len(ids) > exact_up_to else None
        scores = nx.betweenness_centrality(graph, k=sampled, seed=cmap.BROKER_SEED)
        return np.array([scores[m] for m in ids]), sampled

    times: dict[str, list[float]] = {"broker_scores": [], "networkx": []}
    try:
        for run in range(args.runs):
            for name, scorer in (("broker_scores", own), ("networkx", with_networkx)):
                cmap.broker_scores = scorer
                start = time.perf_counter()
                result = cmap.capacity_map(arrays, graph=graph)
                times[name].append(time.perf_counter() - start)
                top = ", ".join(b.member for b in result.brokers[:3])
                print(f"run {run + 1} {name}: {times[name][-1]:.2f} s (top: {top})", flush=True)
    finally:
        cmap.broker_scores = own
    for name, spent in times.items():
        runs = ", ".join(f"{t:.2f}" for t in spent)
        print(f"{name}: median {statistics.median(spent):.2f} s of {runs}")


if __name__ == "__main__":
    main()
