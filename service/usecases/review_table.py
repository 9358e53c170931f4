"""A round's proposals as the console's review table shows them: one page,
filtered by status, theme, region and language, with the members' names and
countries, theme labels and the score's reasons in words.

A round holds a few thousand proposals at most (one per mentee, or a circle
per handful of members), so the filters run over the round's proposals read
as plain columns; only the page's rows are turned into views."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from matcher import Reason, default_taxonomy
from matcher.geo import REGION_LABELS
from service.documents.encoding import REASONS, reason_text
from service.store.models import Member, Proposal

CURRENT = ("proposed", "approved", "pinned", "declined", "withdrawn")
"""Statuses the table shows by default: a superseded proposal was replaced
by a re-run and is no longer decided on."""
STATUSES = (*CURRENT, "superseded")


@dataclass(frozen=True)
class Filters:
    """What the table shows: a status (``None``: the current ones), and
    optionally only proposals about a theme, with a member of a region, or in
    a language."""

    status: str | None = None
    theme: str | None = None
    region: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    country: str | None
    role: str
    """``mentor``, ``mentee``, ``anchor`` or ``learner``."""


@dataclass(frozen=True)
class ReviewRow:
    id: int
    kind: str
    status: str
    people: list[Person]
    themes: list[str]
    """Theme labels in the page's language."""
    languages: list[str]
    score: float
    why: str
    note: str
    decided_by: str | None


@dataclass(frozen=True)
class ReviewPage:
    rows: list[ReviewRow]
    total: int
    choices: dict[str, list[Any]] = field(default_factory=dict)
    """The values each filter can take in this round: ``themes`` as (key,
    label), ``regions`` as (key, name), ``languages`` as (code, code)."""


_COLUMNS = (
    Proposal.id,
    Proposal.kind,
    Proposal.status,
    Proposal.theme,
    Proposal.members,
    Proposal.languages,
    Proposal.score,
    Proposal.reasons,
    Proposal.note,
    Proposal.decided_by,
)


def _themes(kind: str, theme: str | None, reasons: list[dict]) -> list[str]:
    if kind == "circle":
        return [theme] if theme else []
    return [r["key"] for r in reasons if r["kind"] == "theme"]


def review_page(
    session: Session, *, round_id: int, filters: Filters, offset: int, limit: int, lang: str
) -> ReviewPage:
    """The proposals of round ``round_id`` that pass ``filters``, by id: the
    page at ``offset`` of ``limit`` rows, the total, and the filters' choices."""
    members = {
        m_id: (name, country, region)
        for m_id, name, country, region in session.exec(
            select(Member.id, Member.name, Member.country, Member.region)
        ).all()
    }
    rows = session.exec(
        select(*_COLUMNS).where(Proposal.round_id == round_id).order_by(Proposal.id)
    ).all()
    taxonomy = default_taxonomy()
    themes: set[str] = set()
    regions: set[str] = set()
    languages: set[str] = set()
    chosen = []
    for row in rows:
        keys = _themes(row.kind, row.theme, row.reasons)
        ids = [m["member"] for m in row.members]
        where = {members[i][2] for i in ids if i in members and members[i][2]}
        themes.update(keys)
        regions.update(where)
        languages.update(row.languages)
        if (
            (row.status == filters.status if filters.status else row.status in CURRENT)
            and (filters.theme is None or filters.theme in keys)
            and (filters.region is None or filters.region in where)
            and (filters.language is None or filters.language in row.languages)
        ):
            chosen.append(row)
    return ReviewPage(
        rows=[_row(r, members, taxonomy, lang) for r in chosen[offset : offset + limit]],
        total=len(chosen),
        choices={
            "themes": sorted(((k, taxonomy.label(k, lang)) for k in themes), key=lambda t: t[1]),
            "regions": [(r, REGION_LABELS.get(r, {}).get(lang, r)) for r in sorted(regions)],
            "languages": [(c, c) for c in sorted(languages)],
        },
    )


def _row(row, members: dict, taxonomy, lang: str) -> ReviewRow:
    people = []
    for m in row.members:
        name, country, _region = members.get(m["member"], (m["member"], None, None))
        people.append(Person(m["member"], name, country, m["role"]))
    # A circle's "learner" reasons name a member, not a score term: the
    # member list shows them already.
    reasons = tuple(
        Reason(r["kind"], r["key"], r["contribution"])
        for r in row.reasons
        if r["kind"] == "theme" or r["kind"] in REASONS
    )
    return ReviewRow(
        id=row.id,
        kind=row.kind,
        status=row.status,
        people=people,
        themes=[taxonomy.label(k, lang) for k in _themes(row.kind, row.theme, row.reasons)],
        languages=list(row.languages),
        score=row.score,
        why=reason_text(reasons, taxonomy, lang) if reasons else "",
        note=row.note,
        decided_by=row.decided_by,
    )
