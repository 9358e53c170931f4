"""The published pairs, exchanges and circles as CSV for a mail merge: one
row per member of each, with its contact, its partners, the themes (of an
exchange: those the member teaches) and the language. UTF-8 with a byte
order mark, so that Excel reads the accents; every cell safe against
formula injection."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any, Protocol

from service.contract import Published
from service.documents.members_csv import safe_cell

COLUMNS = (
    "round",
    "proposal",
    "type",
    "role",
    "member_id",
    "member",
    "contact_name",
    "contact_email",
    "partners",
    "themes",
    "language",
)
"""Stable English names: a mail merge template refers to them."""
BOM = "\ufeff"


class Contact(Protocol):
    name: str
    contact_name: str | None
    contact_email: str | None


def published_rows(published: Published, contacts: Mapping[str, Contact]) -> list[dict[str, Any]]:
    """One dict per member of each published item, in the items' order."""
    rows = []
    for item in published.items:
        base = {"round": item.round_id, "proposal": item.proposal_id, "type": item.type}
        if item.type == "pair":
            themes = [r.label for r in item.reasons if r.kind == "theme" and r.label]
            people = [(item.mentor, "mentor", themes), (item.mentee, "mentee", themes)]
            language = ", ".join(item.languages)
        elif item.type == "exchange":
            people = [
                (item.a, "partner", [t.label for t in item.a_teaches]),
                (item.b, "partner", [t.label for t in item.b_teaches]),
            ]
            language = ", ".join(item.languages)
        else:
            people = [(m["member"], m.get("role", ""), [item.theme_label]) for m in item.members]
            language = item.language or ""
        names = {ident: _name(ident, contacts) for ident, _, _ in people}
        for ident, role, themes in people:
            contact = contacts.get(ident)
            rows.append(
                {
                    **base,
                    "role": role,
                    "member_id": ident,
                    "member": names[ident],
                    "contact_name": contact.contact_name if contact else None,
                    "contact_email": contact.contact_email if contact else None,
                    "partners": "; ".join(n for other, n in names.items() if other != ident),
                    "themes": "; ".join(themes),
                    "language": language,
                }
            )
    return rows


def _name(ident: str, contacts: Mapping[str, Contact]) -> str:
    contact = contacts.get(ident)
    return contact.name if contact else ident


def published_csv(published: Published, contacts: Mapping[str, Contact]) -> str:
    """The CSV text (with its byte order mark) of :func:`published_rows`.

    >>> from types import SimpleNamespace as C
    >>> doc = Published(total=1, limit=None, offset=0, items=[{"type": "pair",
    ...     "proposal_id": 3, "round_id": 1, "mentor": "a", "mentor_name": "A",
    ...     "mentee": "b", "mentee_name": "=B", "languages": ["fr"], "score": 0.5,
    ...     "reasons": [{"kind": "theme", "key": "t", "contribution": 0.5, "label": "Budget"}]}])
    >>> people = {"a": C(name="A", contact_name="Ana", contact_email="a@x.org"),
    ...           "b": C(name="=B", contact_name=None, contact_email=None)}
    >>> print(published_csv(doc, people).removeprefix(BOM))  # doctest: +NORMALIZE_WHITESPACE
    round,proposal,type,role,member_id,member,contact_name,contact_email,partners,themes,language
    1,3,pair,mentor,a,A,Ana,a@x.org,'=B,Budget,fr
    1,3,pair,mentee,b,'=B,,,A,Budget,fr
    """
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in published_rows(published, contacts):
        writer.writerow([safe_cell(row[c]) for c in COLUMNS])
    return out.getvalue()
