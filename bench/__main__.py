"""``python -m bench [--large] [--quick] [--markdown]``: peermatch's benchmark.

Prints, with peers side by side in the same run: (1) the whole match and its
parts at 126 / 1,000 / 10,000 (/ 100,000 with ``--large``) members, time and
peak memory; (2) ``pair_mentors`` vs networkx and SciPy; (3) stable mode vs
the ``matching`` library; (4) the optimality gap of the truncated candidate
graph; (5) OR-Library assignment instances; circles and exchanges against
their peers; the HTTP service under load (``http``), and recommendations while one member
writes (``writes``); the console's pages' server time: members
(``console``); a member's pages, capacity map and outcomes (``console-pages``);
a round's review page (``console-review``); what worked and how knowledge
flowed, from a stored history of 10 rounds to its documents (``insights``).
Exits 1 if any peer disagrees with us on an optimum or a pairing.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import shlex
import subprocess
import sys
import time
from pathlib import Path

SECTIONS = (
    "scale",
    "pairing",
    "stable",
    "gap",
    "orlib",
    "circles",
    "exchanges",
    "http",
    "writes",
    "console",
    "console-pages",
    "console-review",
    "insights",
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__.split("\n\n")[1].replace("\n", " ")
    )
    parser.add_argument("--large", action="store_true", help="also run 100,000 members")
    parser.add_argument("--quick", action="store_true", help="smoke run: fewer sizes and repeats")
    parser.add_argument("--markdown", action="store_true", help="print markdown tables")
    parser.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help=f"comma-separated subset of {','.join(SECTIONS)} (default: all)",
    )
    parser.add_argument(
        "--orlib", type=Path, default=None, help="OR-Library folder (default ../shared/orlib)"
    )
    args = parser.parse_args(argv)
    wanted = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = sorted(set(wanted) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    args.sections = [s for s in SECTIONS if s in wanted]
    return args


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _commit() -> str:
    root = Path(__file__).resolve().parents[1]
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _load() -> str:
    """Load average: other processes on the machine make timings noisier."""
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "load average unknown"
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def header(argv: list[str]) -> list[str]:
    versions = ", ".join(
        f"{name} {_version(name)}"
        for name in ("numpy", "scipy", "ortools", "networkx", "matching", "scikit-learn")
    )
    return [
        f"command: {shlex.join(['python', '-m', 'bench', *argv])}",
        f"machine: {platform.platform()} · {_cpu_model()} · os.cpu_count() = {os.cpu_count()}",
        f"python {platform.python_version()} · {versions}",
        f"commit: {_commit()} (matcher/ and service/ as in the working tree at run time)",
        f"started: {time.strftime('%Y-%m-%d %H:%M:%S %Z')} · {_load()}",
    ]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    from bench import common

    start = time.perf_counter()
    lines = header(argv)
    if args.markdown:
        print("\n".join(f"- {line}" for line in lines), end="\n\n", flush=True)
    else:
        print("\n".join(lines), end="\n\n", flush=True)

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - start:7.1f} s] {message}", file=sys.stderr, flush=True)

    def show(table) -> None:
        print(table.render(args.markdown), end="\n\n", flush=True)

    quick, large = args.quick, args.large
    if "scale" in args.sections:
        from bench import scale

        sizes = list(scale.QUICK_SIZES if quick else scale.SIZES)
        repeats = dict(scale.QUICK_REPEATS if quick else scale.REPEATS)
        if large:
            sizes.append(scale.LARGE)
        show(scale.scale_table(sizes, repeats, log=log))
    if "pairing" in args.sections:
        from bench import peers

        sizes = [100, 200, 1_000] if quick else list(peers.PAIRING_SIZES)
        if large:
            sizes.append(100_000)
        show(
            peers.pairing_table(
                sizes, repeats=3 if quick else 5, peer_repeats=1 if quick else 3, log=log
            )
        )
    if "stable" in args.sections:
        from bench import peers

        sizes = [300] if quick else list(peers.STABLE_SIZES)
        show(
            peers.stable_table(
                sizes, repeats=3 if quick else 5, peer_repeats=1 if quick else 3, log=log
            )
        )
    if "gap" in args.sections:
        from bench import gap

        show(gap.gap_table([3_000] if quick else list(gap.GAP_SIZES), log=log))
    if "orlib" in args.sections:
        from bench import orlib_table

        directory = args.orlib or orlib_table.ORLIB_DIR
        show(orlib_table.orlib_table(directory, repeats=1 if quick else 3, log=log))

    if "circles" in args.sections:
        from bench import circles_bench

        log("circles: ours vs random vs Louvain")
        sizes = (circles_bench.DEMO_SIZE,) if quick else (circles_bench.DEMO_SIZE, 1_000, 10_000)
        print(circles_bench.table(circles_bench.run(sizes)), end="\n\n", flush=True)

    if "exchanges" in args.sections:
        from bench import exchanges_bench

        log("exchanges: ours vs networkx vs greedy")
        sizes = (126,) if quick else (126, 1_000, 10_000)
        print(exchanges_bench.table(exchanges_bench.run(sizes)), end="\n\n", flush=True)

    if "http" in args.sections:
        from bench import http_bench

        show(
            http_bench.http_table(seconds=2.0 if quick else 5.0, rounds=3 if quick else 5, log=log)
        )
    if "writes" in args.sections:
        from bench import write_load

        show(write_load.write_load_table(seconds=4.0 if quick else 10.0, log=log))
    if "console" in args.sections:
        from bench import console_bench

        show(console_bench.console_table(repeat=5 if quick else 15, log=log))
    if "console-pages" in args.sections:
        from bench import console_pages

        show(
            console_pages.console_pages_table(
                console_pages.SIZES, repeats=3 if quick else 7, log=log
            )
        )
    if "console-review" in args.sections:
        from bench import console_review

        show(console_review.console_table(sizes=(126,) if quick else (126, 10_000), log=log))
    if "insights" in args.sections:
        from bench import insights

        show(
            insights.insights_table(
                (insights.DEMO_SIZE,) if quick else insights.SIZES,
                repeats=3 if quick else 5,
                log=log,
            )
        )
    print(
        f"total wall time: {time.perf_counter() - start:.0f} s · at the end {_load()}", flush=True
    )
    if common.MISMATCHES:
        print("PEERS DISAGREE WITH US:", file=sys.stderr)
        for message in common.MISMATCHES:
            print(f"  - {message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
