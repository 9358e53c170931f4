"""Quick start command 1 end to end: `peermatch serve --demo` on a fresh data
directory starts, prints a first admin key once, and answers with it."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

CLI = [sys.executable, "-c", "from service.cli import app; app()"]


def _get(url, key=None):
    request = urllib.request.Request(url, headers={"X-API-Key": key} if key else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read())


def test_serve_demo_from_scratch(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PEERMATCH_DATA_DIR": str(tmp_path)}
    env.pop("PEERMATCH_DATABASE_URL", None)
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*CLI, "serve", "--demo", "--port", str(port)], env=env, stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                if _get(f"http://127.0.0.1:{port}/health")[0] == 200:
                    break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        text = log.read_text()
        assert "demo network: 126 members loaded" in text
        key = re.search(r"PEERMATCH_API_KEY=(pm_[A-Za-z0-9_-]+)", text)[1]
        status, body = _get(f"http://127.0.0.1:{port}/v1/members?limit=1", key)
        assert status == 200 and body["total"] == 126
        assert (tmp_path / "peermatch.db").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    listed = subprocess.run(
        [*CLI, "keys", "list"], env=env, capture_output=True, text=True, check=True
    )
    assert listed.stdout.startswith("admin\tadmin\tactive") and key not in listed.stdout
