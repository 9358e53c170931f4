"""Section "console": the server time of the console's member pages, in
process (the app under Starlette's TestClient, on SQLite in a temporary data
directory), on the demo network and on generated networks of 10,000 members.

Pages: the member list unfiltered, the list with a filter (a region and a
theme need, sorted by country: the filtering, sorting and paging happen in
the database), a search by name, a later page, and one profile. Each is
asked ``repeat`` times after a warm-up; the table gives the median and the
worst. Target: a median of at most 300 ms per page (issue 15).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench.common import Table, network_text

TARGET_MS = 300.0
PAGES = {
    "list": "/console/members",
    "list, filtered": "/console/members?region=africa&theme=digital_advocacy&side=needs"
    "&sort=country&dir=desc",
    "search": "/console/members?q=coalition&sort=updated",
    "list, page 40": "/console/members?page=40&sort=region",
    "profile": None,  # the first member of the list, found at run time
}


def _client(folder: Path, n: int):
    import json

    from fastapi.testclient import TestClient
    from sqlmodel import Session

    from service.api.app import create_app
    from service.config import Settings
    from service.usecases.keys import create_key

    app = create_app(
        Settings(database_url=f"sqlite:///{folder}/bench.db", data_dir=folder, write_rate=0)
    )
    with Session(app.state.engine) as session:
        key = create_key(session, name="bench-admin", role="admin", member_id=None)
        session.commit()
    client = TestClient(app, base_url="http://127.0.0.1")
    imported = client.post(
        "/v1/members/import",
        content=network_text(n),
        headers={"X-API-Key": key, "Content-Type": "application/json"},
    )
    assert imported.status_code == 200, imported.text
    assert json.loads(imported.content)["members"] == n
    page = client.get("/console/sign-in")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    signed = client.post(
        "/console/sign-in", data={"key": key, "csrf_token": token}, follow_redirects=False
    )
    assert signed.status_code == 303
    return client


def _first_member(client) -> str:
    page = client.get("/console/members").text
    return page.split("<td><code>")[1].split("</code>")[0]


def console_table(*, sizes=(126, 10_000), repeat: int = 15, log=print) -> Table:
    table = Table(
        f"Console member pages: server time in process, median of {repeat} (target ≤ "
        f"{TARGET_MS:.0f} ms)",
        ["members", "page", "median ms", "max ms", "≤ target"],
    )
    for n in sizes:
        log(f"console: {n} members")
        with tempfile.TemporaryDirectory(prefix="peermatch-console-bench-") as folder:
            client = _client(Path(folder), n)
            pages = {**PAGES, "profile": f"/console/members/{_first_member(client)}"}
            for name, path in pages.items():
                for _ in range(2):  # warm-up: templates, catalogues, the query plan
                    assert client.get(path).status_code == 200, path
                times = []
                for _ in range(repeat):
                    start = time.perf_counter()
                    answer = client.get(path)
                    times.append((time.perf_counter() - start) * 1000)
                    assert answer.status_code == 200, path
                median = statistics.median(times)
                table.rows.append(
                    [
                        f"{n:,}",
                        name,
                        f"{median:.1f}",
                        f"{max(times):.1f}",
                        "yes" if median <= TARGET_MS else "NO",
                    ]
                )
            client.close()
            client.app.state.engine.dispose()
            client.app.state.auth_engine.dispose()
    table.notes.append(
        "TestClient in the same process: the time includes routing, the session check, "
        "the queries and the rendering, not the network; SQLite in a temporary directory."
    )
    return table
