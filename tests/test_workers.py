"""`peermatch serve --workers 2` end to end: a write through either worker is
read back through the other (the network version in the database invalidates
each worker's cached snapshot), /metrics sums both workers, a worker that dies
is replaced and no longer counted live, and each request logs one JSON line
that names its worker."""

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.service_env import BACKENDS, database_url

CLI = [sys.executable, "-c", "from service.cli import app; app()"]
STARTED = "Application startup complete."


class Served:
    """The service's output, read as it comes: uvicorn's lines, and the
    request log's JSON lines indexed by request id."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc, self.text, self.started, self.requests = proc, [], 0, {}
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _next(self) -> None:
        line = self._lines.get(timeout=120)
        assert line is not None, "the service stopped:\n" + "".join(self.text)
        self.text.append(line)
        if line.startswith("{"):
            entry = json.loads(line)
            self.requests[entry["request_id"]] = entry
        elif STARTED in line:
            self.started += 1

    def wait_started(self, workers: int) -> None:
        """Until ``workers`` worker processes have said they serve (uvicorn's
        own line), not a poll."""
        while self.started < workers:
            self._next()

    def logged(self, ids) -> list[dict]:
        """The log lines of requests ``ids``, once each has been written (a
        worker logs a request after recording its metrics)."""
        while not all(i in self.requests for i in ids):
            self._next()
        return [self.requests[i] for i in ids]


class Client:
    def __init__(self, port: int, key: str) -> None:
        self.base, self.key, self.n = f"http://127.0.0.1:{port}", key, 0
        self._lock = threading.Lock()

    def __call__(self, method: str, path: str, body=None, *, tag: str = "r"):
        """One request on a fresh connection (so it lands on either worker);
        returns (request id, status, body)."""
        with self._lock:
            self.n += 1
            rid = f"{tag}-{self.n}"
        request = urllib.request.Request(
            self.base + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "X-API-Key": self.key,
                "X-Request-ID": rid,
                "Content-Type": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, headers, data = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, headers, data = error.code, error.headers, error.read()
        assert headers["X-Request-ID"] == rid
        text = data.decode()
        return rid, status, json.loads(text) if text.startswith(("{", "[")) else text


def _metrics(call) -> dict:
    _, status, text = call("GET", "/metrics", tag="metrics")
    assert status == 200, text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_two_workers_agree(backend, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (tmp_path / "tmp").mkdir()
    env = {
        **os.environ,
        "PEERMATCH_DATA_DIR": str(tmp_path),
        "PEERMATCH_DATABASE_URL": database_url(backend, tmp_path),
        "TMPDIR": str(tmp_path / "tmp"),  # where serve makes its metrics directory
        "PEERMATCH_WRITE_RATE": "0",  # one admin key renames every member at once
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    proc = subprocess.Popen(
        [*CLI, "serve", "--demo", "--workers", "2", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    served = Served(proc)
    try:
        served.wait_started(2)
        key = re.search(r"PEERMATCH_API_KEY=(pm_[A-Za-z0-9_-]+)", "".join(served.text))[1]
        call = Client(port, key)
        _, status, listing = call("GET", "/v1/members?limit=1000")
        names = {m["id"]: m["name"] for m in listing["members"]}
        ids = sorted(names)
        assert status == 200 and len(ids) == 126

        with ThreadPoolExecutor(8) as pool:
            # Both workers hold a snapshot of the network before the writes.
            warm_reads = list(pool.map(lambda m: call("GET", _recs(m), tag="warm"), ids))
            warm = [r[0] for r in warm_reads]
            assert len({e["pid"] for e in served.logged(warm)}) == 2, "reads on one worker"

            # Every member renamed at once, through many connections.
            renamed = {m: f"{names[m]} (renamed)" for m in ids}
            writes = list(
                pool.map(
                    lambda m: call("PATCH", f"/v1/members/{m}", {"name": renamed[m]}, tag="write"),
                    ids,
                )
            )
            assert [w[1] for w in writes] == [200] * len(ids), writes
            logged = served.logged([w[0] for w in writes])
            wrote_on = {m: entry["pid"] for m, entry in zip(ids, logged, strict=True)}
            assert len(set(wrote_on.values())) == 2, "the writes landed on one worker"

            # Read back through fresh connections, whichever worker answers:
            # every profile carries its new name at once; recommendations come
            # from a worker's last snapshot, and every answer computed on the
            # network after the writes shows the new names. Until each worker
            # has shown a profile written through the other and served such
            # an answer (bounded rounds; each read starts the rebuild it needs).
            final = max(r[2]["network_version"] for r in warm_reads) + len(ids)
            across, fresh_on = set(), set()
            for _ in range(20):
                reads = list(pool.map(lambda m: call("GET", _recs(m), tag="read"), ids))
                reads += pool.map(lambda m: call("GET", f"/v1/members/{m}", tag="read"), ids)
                logged = served.logged([r[0] for r in reads])
                for (_, status, body), entry in zip(reads, logged, strict=True):
                    assert status == 200, body
                    if "id" in body:
                        assert body["name"] == renamed[body["id"]], body
                        across.add((wrote_on[body["id"]], entry["pid"]))
                    elif body["network_version"] >= final:
                        shown = [(r["member"], r["name"]) for r in body["recommendations"]]
                        assert all(renamed[m] == name for m, name in shown), shown
                        fresh_on.add(entry["pid"])
                if len({(a, b) for a, b in across if a != b}) == 2 and len(fresh_on) == 2:
                    break
            assert len({(a, b) for a, b in across if a != b}) == 2, across
            assert len(fresh_on) == 2, "a worker never served the network after the writes"

        # One scrape, through either worker, sums both.
        sums = _metrics(call)
        patches = (
            "peermatch_http_requests_total",
            (("method", "PATCH"), ("route", "/v1/members/{member_id}"), ("status", "200")),
        )
        assert sums[patches] == len(ids)
        assert sums[("peermatch_workers", ())] == 2
        assert sums[("peermatch_snapshot_rebuild_duration_seconds_count", ())] >= 4

        # A worker that dies is replaced; the dead one no longer counts as
        # live, and what it served stays in the sums.
        os.kill(next(iter(wrote_on.values())), signal.SIGKILL)
        served.wait_started(3)
        sums = _metrics(call)
        assert sums[("peermatch_workers", ())] == 2
        assert sums[patches] == len(ids)

        entry = served.requests[writes[0][0]]
        assert entry["method"] == "PATCH" and entry["route"] == "/v1/members/{member_id}"
        assert entry["status"] == 200 and entry["key_name"] == "admin"
        assert {"time", "duration_ms", "pid"} <= set(entry)
        assert "".join(served.text).count(key) == 1, "the key is printed once, never logged"
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    assert list((tmp_path / "tmp").iterdir()) == [], "the metrics directory is removed"


def _recs(member: str) -> str:
    return f"/v1/members/{member}/recommendations?k=10"
