"""Section 1: the whole pipeline at growing network sizes, time and peak memory."""

from __future__ import annotations

import gc
import tempfile
from pathlib import Path

from bench.common import (
    DEMO_SIZE,
    GRAPHS,
    NONE,
    ROUNDS,
    Graph,
    Table,
    auto_max_candidates,
    fmt_mb,
    fmt_time,
    locked_indices,
    mark,
    measure,
    network_document,
    network_text,
    whole_match,
)
from bench.memory import measure_in_subprocess
from matcher import (
    ScoringPolicy,
    candidate_matrix,
    default_taxonomy,
    network_arrays,
    pair_mentors,
)
from service.contract import validate_network

SIZES = (DEMO_SIZE, 1_000, 10_000)
LARGE = 100_000
REPEATS = {DEMO_SIZE: 7, 1_000: 5, 10_000: 3, LARGE: 1}
QUICK_SIZES = (DEMO_SIZE, 1_000)
QUICK_REPEATS = {DEMO_SIZE: 3, 1_000: 1}

WHOLE_MATCH_TARGET = {DEMO_SIZE: 0.050, 10_000: 1.5, LARGE: 45.0}
"""Seconds the whole match must stay under, by size."""
MEMORY_TARGET = {LARGE: 4 * 2**30}
"""Bytes the whole match's peak RSS must stay under, by size."""

HEADERS = [
    "members",
    "candidates (k)",
    "matched / with needs",
    "optimal",
    "runs",
    "validate + arrays",
    "scoring + candidates",
    "pairing",
    "whole match",
    "target",
    "met",
    "peak RSS",
    "Δ RSS",
    "mem target",
    "mem met",
]


def scale_rows(
    n: int, repeats: int, *, memory: bool = True, keep_graph: bool = True
) -> tuple[list, str | None]:
    """One row of the scale table for a network of ``n`` members, and a note
    when the bench's candidate graph is not the one the round built."""
    network, arrays, locked, k, benefit, times = _parts(n, repeats)
    if keep_graph:
        GRAPHS.setdefault(n, Graph(n, network, arrays, locked, k, benefit))
    del network, arrays
    gc.collect()

    text = network_text(n)
    t_whole = measure(lambda: whole_match(text), repeats)
    result = t_whole.value[0]
    t_whole.value = None
    ROUNDS[n] = (result, t_whole.median)
    note = None
    if result.max_candidates != k or result.candidates != benefit.nnz:
        note = (
            f"n={n:,}: the round ended with {result.candidates:,} candidate pairs "
            f"(k={result.max_candidates}); candidate_matrix in the parts has {benefit.nnz:,} "
            f"(k={k}): the round adds pairs beyond it (pricing), so the parts do not sum "
            "to the whole."
        )
    del benefit

    peak = delta = None
    if memory:
        peak, delta = _peak_memory(n, text)
    target = WHOLE_MATCH_TARGET.get(n)
    mem_target = MEMORY_TARGET.get(n)
    row = [
        f"{n:,}",
        f"{result.candidates:,} ({'all' if k is None else k})",
        f"{result.mentees_matched:,} / {result.mentees_with_needs:,}",
        "yes" if result.optimal else "NO",
        repeats,
        *(fmt_time(t) for t in times),
        fmt_time(t_whole.median),
        f"< {fmt_time(target)}" if target else NONE,
        mark(None if target is None else t_whole.median < target),
        fmt_mb(peak),
        fmt_mb(delta),
        f"< {fmt_mb(mem_target)}" if mem_target else NONE,
        mark(None if mem_target is None or peak is None else peak < mem_target),
    ]
    return row, note


def _parts(n: int, repeats: int):
    """Time validation + arrays, candidates and pairing separately."""
    doc = network_document(n)
    taxonomy, policy = default_taxonomy(), ScoringPolicy()

    def validate_and_arrays():
        network = validate_network(doc)
        return network, network_arrays(network, taxonomy)

    t_arrays = measure(validate_and_arrays, repeats)
    network, arrays = t_arrays.value
    locked = locked_indices(network)
    k = auto_max_candidates(arrays)
    t_cand = measure(
        lambda: candidate_matrix(arrays, policy=policy, max_candidates=k, include=locked), repeats
    )
    benefit = t_cand.value
    t_pair = measure(
        lambda: pair_mentors(
            benefit, arrays.mentor_capacity, arrays.mentee_capacity, locked=locked
        ),
        repeats,
    )
    times = (t_arrays.median, t_cand.median, t_pair.median)
    return network, arrays, locked, k, benefit, times


def _peak_memory(n: int, text: bytes) -> tuple[int, int]:
    """(peak RSS, peak RSS − RSS after imports and reading the JSON) of a
    whole match in a fresh process."""
    with tempfile.TemporaryDirectory(prefix="peermatch-bench-") as tmp:
        path = Path(tmp) / f"network-{n}.json"
        path.write_bytes(text)
        report = measure_in_subprocess(path)
    return report["peak"], report["peak"] - report["base_rss"]


def scale_table(
    sizes=SIZES, repeats: dict[int, int] | None = None, *, memory: bool = True, log=None
) -> Table:
    """The scale table over ``sizes`` (``repeats[n]`` runs per measurement)."""
    repeats = {**REPEATS, **(repeats or {})}
    table = Table("1. Scale: the whole match and its parts (median wall time)", list(HEADERS))
    for n in sizes:
        if log:
            log(f"scale: {n:,} members")
        row, note = scale_rows(n, repeats.get(n, 1), memory=memory)
        table.rows.append(row)
        if note:
            table.notes.append(note)
    table.notes += [
        "126 = the bundled demo network; other sizes generate_network(n, seed=1).",
        "validate + arrays = validate_network(decoded dict) + network_arrays; "
        "scoring + candidates = candidate_matrix with the round's auto max_candidates "
        "(k, 'all' = every allowed pair); pairing = pair_mentors welfare, coverage first, "
        "locked pairs, on that matrix.",
        "whole match = JSON bytes -> parse_network -> mentoring_round -> round_document + dumps "
        "(what `peermatch match NETWORK.json --format json` does, without the write).",
        "peak RSS = ru_maxrss of a fresh process after one whole match; Δ RSS = peak minus "
        "the process's RSS after imports and after reading the JSON text.",
    ]
    return table
