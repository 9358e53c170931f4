"""Writing a history document (see :mod:`service.usecases.history`) into the
database: archived rounds, their approved proposals and the feedback on
them, in one transaction.

Made for the synthetic histories of :mod:`fixtures.history` (the demo's
first start, a bench): every round is stored as ``created_by`` "synthetic
history" with ``summary.synthetic`` true, and the document's relation ids
are renumbered to the new proposal ids.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from matcher import default_taxonomy
from service.contract import NetworkError, listed
from service.contract.history import parse_history
from service.store.db import write_session
from service.store.models import Feedback, Proposal, Round
from service.usecases.access import Principal
from service.usecases.audit import audit
from service.usecases.errors import Invalid
from service.usecases.network import network_document, validated_network

AUTHOR = "synthetic history"
"""``created_by`` of the imported rounds, ``decided_by`` of their proposals."""


def _theme_reasons(themes: list[str]) -> list[dict[str, Any]]:
    # The themes are all a history knows of a relation's score: one point each.
    return [{"kind": "theme", "key": t, "contribution": 1.0} for t in themes]


def proposal_values(rel: dict[str, Any]) -> dict[str, Any]:
    """A relation of a history document as a proposal row's values, in the
    shapes rounds store (pair and circle as :mod:`service.usecases.rounds`
    makes them, exchange as the shared decision of issue 16 says)."""
    if rel["kind"] == "pair":
        return {
            "kind": "pair",
            "mentor": rel["mentor"],
            "mentee": rel["mentee"],
            "members": [
                {"member": rel["mentor"], "role": "mentor"},
                {"member": rel["mentee"], "role": "mentee"},
            ],
            "languages": list(rel["languages"]),
            "score": float(len(rel["themes"])),
            "reasons": _theme_reasons(rel["themes"]),
        }
    if rel["kind"] == "exchange":
        themes = list(dict.fromkeys([*rel["a_teaches"], *rel["b_teaches"]]))
        return {
            "kind": "exchange",
            "mentor": rel["a"],
            "mentee": rel["b"],
            "theme": None,
            "language": None,
            "members": [
                {"member": rel["a"], "role": "partner", "teaches": list(rel["a_teaches"])},
                {"member": rel["b"], "role": "partner", "teaches": list(rel["b_teaches"])},
            ],
            "languages": list(rel["languages"]),
            "score": float(len(themes)),
            "reasons": _theme_reasons(themes),
        }
    learners = [m["member"] for m in rel["members"] if m["role"] == "learner"]
    return {
        "kind": "circle",
        "theme": rel["theme"],
        "language": rel["language"],
        "members": [{"member": m["member"], "role": m["role"]} for m in rel["members"]],
        "languages": [rel["language"]] if rel["language"] else [],
        "score": float(len(learners)),
        "reasons": [{"kind": "learner", "key": m, "contribution": 1.0} for m in learners],
    }


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def write_history(session: Session, document: Any, *, who: Principal) -> dict[str, int]:
    """Validate ``document`` against the stored network and add its rounds,
    proposals and feedback to ``session`` (the caller's transaction); audited
    once. Returns how many rounds, relations and answers were written.

    Raises :class:`Invalid` listing every problem of the document."""
    network = validated_network(network_document(session))
    try:
        doc = parse_history(document, network=network)
    except NetworkError as exc:
        errors = [p.to_dict() for p in listed(exc.problems)]
        raise Invalid("invalid history document; nothing was imported", errors) from None
    version = default_taxonomy().version
    ids: dict[int, int] = {}
    relations = 0
    for r in doc["rounds"]:
        published = _time(r["published_at"])
        text = json.dumps(r, sort_keys=True, ensure_ascii=False).encode()
        row = Round(
            kind=r["kind"],
            status="archived",
            objective="welfare" if r["kind"] == "mentoring" else None,
            options={},
            taxonomy_version=version,
            input_sha256=hashlib.sha256(text).hexdigest(),
            summary={"synthetic": True, "relations": len(r["relations"]), "source_id": r["id"]},
            created_at=published,
            created_by=AUTHOR,
            published_at=published,
        )
        session.add(row)
        session.flush()
        proposals = []
        for rel in r["relations"]:
            p = Proposal(
                round_id=row.id, status="approved", decided_by=AUTHOR, **proposal_values(rel)
            )
            session.add(p)
            proposals.append((rel["id"], p))
        session.flush()
        for old, p in proposals:
            ids[old] = p.id
        relations += len(proposals)
    for f in doc["feedback"]:
        session.add(
            Feedback(
                proposal_id=ids[f["relation"]],
                author=f["author"],
                member_id=f["member"],
                met=f["met"],
                usefulness=f["usefulness"],
                themes_learned=list(f["themes_learned"]),
                continued=f["continued"],
                comment=f["comment"],
                created_at=_time(f["at"]),
            )
        )
    counts = {"rounds": len(doc["rounds"]), "relations": relations, "answers": len(doc["feedback"])}
    audit(session, who, "history.import", "history", "", **counts)
    return counts


def import_history(engine: Engine, document: Any, *, who: Principal) -> dict[str, int]:
    """:func:`write_history` in its own transaction: all or nothing."""
    with write_session(engine) as session:
        return write_history(session, document, who=who)
