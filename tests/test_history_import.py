"""A history document written into the database: archived rounds, approved
proposals and feedback in one transaction, read back by
``service.usecases.history.history_document`` as it was written."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, func, select

from fixtures import load_demo_history, load_demo_network
from fixtures.generator import generate_network
from fixtures.history import generate_history
from service.store.db import write_session
from service.store.models import AuditRecord, Feedback, Proposal, Round
from service.usecases.access import Principal
from service.usecases.errors import Invalid
from service.usecases.history import history_document, load_history
from service.usecases.history_import import import_history
from service.usecases.imports import import_network
from tests.service_env import BACKENDS, start_service

WHO = Principal(name="test-admin", role="admin")


@pytest.fixture(params=BACKENDS)
def empty(request, tmp_path):
    """A service on an empty database (no demo)."""
    service = start_service(request.param, tmp_path, demo=False)
    yield service
    service.client.close()
    service.app.state.engine.dispose()
    service.app.state.auth_engine.dispose()


def _with_network(engine, document) -> None:
    with write_session(engine) as session:
        import_network(session, document=document, who=WHO, source="test", max_members=10_000)


def _shifted(document: dict, by: int) -> dict:
    """``document`` with its relation ids as another database would number
    them: the import must renumber them to its own proposal ids."""
    for r in document["rounds"]:
        for rel in r["relations"]:
            rel["id"] += by
    for f in document["feedback"]:
        f["relation"] += by
    return document


def _utc(text: str) -> datetime:
    at = datetime.fromisoformat(text)
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _renumbered(document: dict, stored: dict) -> dict:
    """``document`` with its relation and round ids as ``stored`` has them
    (matched by position), times as UTC datetimes."""
    doc = copy.deepcopy(document)
    ids = {}
    for mine, theirs in zip(doc["rounds"], stored["rounds"], strict=True):
        mine["id"] = theirs["id"]
        mine["published_at"] = _utc(mine["published_at"])
        for rel, stored_rel in zip(mine["relations"], theirs["relations"], strict=True):
            ids[rel["id"]] = stored_rel["id"]
            rel["id"] = stored_rel["id"]
    for f in doc["feedback"]:
        f["relation"] = ids[f["relation"]]
        f["at"] = _utc(f["at"])
    return doc


def _as_read(stored: dict) -> dict:
    stored = copy.deepcopy(stored)
    for r in stored["rounds"]:
        r["published_at"] = _utc(r["published_at"])
    for f in stored["feedback"]:
        f["at"] = _utc(f["at"])
    return stored


def test_an_imported_history_reads_back_as_written(empty):
    network = generate_network(60, seed=4)
    document = _shifted(generate_history(network, rounds=4, seed=9), 500)
    engine = empty.app.state.engine
    _with_network(engine, network)
    counts = import_history(engine, document, who=WHO)
    relations = sum(len(r["relations"]) for r in document["rounds"])
    assert counts == {"rounds": 4, "relations": relations, "answers": len(document["feedback"])}
    with Session(engine) as session:
        stored = history_document(session)
        history = load_history(session)
        rounds = session.exec(select(Round).order_by(Round.id)).all()
        proposals = session.exec(select(Proposal)).all()
        audits = session.exec(select(AuditRecord).where(AuditRecord.action == "history.import"))
        assert len(audits.all()) == 1
    assert _as_read(stored) == _renumbered(document, stored)
    assert {r.status for r in rounds} == {"archived"}
    assert all(r.summary["synthetic"] and r.created_by == "synthetic history" for r in rounds)
    assert {p.status for p in proposals} == {"approved"}
    assert len(history.rounds) == 4 and len(history.answers) == len(document["feedback"])


def test_exchange_rows_have_the_shared_shape(empty):
    network = generate_network(60, seed=4)
    document = generate_history(network, rounds=2, seed=9)
    engine = empty.app.state.engine
    _with_network(engine, network)
    import_history(engine, document, who=WHO)
    first = document["rounds"][1]["relations"][0]
    with Session(engine) as session:
        row = session.exec(select(Proposal).where(Proposal.kind == "exchange")).first()
    assert (row.mentor, row.mentee, row.theme, row.language) == (first["a"], first["b"], None, None)
    assert row.members == [
        {"member": first["a"], "role": "partner", "teaches": first["a_teaches"]},
        {"member": first["b"], "role": "partner", "teaches": first["b_teaches"]},
    ]
    assert row.languages == first["languages"]


def _counts(engine) -> tuple[int, ...]:
    with Session(engine) as session:
        return tuple(
            session.exec(select(func.count()).select_from(table)).one()
            for table in (Round, Proposal, Feedback, AuditRecord)
        )


def test_a_bad_history_writes_nothing_and_says_every_problem(empty):
    engine = empty.app.state.engine
    _with_network(engine, load_demo_network())
    before = _counts(engine)
    document = load_demo_history()
    document["feedback"][-1]["member"] = "nobody"
    document["rounds"][-1]["relations"][0]["theme"] = "fundraisng"
    with pytest.raises(Invalid) as caught:
        import_history(engine, document, who=WHO)
    where = [(e["where"], e["field"]) for e in caught.value.errors]
    assert where == [
        ("rounds[5].relations[0]", "theme"),
        (f"feedback[{len(document['feedback']) - 1}]", "member"),
    ]
    assert _counts(engine) == before
    # The same answer twice (the database keeps one per author and side).
    document = load_demo_history()
    document["feedback"].append(dict(document["feedback"][0]))
    with pytest.raises(Invalid, match="nothing was imported"):
        import_history(engine, document, who=WHO)
    assert _counts(engine) == before


def test_the_demo_service_shows_the_archived_history_and_publishes_nothing(svc):
    admin, hub = svc.as_("admin"), svc.as_("hub")
    rounds = svc.client.get("/v1/rounds", headers=admin).json()["rounds"]
    assert sorted(r["kind"] for r in rounds) == sorted(["mentoring", "exchanges", "circles"] * 2)
    assert {r["status"] for r in rounds} == {"archived"}  # none is published
    shown = svc.client.get("/v1/published", headers=hub).json()
    assert shown["pairs"] == [] and shown["circles"] == []
    with Session(svc.app.state.engine) as session:
        stored = history_document(session)
    assert len(stored["feedback"]) == len(load_demo_history()["feedback"])
