"""Shared pieces of the benchmark: timing, tables, generated networks and the
whole ``peermatch match NETWORK.json --format json`` path, in-process."""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from matcher import (
    Network,
    NetworkArrays,
    RoundResult,
    ScoringPolicy,
    candidate_matrix,
    default_taxonomy,
    mentoring_round,
    network_arrays,
)
from matcher import candidates as _candidates
from matcher import rounds as _rounds
from service.contract import parse_network, validate_network
from service.documents.encoding import dumps
from service.documents.mentoring import round_document
from service.documents.tables import render_table

OK, FAIL, NONE = "✓", "✗", "—"
DEMO_SIZE = 126
"""Size at which the bundled demo network stands in for a generated one."""
SEED = 1

# The auto rule of matcher.rounds.mentoring_round (read from it, same defaults).
DENSE_PAIR_LIMIT = getattr(_rounds, "DENSE_PAIR_LIMIT", 4_000_000)
AUTO_CANDIDATES = getattr(_rounds, "AUTO_CANDIDATES", 40)
UNPRICED_CANDIDATES = getattr(_rounds, "UNPRICED_CANDIDATES", AUTO_CANDIDATES)
CACHE_ELEMENTS = _candidates.CACHE_ELEMENTS

MISMATCHES: list[str] = []
"""Every disagreement on an optimum or a pairing found during the run."""


def mismatch(message: str) -> None:
    """Record a disagreement between ours and a peer (the run exits 1 at the end)."""
    MISMATCHES.append(message)


def same_total(a: float, b: float, rel: float = 1e-6) -> bool:
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


# ------------------------------------------------------------------------- timing


@dataclass
class Timing:
    """Median of ``runs`` calls and the value the last call returned."""

    median: float
    runs: int
    times: list[float] = field(repr=False)
    value: Any = field(repr=False, default=None)


def measure(fn: Callable[[], Any], repeats: int, budget: float = math.inf) -> Timing:
    """Call ``fn`` up to ``repeats`` times (at least once), ``gc.collect()``
    before each call, stopping early once the calls used up ``budget`` seconds.
    Returns the median wall time (``time.perf_counter``)."""
    times: list[float] = []
    value = None
    for _ in range(max(1, repeats)):
        value = None  # free the previous result before the next call
        gc.collect()
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
        if sum(times) >= budget:
            break
    return Timing(statistics.median(times), len(times), times, value)


def fmt_time(seconds: float | None) -> str:
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return NONE
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1.0:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def fmt_runs(t: Timing) -> str:
    return f"{fmt_time(t.median)} ({t.runs})" if t.runs > 1 else f"{fmt_time(t.median)} (1)"


def fmt_ratio(peer: float | None, ours: float | None) -> str:
    if peer is None or ours is None or ours <= 0:
        return NONE
    r = peer / ours
    return f"{r:,.0f}×" if r >= 100 else f"{r:.3g}×"


def fmt_mb(n_bytes: float | None) -> str:
    if n_bytes is None:
        return NONE
    if n_bytes >= 2**30:
        return f"{n_bytes / 2**30:.2f} GB"
    mb = n_bytes / 2**20
    return f"{mb:.1f} MB" if mb < 10 else f"{mb:.0f} MB"


def mark(ok: bool | None) -> str:
    return NONE if ok is None else (OK if ok else FAIL)


# ------------------------------------------------------------------------- tables


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[object]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        out = render_table(self.headers, self.rows, title=self.title)
        return out + "".join(f"\n  {n}" for n in self.notes)

    def markdown(self) -> str:
        def cell(v: object) -> str:
            return str(v).replace("|", "\\|")

        lines = [f"### {self.title}", ""]
        lines.append("| " + " | ".join(cell(h) for h in self.headers) + " |")
        lines.append("|" + "|".join("---" for _ in self.headers) + "|")
        lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in self.rows]
        if self.notes:
            lines.append("")
            lines += [f"- {n}" for n in self.notes]
        return "\n".join(lines)

    def render(self, markdown: bool) -> str:
        return self.markdown() if markdown else self.text()


# ------------------------------------------------------------------- the networks


def network_document(n: int) -> dict:
    """The network document of size ``n``: the bundled demo network at 126,
    ``generate_network(n, seed=1)`` otherwise (a fresh dict each call)."""
    if n == DEMO_SIZE:
        from fixtures import load_demo_network

        return load_demo_network()
    from fixtures.generator import generate_network

    return generate_network(n, seed=SEED)


def network_text(n: int) -> bytes:
    """The JSON bytes ``peermatch match`` would read for size ``n``."""
    if n == DEMO_SIZE:
        from fixtures import demo_network_path

        return demo_network_path().read_bytes()
    import json

    # Exactly what `peermatch generate` writes.
    return (json.dumps(network_document(n), ensure_ascii=False) + "\n").encode("utf-8")


def auto_max_candidates(arrays: NetworkArrays) -> int | None:
    """The ``max_candidates`` that ``mentoring_round(..., max_candidates="auto")`` picks."""
    wants = (arrays.needs > 0).any(axis=1) & (arrays.mentee_capacity > 0)
    n_pairs = int(wants.sum()) * int((arrays.mentor_capacity > 0).sum())
    if n_pairs <= DENSE_PAIR_LIMIT:
        return None
    return AUTO_CANDIDATES if n_pairs <= CACHE_ELEMENTS else UNPRICED_CANDIDATES


@dataclass
class Graph:
    """A network's arrays and its auto candidate graph, as a round builds them."""

    n: int
    network: Network
    arrays: NetworkArrays
    locked: tuple[tuple[int, int], ...]
    max_candidates: int | None
    benefit: sp.csr_matrix


def locked_indices(network) -> tuple[tuple[int, int], ...]:
    index = network.index()
    return tuple((index[mentee], index[mentor]) for mentor, mentee in network.locked)


GRAPHS: dict[int, Graph] = {}
"""Candidate graphs built so far, by size: later sections reuse the scale section's."""


ROUNDS: dict[int, tuple[RoundResult, float]] = {}
"""Whole-match results and median times of section 1, by size (section 4 reuses them)."""


def candidate_graph(n: int) -> Graph:
    """Arrays and auto candidate graph of the size-``n`` network (cached)."""
    if n not in GRAPHS:
        network = validate_network(network_document(n))
        arrays = network_arrays(network, default_taxonomy())
        locked = locked_indices(network)
        k = auto_max_candidates(arrays)
        benefit = candidate_matrix(arrays, policy=ScoringPolicy(), max_candidates=k, include=locked)
        GRAPHS[n] = Graph(n, network, arrays, locked, k, sp.csr_matrix(benefit))
    return GRAPHS[n]


def whole_match(text: bytes) -> tuple[RoundResult, str]:
    """``peermatch match NETWORK.json --format json``, in-process: JSON bytes →
    parse_network → mentoring_round → round_document + dumps."""
    network = parse_network(text, source="network.json")
    taxonomy = default_taxonomy()
    policy = ScoringPolicy(
        south_south_bonus=ScoringPolicy.south_south_bonus,
        north_south_bonus=ScoringPolicy.north_south_bonus,
    )
    result = mentoring_round(network, taxonomy=taxonomy, policy=policy, objective="welfare")
    return result, dumps(round_document(result, network, seed=None))


def positive_edges(benefit) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mentee, mentor, benefit) of the stored pairs with benefit > 0: what a
    maximum-weight pairing without coverage can use (``pair_mentors`` with
    ``coverage_first=False`` drops negative pairs too)."""
    coo = sp.coo_matrix(benefit)
    keep = coo.data > 0
    return coo.row[keep].astype(np.int64), coo.col[keep].astype(np.int64), coo.data[keep]
