"""Reciprocal exchanges benchmark: ours (``exchange_pairs``, exact) against
networkx ``max_weight_matching`` on the same reciprocal graph (while it takes
under ~20 s) and a greedy baseline (heaviest pair first), side by side.

``python -m bench.exchanges_bench [--sizes 126,1000,10000] [--seed 1]``.
"""

import argparse
import time

import networkx as nx
import numpy as np

from bench.circles_bench import DEMO_SIZE, network_arrays_of
from matcher import exchange_pairs, reciprocal_scores
from service.documents.tables import render_table

NETWORKX_UP_TO = 1_000
HEADERS = ["members", "reciprocal pairs", "method", "pairs", "total", "% of ours", "time"]


def greedy_total(reciprocal) -> tuple[int, float]:
    """Heaviest available pair first: the obvious baseline."""
    upper = reciprocal.tocoo()
    keep = upper.row < upper.col
    rows, cols, values = upper.row[keep], upper.col[keep], upper.data[keep]
    used = np.zeros(reciprocal.shape[0], dtype=bool)
    pairs, total = 0, 0.0
    for k in np.lexsort((cols, rows, -values)):
        if not used[rows[k]] and not used[cols[k]]:
            used[rows[k]] = used[cols[k]] = True
            pairs, total = pairs + 1, total + float(values[k])
    return pairs, total


def run(sizes=(DEMO_SIZE, 1_000, 10_000), seed: int = 1) -> list[list[str]]:
    rows = []
    for n in sizes:
        arrays = network_arrays_of(n, seed)
        start = time.perf_counter()
        ours = exchange_pairs(arrays)
        ours_time = time.perf_counter() - start
        reciprocal = reciprocal_scores(arrays)
        edges = reciprocal.nnz // 2
        label = "ours (exact)" if ours.optimal else f"ours ({ours.method})"
        line = [
            n,
            edges,
            label,
            len(ours.pairs),
            f"{ours.total:.4f}",
            "100 %",
            f"{ours_time:.2f} s",
        ]
        rows.append(line)
        pairs, total = greedy_total(reciprocal)
        share = f"{total / ours.total:.1%}" if ours.total else "—"
        rows.append([n, edges, "greedy", pairs, f"{total:.4f}", share, "—"])
        if n <= NETWORKX_UP_TO:
            graph = nx.Graph()
            coo = reciprocal.tocoo()
            graph.add_weighted_edges_from(
                (int(i), int(j), float(w))
                for i, j, w in zip(coo.row, coo.col, coo.data, strict=True)
                if i < j
            )
            start = time.perf_counter()
            matching = nx.max_weight_matching(graph)
            peer_time = time.perf_counter() - start
            total = sum(graph[i][j]["weight"] for i, j in matching)
            share = f"{total / ours.total:.1%}" if ours.total else "—"
            rows.append(
                [n, edges, "networkx", len(matching), f"{total:.4f}", share, f"{peer_time:.2f} s"]
            )
    return rows


def table(rows) -> str:
    return render_table(HEADERS, rows, title="Reciprocal exchanges: ours vs networkx vs greedy")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="126,1000,10000")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    print(table(run(tuple(int(s) for s in args.sizes.split(",")), seed=args.seed)))


if __name__ == "__main__":
    main()
