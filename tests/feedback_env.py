"""Relations of every published format for the feedback tests: a mentoring
pair and a learning circle published over HTTP, and a reciprocal exchange
written as its round would store it (kind ``exchange``, two partners)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from service.store.models import Proposal, Round, utcnow
from tests.api import publish_round
from tests.service_env import MEMBER

OTHER = "sn-coalition"


@dataclass
class Relations:
    pair: dict[str, Any]
    """A published pair of the member key's member."""
    circle: dict[str, Any]
    """A published circle of the member key's member."""
    exchange: int
    """A published exchange between MEMBER and OTHER (its proposal id)."""
    not_mine: dict[str, Any]
    """A published pair without the member key's member."""
    draft: int
    """A proposal of a draft round."""

    def round_of(self, proposal_id: int, svc) -> int:
        with Session(svc.app.state.engine) as session:
            return session.get(Proposal, proposal_id).round_id


def _mine(chosen):
    return next(p for p in chosen if MEMBER in {m["member"] for m in p["members"]})


def published_exchange(engine, a: str = MEMBER, b: str = OTHER) -> int:
    with Session(engine) as session:
        row = Round(
            kind="exchanges",
            status="published",
            options={},
            taxonomy_version="2026.1",
            input_sha256="0" * 64,
            summary={},
            created_by="test",
            published_at=utcnow(),
        )
        session.add(row)
        session.flush()
        proposal = Proposal(
            round_id=row.id,
            kind="exchange",
            status="approved",
            mentor=a,
            mentee=b,
            members=[
                {"member": a, "role": "partner", "teaches": ["education_financing"]},
                {"member": b, "role": "partner", "teaches": ["teachers", "tax_justice"]},
            ],
            languages=["en"],
            score=0.5,
            reasons=[],
        )
        session.add(proposal)
        session.commit()
        return proposal.id


def relations(svc) -> Relations:
    _, pairs = publish_round(svc, "mentoring", approve=2)
    _, circles = publish_round(svc, "circles", approve=0)
    admin = svc.as_("admin")
    draft = svc.client.post("/v1/rounds", json={"kind": "mentoring", "seed": 2}, headers=admin)
    not_mine = next(p for p in pairs if MEMBER not in {m["member"] for m in p["members"]})
    return Relations(
        pair=_mine(pairs),
        circle=_mine(circles),
        exchange=published_exchange(svc.app.state.engine),
        not_mine=not_mine,
        draft=draft.json()["proposals"][0]["id"],
    )


def archive(svc, round_id: int) -> None:
    """Archive a published round, as publishing its successor does."""
    with Session(svc.app.state.engine) as session:
        row = session.get(Round, round_id)
        row.status = "archived"
        session.add(row)
        session.commit()
