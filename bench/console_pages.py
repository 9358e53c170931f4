"""Section "console-pages": the server time of the member's pages (profile,
recommendations, partners), the capacity map, the outcomes and audit page,
the overview, keys, import, rounds list, publish preview, members left out
and locks and exclusions pages (the members list and a round's review:
sections "console" and "console-review"),
on the demo network and at 10,000 members, in process (``TestClient``: the
whole app — session, use cases, templates — without the network).

Each network gets a published mentoring round with the member's pairs, a
draft round after it, and
the audit trail 10,000 extra records, so the audit pages in the database. A
page is asked once ("first": it builds what is memoised per network version
— the recommendations, the capacity map and its heatmap), then ``repeats``
times; the median is checked against the issue's 300 ms budget for a page at
10,000 members.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import (
    DEMO_SIZE,
    Table,
    fmt_runs,
    fmt_time,
    mark,
    measure,
    network_document,
)

BUDGET_S = 0.300
SIZES = (DEMO_SIZE, 10_000)
AUDIT_RECORDS = 10_000


def _service(n: int, folder: Path):
    """The app on a fresh SQLite database with ``n`` members, a published
    round, audit records; a signed-in admin client and member client, and
    the member's id."""
    from fastapi.testclient import TestClient
    from sqlmodel import Session

    from service.api.app import create_app
    from service.config import Settings
    from service.store.db import write_session
    from service.store.models import AuditRecord
    from service.usecases import cli_actor, import_network
    from service.usecases.keys import create_key
    from tests.console_env import sign_in

    app = create_app(Settings(database_url=f"sqlite:///{folder / 'db'}", data_dir=folder))
    engine = app.state.engine
    with write_session(engine) as session:
        import_network(
            session,
            document=network_document(n),
            who=cli_actor(),
            source="bench",
            max_members=max(n, 10_000),
        )
    admin_key = _key(engine, create_key, "bench-admin", "admin", None)
    admin = TestClient(app, base_url="http://127.0.0.1")
    headers = {"X-API-Key": admin_key}
    draft = admin.post("/v1/rounds", json={"kind": "mentoring", "seed": 1}, headers=headers).json()
    first = draft["proposals"][0]
    member = first["members"][0]["member"]
    for p in draft["proposals"]:
        if member in {m["member"] for m in p["members"]}:
            url = f"/v1/rounds/{draft['id']}/proposals/{p['id']}/decision"
            admin.post(url, json={"decision": "approve"}, headers=headers)
    publish = f"/v1/rounds/{draft['id']}/publish"
    admin.post(publish, json={"undecided": "withdraw"}, headers=headers).raise_for_status()
    # Round 2: a draft for the publish preview and the members left out.
    admin.post("/v1/rounds", json={"kind": "mentoring", "seed": 2}, headers=headers)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with Session(engine) as session:
        session.add_all(
            AuditRecord(
                at=start + timedelta(minutes=k),
                actor=f"officer-{k % 7}",
                role="admin",
                action=("member.update", "proposal.decide", "round.create")[k % 3],
                object_type="member",
                object_id=str(k),
                detail={},
            )
            for k in range(AUDIT_RECORDS)
        )
        session.commit()
    member_key = _key(engine, create_key, "bench-member", "member", member)
    sign_in(admin, admin_key)
    signed_member = TestClient(app, base_url="http://127.0.0.1")
    sign_in(signed_member, member_key)
    return app, admin, signed_member, member


def _key(engine, create_key, name, role, member):
    from sqlmodel import Session

    with Session(engine) as session:
        key = create_key(session, name=name, role=role, member_id=member)
        session.commit()
    return key


def _pages(member: str) -> list[tuple[str, str]]:
    return [
        ("member", f"/console/profile/{member}"),
        ("member", f"/console/recommendations/{member}"),
        ("member", f"/console/recommendations/{member}?direction=exchanges"),
        ("member", f"/console/partners/{member}"),
        ("admin", "/console/capacity-map"),
        ("admin", "/console/capacity-map?by=kind"),
        ("admin", "/console/outcomes"),
        ("admin", "/console/outcomes?action=member.update&actor=officer-3&page=3"),
        ("admin", "/console/outcomes?from=2026-01-02&to=2026-01-03&sort=actor"),
        ("admin", "/console/overview"),
        ("admin", "/console/keys"),
        ("admin", "/console/import"),
        ("admin", "/console/rounds"),
        ("admin", "/console/rounds/1/published"),
        ("admin", "/console/rounds/2/publish"),
        ("admin", "/console/rounds/2/publish?undecided=withdraw"),
        ("admin", "/console/rounds/2/left-out"),
        ("admin", "/console/constraints"),
    ]


def console_pages_table(
    sizes: tuple[int, ...] = SIZES, *, repeats: int = 7, log: Callable[[str], None] = print
) -> Table:
    """Median server time of each page at each network size."""
    times: dict[str, list[str]] = {}
    within: dict[str, bool] = {}
    for n in sizes:
        log(f"console-pages: {n:,} members (setting up)")
        with tempfile.TemporaryDirectory(prefix="peermatch-pages-") as folder:
            app, admin, member_client, member = _service(n, Path(folder))
            clients = {"admin": admin, "member": member_client}
            for role, path in _pages(member):
                client = clients[role]
                label = path.replace(member, "{id}")

                def ask(client=client, path=path):
                    answer = client.get(path)
                    assert answer.status_code == 200, (path, answer.status_code)

                first = measure(ask, 1)  # warms the snapshot and the memos
                timing = measure(ask, repeats)
                times.setdefault(label, []).extend([fmt_time(first.median), fmt_runs(timing)])
                if n == sizes[-1]:
                    within[label] = timing.median <= BUDGET_S
            admin.close()
            member_client.close()
            app.state.engine.dispose()
            app.state.auth_engine.dispose()
    headers = [
        "page",
        *(f"{n:,}: {which}" for n in sizes for which in ("first", "median")),
        f"≤ {BUDGET_S * 1e3:.0f} ms",
    ]
    rows = [[label, *cells, mark(within.get(label))] for label, cells in times.items()]
    return Table(
        "Console pages: median server time in process (runs)",
        headers,
        rows,
        notes=[
            "TestClient, SQLite, one signed-in session per role; the network snapshot is built "
            f"before the first request; {AUDIT_RECORDS:,} extra audit records",
            "first: the first request of the page on this network version (the capacity map "
            "computes the map, brokers' betweenness included, and draws the heatmap once per "
            "version, breakdown and language)",
        ],
    )
