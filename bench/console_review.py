"""Section "console-review": the console's review page of a mentoring round, its
server time in-process (the app called through Starlette's test client, no
network), on the demo network and on ``generate_network(10_000)``.

Each size: a fresh SQLite data directory, the members imported, one round
created (seed 1) and a console session; then ``REPEATS`` requests of the
review page unfiltered, filtered by region, and its last page. The goal is a
median ≤ 300 ms at 10,000 members (issue 15: the page stays usable)."""

from __future__ import annotations

import re
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import Table

GOAL_MS = 300.0
REPEATS = 15
SIZES = (126, 10_000)


def _service(folder: Path, members: int):
    from fastapi.testclient import TestClient
    from sqlmodel import Session

    from service.api.app import create_app
    from service.config import Settings
    from service.contract import RoundCreate
    from service.store.db import write_session
    from service.usecases import create_round, import_network
    from service.usecases.access import cli_actor
    from service.usecases.keys import create_key
    from service.usecases.setup import load_demo

    app = create_app(Settings(database_url=f"sqlite:///{folder / 'peermatch.db'}", data_dir=folder))
    engine = app.state.engine
    if members == 126:
        load_demo(engine)
    else:
        from fixtures.generator import generate_network

        document = generate_network(members, seed=1)
        with write_session(engine) as session:
            import_network(
                session,
                document=document,
                who=cli_actor(),
                source="bench",
                max_members=members,
            )
    with Session(engine) as session:
        key = create_key(session, name="bench-admin", role="admin", member_id=None)
        session.commit()
    round_id = create_round(engine, spec=RoundCreate(kind="mentoring", seed=1), who=cli_actor())
    client = TestClient(app, base_url="http://127.0.0.1")
    page = client.get("/console/sign-in").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    signed = client.post("/console/sign-in", data={"key": key, "csrf_token": token})
    assert signed.status_code == 200, signed.text[:300]
    return app, client, round_id


def _median_ms(client, path: str) -> tuple[float, int]:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert answer.status_code == 200, answer.text[:300]
    total = int(re.search(r"([\d,]+) proposals shown", answer.text)[1].replace(",", ""))
    return statistics.median(times), total


def console_table(*, sizes=SIZES, log=print) -> Table:
    table = Table(
        "Console: the review page of a mentoring round, in-process server time",
        ["members", "view", "proposals shown", "median ms", "goal", "met"],
    )
    for members in sizes:
        with tempfile.TemporaryDirectory(prefix="peermatch-bench-") as folder:
            log(f"console: {members:,} members, importing and creating a round")
            app, client, round_id = _service(Path(folder), members)
            base = f"/console/rounds/{round_id}"
            first = client.get(base).text
            region = re.search(r'id="f-region".*?<option value="([a-z_]+)"', first, re.S)[1]
            _, shown = _median_ms(client, base)
            last = max(1, -(-shown // 50))
            views = {
                "unfiltered": base,
                f"region={region}": f"{base}?region={region}",
                f"page {last}": f"{base}?page={last}",
            }
            for name, path in views.items():
                median, total = _median_ms(client, path)
                table.rows.append(
                    [
                        f"{members:,}",
                        name,
                        f"{total:,}",
                        f"{median:.0f}",
                        f"≤ {GOAL_MS:.0f}" if members >= 10_000 else "",
                        ("yes" if median <= GOAL_MS else "NO") if members >= 10_000 else "",
                    ]
                )
            client.close()
            app.state.engine.dispose()
            app.state.auth_engine.dispose()
    table.notes.append(
        f"median of {REPEATS} requests each, SQLite, 50 rows a page; 126 = the demo network, "
        "10,000 = generate_network(10_000, seed=1)"
    )
    return table


if __name__ == "__main__":
    print(console_table().text())
