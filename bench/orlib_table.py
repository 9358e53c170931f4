"""Section 5: Beasley's OR-Library assignment instances against their known optima."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from bench.common import NONE, Table, fmt_ratio, fmt_time, mark, measure, mismatch, same_total
from bench.orlib import known_optima, read_orlib
from matcher import pair_mentors

ORLIB_DIR = Path(__file__).resolve().parents[2] / "shared" / "orlib"
"""``../shared/orlib`` relative to the repository root."""
INSTANCES = ("assign100", "assign800", "assignp800", "assignp1500", "assignp3000", "assignp5000")


def orlib_table(
    directory: Path = ORLIB_DIR, instances=INSTANCES, *, repeats: int = 3, log=None
) -> Table:
    table = Table(
        "5. OR-Library linear assignment (minimum cost = −maximum benefit; median wall time)",
        [
            "instance",
            "kind",
            "n",
            "pairs stored",
            "known optimum",
            "ours",
            "equal",
            "ours time",
            "SciPy peer",
            "peer total",
            "peer equal",
            "peer time",
            "peer / ours",
        ],
    )
    directory = Path(directory)
    if not (directory / "optima.txt").is_file():
        table.notes.append(f"skipped: OR-Library instances not found in {directory}")
        return table
    optima = known_optima(directory)
    for name in instances:
        path = directory / f"{name}.txt"
        if not path.is_file():
            table.rows.append([name] + [NONE] * 3 + [optima.get(name, NONE)] + ["missing"] * 8)
            continue
        if log:
            log(f"OR-Library: {name}")
        benefit = read_orlib(path)
        n = benefit.shape[0]
        known = optima[name]
        ones = np.ones(n, dtype=np.int64)
        t_ours = measure(lambda benefit=benefit, ones=ones: pair_mentors(benefit, ones, 1), repeats)
        result = t_ours.value
        ours = -result.total_benefit
        full = result.n_covered == n
        equal = full and ours == known
        if not equal:
            mismatch(f"OR-Library {name}: ours {ours!r} (covered {result.n_covered}) != {known}")
        if sp.issparse(benefit):
            kind, peer = "sparse", "min_weight_full_bipartite_matching"
            cost = sp.csr_array((-benefit.data, benefit.indices, benefit.indptr), shape=(n, n))
            t_peer = measure(lambda cost=cost: min_weight_full_bipartite_matching(cost), repeats)
            r, c = t_peer.value
            peer_total = float(cost[r, c].sum())
            stored = benefit.nnz
        else:
            kind, peer = "dense", "linear_sum_assignment"
            cost = -benefit
            t_peer = measure(lambda cost=cost: linear_sum_assignment(cost), repeats)
            peer_total = float(cost[t_peer.value].sum())
            stored = n * n
        peer_equal = same_total(peer_total, known)
        if not peer_equal:
            mismatch(f"OR-Library {name}: SciPy {peer_total!r} != {known}")
        table.rows.append(
            [
                name,
                kind,
                f"{n:,}",
                f"{stored:,}",
                f"{known:,}",
                f"{ours:,.0f}",
                mark(equal),
                fmt_time(t_ours.median),
                peer,
                f"{peer_total:,.0f}",
                mark(peer_equal),
                fmt_time(t_peer.median),
                fmt_ratio(t_peer.median, t_ours.median),
            ]
        )
    table.notes.append(
        f"{directory}; ours = pair_mentors(-cost, ones, 1) (coverage first, so every row is "
        f"assigned), median of {repeats}; reading the file is not timed."
    )
    return table
