"""Peak memory of one whole match, in a fresh process.

``python -m bench.memory NETWORK.json`` imports everything the match uses,
reads the JSON bytes, notes its resident set size (RSS), runs the whole match
(:func:`bench.common.whole_match`) once and prints one JSON line: the RSS
before, ``ru_maxrss`` after (the peak over the process's life), both in bytes,
and the match's wall time.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench.common import whole_match

ROOT = Path(__file__).resolve().parents[1]


def current_rss() -> int:
    """Resident set size now, in bytes (Linux ``/proc/self/statm``)."""
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def max_rss() -> int:
    """``ru_maxrss`` in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measure_in_subprocess(path: Path, timeout: float = 3600) -> dict:
    """Run this module on ``path`` in a fresh interpreter and return its report."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-m", "bench.memory", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"memory probe failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> None:
    text = Path(argv[0]).read_bytes()
    base_rss, base_peak = current_rss(), max_rss()
    start = time.perf_counter()
    result, out = whole_match(text)
    seconds = time.perf_counter() - start
    report = {
        "base_rss": base_rss,
        "peak_before": base_peak,
        "peak": max_rss(),
        "seconds": seconds,
        "pairs": len(result.pairs),
        "output_bytes": len(out.encode("utf-8")),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1:])
