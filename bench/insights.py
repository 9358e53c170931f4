"""Section "insights": what worked and how knowledge flowed (issue 16), from
a stored history to the documents every surface renders, with its parts.

Each size gets a fresh SQLite database holding the network and a synthetic
history of published rounds and their feedback: the bundled demo history at
126 members, ``fixtures.history.generate_history(…, rounds=10)`` at 10,000.
Timed, median of ``repeats``: reading the history (the network and the
history document from the tables, then the engine's History), the outcome
analysis, the flow map, the two documents; the analysis (the three together,
the issue's budget: < 5 s at 10,000 members × 10 rounds); and reading plus
analysis with nothing memoised, what the first request after a change costs.

Peers, in the same run: pandas computes each format's relations, answered
relations, answers, share met and mean usefulness from the history document
by a separate route (a groupby on flat tables), and SciPy's
``binomtest(...).proportion_ci(method="wilson")`` each format's interval;
both must agree with ours, else the run fails.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.common import (
    DEMO_SIZE,
    SEED,
    Table,
    fmt_ratio,
    fmt_runs,
    mark,
    measure,
    mismatch,
    network_document,
)

BUDGET_S = 5.0
SIZES = (DEMO_SIZE, 10_000)
ROUNDS = 10


def _database(n: int, folder: Path):
    """A fresh SQLite engine with the network of size ``n`` and its history;
    returns the engine and the history's round count."""
    from sqlmodel import Session

    from fixtures import load_demo_history
    from fixtures.history import generate_history
    from service.store.db import make_engine, prepare
    from service.usecases import cli_actor, import_network
    from service.usecases.history_import import write_history

    engine = make_engine(f"sqlite:///{folder / 'db'}")
    prepare(engine)
    document = network_document(n)
    if n == DEMO_SIZE:
        history = load_demo_history()
    else:
        history = generate_history(document, rounds=ROUNDS, seed=SEED)
    with Session(engine) as session:
        import_network(
            session, document=document, who=cli_actor(), source="bench", max_members=max(n, 10_000)
        )
        write_history(session, history, who=cli_actor())
        session.commit()
    return engine, len(history["rounds"])


def _read(engine):
    from sqlmodel import Session

    from service.usecases.history import history_document, to_history
    from service.usecases.network import network_document as stored
    from service.usecases.network import validated_network

    with Session(engine) as session:
        document = history_document(session)
        return document, to_history(validated_network(stored(session)), document)


def _analysis(history):
    from matcher.flow import flow_map
    from matcher.outcomes import outcome_analysis
    from service.documents.flow import flow_document
    from service.documents.outcomes import outcomes_document

    return (
        outcomes_document(outcome_analysis(history, seed=0), lang="en", audience="admin"),
        flow_document(flow_map(history), lang="en", audience="admin"),
    )


def _pandas_formats(document: dict) -> dict[str, tuple[int, int, int, int, float]]:
    """Per format, by a separate route: (relations, answered, answers, met,
    mean usefulness). A circle counts one relation per member; an answer on a
    circle counts when it names its member."""
    import pandas as pd

    fmt = {"mentoring": "mentoring", "exchanges": "exchange", "circles": "circle"}
    rows, kinds = [], {}
    for r in document["rounds"]:
        for rel in r["relations"]:
            kinds[rel["id"]] = rel["kind"]
            members = [m["member"] for m in rel["members"]] if rel["kind"] == "circle" else [None]
            rows += [(f"{rel['id']}:{m}" if m else str(rel["id"]), fmt[r["kind"]]) for m in members]
    relations = pd.DataFrame(rows, columns=["key", "format"])
    answers = pd.DataFrame(
        [
            (
                f"{f['relation']}:{f['member']}"
                if kinds.get(f["relation"]) == "circle"
                else str(f["relation"]),
                f["met"],
                f["usefulness"],
            )
            for f in document["feedback"]
            if f["relation"] in kinds and (kinds[f["relation"]] != "circle" or f["member"])
        ],
        columns=["key", "met", "usefulness"],
    ).merge(relations, on="key")
    per = answers.groupby("format").agg(
        answered=("key", "nunique"), answers=("key", "size"), met=("met", "sum"),
        usefulness=("usefulness", "mean"),
    )  # fmt: skip
    out = {}
    for name, count in relations.groupby("format").size().items():
        row = per.loc[name] if name in per.index else None
        out[name] = (
            int(count),
            int(row["answered"]) if row is not None else 0,
            int(row["answers"]) if row is not None else 0,
            int(row["met"]) if row is not None else 0,
            float(row["usefulness"]) if row is not None else float("nan"),
        )
    return out


def _agree(n: int, ours, peer: dict) -> bool:
    """Our per-format figures equal pandas' and SciPy's."""
    from scipy.stats import binomtest

    ok = True
    for f in ours.formats:
        g = f.overall
        want = peer.get(f.format, (0, 0, 0, 0, float("nan")))
        got = (g.relations, g.answered, g.answers, g.met)
        if got != want[:4] or (
            g.mean_usefulness is not None and abs(g.mean_usefulness - want[4]) > 1e-9
        ):
            mismatch(f"insights {n}: {f.format} ours {got, g.mean_usefulness} vs pandas {want}")
            ok = False
        if g.share_met_interval is not None:
            ci = binomtest(g.met, g.answers).proportion_ci(confidence_level=0.95, method="wilson")
            if (
                max(abs(ci.low - g.share_met_interval[0]), abs(ci.high - g.share_met_interval[1]))
                > 1e-9
            ):
                mismatch(f"insights {n}: {f.format} Wilson {g.share_met_interval} vs SciPy {ci}")
                ok = False
    return ok


def insights_table(
    sizes: tuple[int, ...] = SIZES, *, repeats: int = 5, log: Callable[[str], None] = print
) -> Table:
    table = Table(
        f"What worked and how knowledge flowed: a stored history to its documents "
        f"(median of runs; budget < {BUDGET_S:.0f} s for the analysis)",
        [
            "members",
            "rounds",
            "relations",
            "answers",
            "read history",
            "outcome analysis",
            "flow map",
            "documents",
            "analysis",
            "< 5 s",
            "read + analysis",
            "pandas per format",
            "ours/pandas",
            "agree",
        ],
    )
    for n in sizes:
        table.rows.append(_row(n, repeats=repeats, log=log))
    table.notes.append(
        "analysis: outcome analysis + flow map + their documents from the History; read + "
        "analysis: the same from the database with nothing memoised (what the first request "
        "after a change costs; the service then answers from its memo until the history "
        "or the network changes)"
    )
    table.notes.append(
        "pandas computes only each format's overall counts (no groupings, intervals, "
        "differences or flow map): the ratio says what the whole analysis costs beside "
        "the plainest tally; agree: pandas' counts and SciPy's Wilson intervals equal ours"
    )
    return table


def _row(n: int, *, repeats: int, log: Callable[[str], None]) -> list[object]:
    from matcher.flow import flow_map
    from matcher.outcomes import outcome_analysis
    from service.documents.flow import flow_document
    from service.documents.outcomes import outcomes_document

    log(f"insights: {n:,} members (setting up the history)")
    with tempfile.TemporaryDirectory() as folder:
        engine, rounds = _database(n, Path(folder))
        read = measure(lambda: _read(engine), repeats)
        document, history = read.value
        outcomes = measure(lambda: outcome_analysis(history, seed=0), repeats)
        flow = measure(lambda: flow_map(history), repeats)
        docs = measure(
            lambda: (
                outcomes_document(outcomes.value, lang="en", audience="admin"),
                flow_document(flow.value, lang="en", audience="admin"),
            ),
            repeats,
        )
        whole = measure(lambda: _analysis(history), repeats)
        log(f"insights: {n:,} members (the whole path)")
        cold = measure(lambda: _analysis(_read(engine)[1]), repeats)
        peer = measure(lambda: _pandas_formats(document), repeats)
        agree = _agree(n, outcomes.value, peer.value)
        engine.dispose()
    return [
        f"{n:,}",
        rounds,
        f"{len(history.relations):,}",
        f"{len(history.answers):,}",
        fmt_runs(read),
        fmt_runs(outcomes),
        fmt_runs(flow),
        fmt_runs(docs),
        fmt_runs(whole),
        mark(whole.median < BUDGET_S),
        fmt_runs(cold),
        fmt_runs(peer),
        fmt_ratio(outcomes.median, peer.median),
        mark(agree),
    ]
