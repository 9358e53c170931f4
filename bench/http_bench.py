"""Section "http": the service under load, one uvicorn worker on the demo
network, the load generator in another process.

Rows side by side: ``GET /health`` (the framework's floor), the
recommendations endpoint (most requests served from the per-version memo, as
the Hub asks again and again for the same members), the same endpoint with a
memo miss on every request (each asks a new ``k``/direction/member
combination), and the in-process ``matcher.recommend`` call it wraps. For
each: closed-loop throughput with 8 connections, then latency p50/p99 of an
open-loop load at 100 req/s (measured from each request's scheduled time, so a
stall is not hidden). Last, a whole mentoring round over HTTP
(``POST /v1/rounds``).
"""

from __future__ import annotations

import http.client
import json
import multiprocessing as mp
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.common import Table

THROUGHPUT_TARGET = 500.0
P99_TARGET_MS = 50.0
ROUND_TARGET_S = 1.0
CONNECTIONS = 8
RATE = 100.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """``peermatch serve`` (``--demo``, by default) in a subprocess on a fresh
    data directory."""

    def __init__(self, *, demo: bool = True) -> None:
        self.demo = demo
        self.dir = tempfile.TemporaryDirectory(prefix="peermatch-bench-")
        self.port = _free_port()
        self.env = {**os.environ, "PEERMATCH_DATA_DIR": self.dir.name}
        self.env.pop("PEERMATCH_DATABASE_URL", None)
        self.log = Path(self.dir.name) / "serve.log"

    def __enter__(self) -> Server:
        cli = [sys.executable, "-c", "from service.cli import app; app()"]
        with self.log.open("w") as log:
            self.proc = subprocess.Popen(
                [*cli, "serve", *(["--demo"] if self.demo else []), "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = request(self.port, "GET", "/health", {})
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"the service did not start:\n{self.log.read_text()}")
            time.sleep(0.1)
        self.admin = re.search(r"pm_[A-Za-z0-9_-]+", self.log.read_text())[0]
        hub = subprocess.run(
            [*cli, "keys", "create", "--role", "hub", "--name", "bench-hub"],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        self.hub = hub.stdout.strip().splitlines()[-1]
        return self

    def key(self, *args: str) -> str:
        """A new API key (``peermatch keys create ARGS``)."""
        cli = [sys.executable, "-c", "from service.cli import app; app()"]
        made = subprocess.run(
            [*cli, "keys", "create", *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return made.stdout.strip().splitlines()[-1]

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.dir.cleanup()


def request(port: int, method: str, path: str, headers: dict, body: bytes | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _paths(kind: str, members: list[str], n: int) -> list[str]:
    if kind == "health":
        return ["/health"] * n
    if kind == "memo":
        return [f"/v1/members/{members[i % len(members)]}/recommendations?k=5" for i in range(n)]
    directions = ("mentors", "mentees")
    return [
        f"/v1/members/{members[i % len(members)]}/recommendations"
        f"?k={1 + (i // len(members)) % 50}&direction={directions[(i // (50 * len(members))) % 2]}"
        for i in range(n)
    ]


def _closed_loop(port, headers, paths, seconds, out) -> None:
    """``CONNECTIONS`` keep-alive connections, each sending its next request
    as soon as the last answer arrived, for ``seconds``."""
    done, errors, lock = [0], [0], threading.Lock()
    stop = time.perf_counter() + seconds

    def worker(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        i = k
        while time.perf_counter() < stop:
            conn.request("GET", paths[i % len(paths)], headers=headers)
            response = conn.getresponse()
            response.read()
            with lock:
                done[0] += 1
                errors[0] += response.status != 200
            i += CONNECTIONS
        conn.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put((done[0] / (time.perf_counter() - start), errors[0]))


def _open_loop(port, headers, paths, seconds, out) -> None:
    """Requests scheduled every 1/RATE s; latency from the scheduled time."""
    n = int(seconds * RATE)
    latencies: list[float] = [0.0] * n
    errors = [0]
    start = time.perf_counter() + 0.05
    lock = threading.Lock()
    cursor = [0]

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                i = cursor[0]
                cursor[0] += 1
            if i >= n:
                break
            due = start + i / RATE
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            conn.request("GET", paths[i % len(paths)], headers=headers)
            response = conn.getresponse()
            response.read()
            latencies[i] = time.perf_counter() - due
            if response.status != 200:
                errors[0] += 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ordered = sorted(latencies)
    p50 = ordered[len(ordered) // 2]
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    out.put((p50, p99, errors[0]))


def _in_other_process(target, *args):
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, out))
    proc.start()
    result = out.get()
    proc.join()
    return result


def _in_process_rate(members: list[str], seconds: float) -> float:
    from fixtures import demo_network_path
    from matcher import ScoringPolicy, default_taxonomy, network_arrays, recommend
    from matcher.scoring import BlockScorer
    from service.contract import parse_network

    network = parse_network(demo_network_path().read_bytes())
    arrays = network_arrays(network, default_taxonomy())
    scorer = BlockScorer(arrays, policy=ScoringPolicy())  # reused, as the service does
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        recommend(arrays, members[n % len(members)], k=5, scorer=scorer)
        n += 1
    return n / (time.perf_counter() - start)


def http_table(*, seconds: float = 5.0, rounds: int = 5, log=print) -> Table:
    table = Table(
        "HTTP service: demo network (126 members), one uvicorn worker, SQLite",
        [
            "what",
            "throughput (8 conn.)",
            "target",
            "p50 at 100 req/s",
            "p99 at 100 req/s",
            "p99 target",
            "errors",
            "met",
        ],
    )
    with Server() as server:
        hub = {"X-API-Key": server.hub}
        _, body = request(server.port, "GET", "/v1/members?limit=1000", hub)
        members = [m["id"] for m in json.loads(body)["members"]]
        n = int(seconds * RATE) + CONNECTIONS * 10_000
        for kind, label, target in (
            ("health", "GET /health (framework floor)", None),
            ("memo", "GET recommendations (memoised)", THROUGHPUT_TARGET),
            ("miss", "GET recommendations (memo miss each time)", THROUGHPUT_TARGET),
        ):
            log(f"http: {label}")
            paths = _paths(kind, members, n)
            rate, errors = _in_other_process(_closed_loop, server.port, hub, paths, seconds)
            p50, p99, late_errors = _in_other_process(
                _open_loop, server.port, hub, paths[::-1], seconds
            )
            ok = (
                ""
                if target is None
                else ("yes" if rate >= target and p99 * 1e3 < P99_TARGET_MS else "NO")
            )
            table.rows.append(
                [
                    label,
                    f"{rate:,.0f} req/s",
                    f"≥ {target:.0f}" if target else "",
                    f"{p50 * 1e3:.1f} ms",
                    f"{p99 * 1e3:.1f} ms",
                    f"< {P99_TARGET_MS:.0f} ms" if target else "",
                    errors + late_errors,
                    ok,
                ]
            )
        log("http: in-process matcher.recommend")
        table.rows.append(
            [
                "matcher.recommend in process (no HTTP)",
                f"{_in_process_rate(members, seconds):,.0f} calls/s",
                "",
                "",
                "",
                "",
                0,
                "",
            ]
        )
        log("http: whole mentoring rounds")
        admin = {"X-API-Key": server.admin, "content-type": "application/json"}
        times = []
        for seed in range(rounds):
            start = time.perf_counter()
            status, body = request(
                server.port,
                "POST",
                "/v1/rounds",
                admin,
                json.dumps({"kind": "mentoring", "seed": seed}).encode(),
            )
            times.append(time.perf_counter() - start)
            assert status == 201, body[:500]
        median = statistics.median(times)
        table.rows.append(
            [
                f"POST /v1/rounds (whole mentoring round, median of {rounds})",
                "",
                "",
                f"{median * 1e3:.0f} ms",
                f"max {max(times) * 1e3:.0f} ms",
                f"< {ROUND_TARGET_S * 1e3:.0f} ms",
                0,
                "yes" if median < ROUND_TARGET_S else "NO",
            ]
        )
    table.notes.append(
        "load generator: Python http.client threads in a separate process on the same 2 cores "
        "(it competes with the server for CPU, so throughput is a lower bound)"
    )
    return table
