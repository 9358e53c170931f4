"""Learning circles benchmark: ours (``form_circles``) against a random
feasible grouping and Louvain communities cut into circles, all scored with the
same objective on the same themes (the default ones, from the capacity map).

Networks: the bundled demo at 126 members, ``generate_network(n, seed=seed)``
otherwise. Times are the median of 3 runs (1 at 10,000 members and above) of
the function alone, on arrays already built, wall clock and CPU time of the
process; choosing the default themes (the capacity map) is not timed.

``python -m bench.circles_bench [--sizes 126,1000,10000] [--seed 1]`` prints the table.
"""

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial

from matcher import default_taxonomy, network_arrays
from matcher.circles import CirclesResult, circle_violations, default_themes, form_circles
from matcher.circles.baselines import louvain_circles, random_circles
from service.contract import validate_network
from service.documents.tables import render_table

DEMO_SIZE = 126
LARGE = 10_000
METHODS: dict[str, Callable[..., CirclesResult]] = {
    "ours": form_circles,
    "random": random_circles,
    "louvain": louvain_circles,
}
HEADERS = [
    "members",
    "method",
    "circles",
    "need covered",
    "% of bound",
    "hard constraints",
    "≥2 regions",
    "nobody alone",
    "repeat pairs",
    "time",
    "CPU time",
]


def network_arrays_of(n: int, seed: int):
    """Arrays of the demo network (n = 126) or of a generated one."""
    if n == DEMO_SIZE:
        from fixtures import load_demo_network

        doc = load_demo_network()
    else:
        from fixtures.generator import generate_network

        doc = generate_network(n, seed=seed)
    return network_arrays(validate_network(doc), default_taxonomy())


def compliance(arrays, result: CirclesResult) -> float:
    """Share of circles that break no hard constraint (a member over
    ``max_per_member`` counts against every circle it is in)."""
    if not result.circles:
        return 1.0
    options = {"size": result.size, "max_per_member": result.max_per_member}
    bad = {k for k, c in enumerate(result.circles) if circle_violations(arrays, [c], **options)}
    over = {
        line.split(" is in ")[0]
        for line in circle_violations(arrays, result.circles, **options)
        if " is in " in line
    }
    bad |= {k for k, c in enumerate(result.circles) if over & set(c.ids)}
    return 1 - len(bad) / len(result.circles)


def soft_stats(result: CirclesResult) -> tuple[float, float, int]:
    """(share of circles with two or more region groups, share with nobody
    alone in its region or on its side, history pairs inside circles)."""
    circles = result.circles or ()
    kinds = [{r.kind: r.contribution for r in c.reasons} for c in circles]
    regions = sum("regions" in k for k in kinds)
    alone = sum("lonely_region" in k or "lonely_side" in k for k in kinds)
    repeats = round(sum(-k.get("repeat_pair", 0.0) / 0.05 for k in kinds))
    n = max(1, len(circles))
    return regions / n, 1 - alone / n, repeats


def timed(fn: Callable[[], CirclesResult], repeats: int) -> tuple[float, float, CirclesResult]:
    """Median wall time, median CPU time of this process (what the run costs
    when other work shares the machine) and the last result."""
    wall, cpu, result = [], [], None
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    assert result is not None
    return statistics.median(wall), statistics.median(cpu), result


def run(sizes=(DEMO_SIZE, 1000, LARGE), seed: int = 1) -> list[dict]:
    """One row per (network size, method), as a dict of plain values."""
    rows = []
    for n in sizes:
        arrays = network_arrays_of(n, seed)
        themes = default_themes(arrays)
        repeats = 1 if n >= LARGE else 3
        for name, method in METHODS.items():
            call = partial(method, arrays, themes=themes, seed=seed)
            seconds, cpu, result = timed(call, repeats)
            regions, nobody_alone, repeat_pairs = soft_stats(result)
            rows.append(
                {
                    "members": n,
                    "method": name,
                    "themes": len(result.themes),
                    "circles": len(result.circles),
                    "need_covered": result.need_covered,
                    "bound": result.bound,
                    "of_bound": result.need_covered / result.bound if result.bound else 1.0,
                    "compliance": compliance(arrays, result),
                    "two_regions": regions,
                    "nobody_alone": nobody_alone,
                    "repeat_pairs": repeat_pairs,
                    "seconds": seconds,
                    "cpu_seconds": cpu,
                    "runs": repeats,
                }
            )
    return rows


def table(rows: list[dict]) -> str:
    """The rows as a text table, then the bound per network."""
    cells = [
        [
            f"{r['members']:,}",
            r["method"],
            r["circles"],
            f"{r['need_covered']:,.2f}",
            f"{r['of_bound'] * 100:.1f} %",
            f"{r['compliance'] * 100:.0f} %",
            f"{r['two_regions'] * 100:.0f} %",
            f"{r['nobody_alone'] * 100:.0f} %",
            r["repeat_pairs"],
            f"{r['seconds']:.3f} s ({r['runs']})",
            f"{r['cpu_seconds']:.3f} s",
        ]
        for r in rows
    ]
    bounds = sorted({(r["members"], r["bound"], r["themes"]) for r in rows})
    notes = [
        f"  {n:,} members: bound {bound:,.2f} need levels on {k} themes" for n, bound, k in bounds
    ]
    title = "Learning circles: ours vs random vs Louvain (same objective, same themes)"
    return render_table(HEADERS, cells, title=title) + "\n" + "\n".join(notes)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.circles_bench", description=__doc__)
    parser.add_argument("--sizes", default=f"{DEMO_SIZE},1000,{LARGE}")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    sizes = tuple(int(s) for s in args.sizes.split(","))
    print(table(run(sizes, seed=args.seed)))


if __name__ == "__main__":
    main()
