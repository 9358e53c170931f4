"""plan_import: the import's own checks and diff, without writing; what it
plans is what import_network then does, and a planned document imported
plans nothing more."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from service.store.models import AuditRecord, Member
from service.usecases import imports, network
from service.usecases.access import Principal
from service.usecases.errors import Invalid
from tests.service_env import MEMBER

ADMIN = Principal(name="test-admin", role="admin", member_id=None)
CSV = (
    "id,name,kind,country,languages,mentor_capacity\n"
    "tz-net,Tanzania Network,national_coalition,TZ,sw;en,1\n"
    f"{MEMBER},Kenya Coalition,national_coalition,KE,en;sw,3\n"
).encode()


def test_the_stored_network_plans_no_change(svc):
    with Session(svc.app.state.engine) as session:
        document = network.network_document(session, contacts=False)
        plan = imports.plan_import(
            session, document=document, source="the document", max_members=20_000
        )
    assert {m.status for m in plan.members} == {"unchanged"}
    assert plan.relations == ()


def test_a_plan_writes_nothing_and_is_what_the_import_does(svc):
    upload = imports.read_upload(CSV, "csv")
    engine = svc.app.state.engine
    with Session(engine) as session:
        version = network.network_version(session)
        audited = len(session.exec(select(AuditRecord)).all())
        plan = imports.plan_import(session, max_members=100, **upload.arguments())
        session.commit()
    with Session(engine) as session:
        assert network.network_version(session) == version
        assert session.get(Member, "tz-net") is None
        assert len(session.exec(select(AuditRecord)).all()) == audited
    assert [(m.id, m.status) for m in plan.members] == [
        ("tz-net", "added"),
        (MEMBER, "changed"),
    ]
    changed = dict((f, (old, new)) for f, old, new in plan.members[1].changes)
    assert changed["name"][1] == "Kenya Coalition" and changed["mentor_capacity"][1] == 3
    # A partial CSV keeps what it does not say: no expertise column, no change to it.
    assert "expertise" not in changed
    with Session(engine) as session:
        result = imports.import_network(session, who=ADMIN, max_members=100, **upload.arguments())
        session.commit()
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    with Session(engine) as session:
        again = imports.plan_import(session, max_members=100, **upload.arguments())
    assert {m.status for m in again.members} == {"unchanged"}


def test_a_plan_raises_the_imports_problems(svc):
    bad = imports.read_upload(CSV.replace(b",TZ,", b",XX,"), "csv")
    with Session(svc.app.state.engine) as session, pytest.raises(Invalid) as raised:
        imports.plan_import(session, max_members=100, **bad.arguments())
    assert raised.value.errors[0]["field"] == "country"


def test_an_import_without_contacts_keeps_the_stored_ones(svc):
    engine = svc.app.state.engine
    with Session(engine) as session:
        row = session.get(Member, MEMBER)
        row.contact_name, row.contact_email = "Amina", "amina@example.org"
        session.add(row)
        session.commit()
    upload = imports.read_upload(CSV, "csv")
    with Session(engine) as session:
        plan = imports.plan_import(session, max_members=100, **upload.arguments())
    fields = {f for f, _old, _new in plan.members[1].changes}
    assert fields and not fields & {"contact_name", "contact_email"}
