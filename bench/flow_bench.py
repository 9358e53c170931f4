"""``python -m bench.flow_bench [--members 10000] [--rounds 10] [--runs 3]``:
the knowledge-flow map (:func:`matcher.flow.flow_map` and its document) on a
seeded synthetic history: mentoring, exchange and circle rounds in turn,
about 4,000 pairs, 3,000 exchanges or 1,200 circles of six per round at
10,000 members. Prints each run and the median (issue 16: < 5 s)."""

from __future__ import annotations

import argparse
import random
import statistics
import time

from matcher import default_taxonomy
from matcher.flow import flow_map
from matcher.geo import REGIONS
from matcher.history import Flow, History, PastRound, Person, Relation
from service.documents.flow import flow_document


def synthetic_history(members: int, rounds: int, seed: int = 1) -> History:
    rng = random.Random(seed)
    themes = [t.key for t in default_taxonomy().themes]
    ids = [f"m{k:05d}" for k in range(members)]
    people = tuple(
        Person(m, rng.choice(REGIONS), rng.random() < 0.6, rng.choice(["en", "fr", "es", "ar"]),
               frozenset(rng.sample(themes, 3)))
        for m in ids
    )  # fmt: skip
    scale = members / 10_000
    past, relations = [], []
    for k in range(rounds):
        fmt = ("mentoring", "exchange", "circle")[k % 3]
        past.append(PastRound(k + 1, fmt, k))
        if fmt == "mentoring":
            for j in range(int(4000 * scale)):
                a, b = rng.sample(ids, 2)
                th = tuple(rng.sample(themes, 2))
                flows = tuple(Flow(a, b, t) for t in th)
                relations.append(
                    Relation(f"{k}-{j}", k + 1, fmt, (a,), (b,), (a, b), th, "en", flows)
                )
        elif fmt == "exchange":
            for j in range(int(3000 * scale)):
                a, b = rng.sample(ids, 2)
                th = tuple(rng.sample(themes, 2))
                flows = (Flow(a, b, th[0]), Flow(b, a, th[1]))
                relations.append(
                    Relation(f"{k}-{j}", k + 1, fmt, (a, b), (a, b), (a, b), th, "en", flows)
                )
        else:
            for j in range(int(1200 * scale)):
                circle, theme = rng.sample(ids, 6), rng.choice(themes)
                for m in circle:
                    givers = tuple(x for x in circle[:2] if x != m)
                    flows = tuple(Flow(g, m, theme) for g in givers)
                    relations.append(
                        Relation(
                            f"{k}-{j}:{m}", k + 1, fmt, givers, (m,), (m,), (theme,), "en", flows
                        )
                    )
    return History(people, tuple(past), tuple(relations), ())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.flow_bench")
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    history = synthetic_history(args.members, args.rounds)
    flows = sum(len(r.flows) for r in history.relations)
    print(
        f"{args.members} members, {args.rounds} rounds, "
        f"{len(history.relations)} relations, {flows} flows"
    )
    times = []
    for run in range(args.runs):
        start = time.perf_counter()
        flow_document(flow_map(history), lang="en", audience="admin")
        times.append(time.perf_counter() - start)
        print(f"run {run + 1}: {times[-1]:.2f} s")
    print(f"median: {statistics.median(times):.2f} s")


if __name__ == "__main__":
    main()
