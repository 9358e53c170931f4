"""Section "writes": recommendations while one member keeps writing.

One uvicorn worker on SQLite with a generated network of 5,000 members. The
Hub's pattern (8 connections asking for the recommendations of 200 members,
again and again) runs twice in the same server: quiet, then while one member
key changes one of its need levels 1.5 times a second (below the default
write limit of 2 a second). Each write makes the next snapshot; the readers
should keep their pace, served from the last good snapshot while the next is
built in the background. Goal: with the writer, at least half the quiet
throughput.
"""

from __future__ import annotations

import json
import threading
import time

from bench.common import Table
from bench.http_bench import CONNECTIONS, Server, _closed_loop, _in_other_process, request

MEMBERS = 5_000
READERS = 200
WRITES_PER_SECOND = 1.5
GOAL = 0.5


def _writer(port: int, key: str, member: str, theme: str, stop: threading.Event, out: list):
    """PATCH ``member``'s need on ``theme`` between 1 and 2, 1.5 times a second."""
    headers = {"X-API-Key": key, "content-type": "application/json"}
    start, n = time.perf_counter(), 0
    while not stop.is_set():
        body = json.dumps({"needs": {theme: 1 + n % 2}}).encode()
        status, _ = request(port, "PATCH", f"/v1/members/{member}", headers, body)
        out.append(status)
        n += 1
        stop.wait(max(0.0, start + n / WRITES_PER_SECOND - time.perf_counter()))


def write_load_table(*, seconds: float = 10.0, log=print) -> Table:
    from fixtures.generator import generate_network

    table = Table(
        f"Recommendations while one member writes: {MEMBERS:,} members, one uvicorn "
        "worker, SQLite, the Hub's pattern on 8 connections",
        ["what", "throughput", "writes (status: count)", "ratio to quiet", "goal", "met"],
    )
    document = generate_network(MEMBERS, seed=1)
    with Server(demo=False) as server:
        admin = {"X-API-Key": server.admin, "content-type": "application/json"}
        log(f"writes: importing {MEMBERS:,} members")
        status, body = request(
            server.port, "POST", "/v1/members/import", admin, json.dumps(document).encode()
        )
        assert status == 200, body[:500]
        writer = next(m for m in document["members"] if m["needs"])
        theme = next(iter(writer["needs"]))
        member_key = server.key("--role", "member", "--member", writer["id"], "--name", "writer")
        readers = [m["id"] for m in document["members"][:READERS]]
        paths = [f"/v1/members/{m}/recommendations?k=5" for m in readers] * 50
        hub = {"X-API-Key": server.hub}
        for path in paths[:READERS]:  # the first snapshot, and every answer memoised once
            request(server.port, "GET", path, hub)
        log("writes: quiet")
        quiet, quiet_errors = _in_other_process(_closed_loop, server.port, hub, paths, seconds)
        log("writes: one member writing 1.5 times a second")
        stop, statuses = threading.Event(), []
        thread = threading.Thread(
            target=_writer, args=(server.port, member_key, writer["id"], theme, stop, statuses)
        )
        thread.start()
        busy, busy_errors = _in_other_process(_closed_loop, server.port, hub, paths, seconds)
        stop.set()
        thread.join()
    counts = ", ".join(f"{s}: {statuses.count(s)}" for s in sorted(set(statuses)))
    ratio = busy / quiet
    table.rows.append(["quiet", f"{quiet:,.0f} req/s", "", "", "", ""])
    table.rows.append(
        [
            f"one member writing {WRITES_PER_SECOND:g}/s",
            f"{busy:,.0f} req/s",
            counts,
            f"{ratio:.2f}",
            f"≥ {GOAL:.2f}",
            "yes" if ratio >= GOAL and not (quiet_errors or busy_errors) else "NO",
        ]
    )
    table.notes.append(
        f"reads that failed: {quiet_errors} quiet, {busy_errors} with the writer; "
        f"{CONNECTIONS} connections from another process on the same 2 cores"
    )
    return table
