"""Quick start command 1 end to end: `peermatch serve --demo` on a fresh data
directory starts, prints a first admin key once, and answers with it; it logs
each request and counts it in /metrics (several workers: test_workers.py)."""

import json
import os
import queue
import re
import socket
import subprocess
import sys
import threading
import urllib.request

import pytest

CLI = [sys.executable, "-c", "from service.cli import app; app()"]


def _get(url, key=None, request_id="r"):
    headers = {"X-Request-ID": request_id, **({"X-API-Key": key} if key else {})}
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read().decode()
        return response.status, json.loads(text) if text.startswith("{") else text


@pytest.mark.slow
def test_serve_demo_from_scratch(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PEERMATCH_DATA_DIR": str(tmp_path)}
    env.pop("PEERMATCH_DATABASE_URL", None)
    proc = subprocess.Popen(
        [*CLI, "serve", "--demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    seen: list[str] = []

    def read() -> None:
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    try:
        # uvicorn says when it listens: wait for that line, not for a poll.
        while not seen or "Uvicorn running on" not in seen[-1]:
            line = lines.get(timeout=90)
            assert line is not None, "".join(seen)
            seen.append(line)
        text = "".join(seen)
        assert "demo network: 126 members loaded" in text
        key = re.search(r"PEERMATCH_API_KEY=(pm_[A-Za-z0-9_-]+)", text)[1]
        console = re.search(r"console: +(http://\S+)", text)[1]
        assert console == f"http://127.0.0.1:{port}/console/"
        with urllib.request.urlopen(console) as page:  # redirected to the sign-in page
            assert page.url.endswith("/console/sign-in") and b"API key" in page.read()
        status, body = _get(f"http://127.0.0.1:{port}/v1/members?limit=1", key, "first")
        assert status == 200 and body["total"] == 126
        # One JSON line per request on stderr, by default; it is written after
        # the request is counted, so /metrics then shows it.
        while not seen[-1].startswith("{") or json.loads(seen[-1])["request_id"] != "first":
            line = lines.get(timeout=90)
            assert line is not None, "".join(seen)
            seen.append(line)
        logged = json.loads(seen[-1])
        assert logged["route"] == "/v1/members" and logged["key_name"] == "admin"
        status, text = _get(f"http://127.0.0.1:{port}/metrics", key)
        counted = 'peermatch_http_requests_total{method="GET",route="/v1/members",status="200"}'
        assert f"{counted} 1.0" in text.splitlines()
        assert "peermatch_workers 1.0" in text.splitlines()
        assert (tmp_path / "peermatch.db").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    listed = subprocess.run(
        [*CLI, "keys", "list"], env=env, capture_output=True, text=True, check=True
    )
    assert listed.stdout.startswith("admin\tadmin\tactive") and key not in listed.stdout
