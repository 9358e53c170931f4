"""A round's proposals as the console's review table shows them: one page,
filtered by status, theme, region and language, with the members' names and
countries, theme labels and the score's reasons in words.

A round holds about one proposal per mentee (12,000 at 10,000 members), so
the filters run here over the round's proposals read as plain columns and
JSON text; only the page's rows are read whole and turned into views."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

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
    """``mentor``, ``mentee``, ``anchor``, ``learner`` or ``partner`` (of an
    exchange)."""
    teaches: list[str] = field(default_factory=list)
    """An exchange partner's themes for the other, as labels."""


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


def _themes(kind: str, theme: str | None, reasons: list[dict]) -> list[str]:
    if kind == "circle":
        return [theme] if theme else []
    return [r["key"] for r in reasons if r["kind"] == "theme"]


def _text(column):
    """A JSON column as its text: decoding every proposal's JSON is most of
    the time of a 10,000-member round's table, and the filters need little
    of it (the language lists repeat, a theme is found in the text first)."""
    return sa.cast(column, sa.Text)


def review_page(
    session: Session, *, round_id: int, filters: Filters, offset: int, limit: int, lang: str
) -> ReviewPage:
    """The proposals of round ``round_id`` that pass ``filters``, by id: the
    page at ``offset`` of ``limit`` rows, the total, and the filters' choices
    (every theme of the taxonomy; the regions and languages of the round)."""
    region_of = dict(session.exec(select(Member.id, Member.region)).all())
    columns = [Proposal.id, Proposal.kind, Proposal.status, Proposal.mentor, Proposal.mentee]
    columns += [Proposal.theme, _text(Proposal.members), _text(Proposal.languages)]
    if filters.theme is not None:
        columns.append(_text(Proposal.reasons))
    rows = session.exec(
        select(*columns).where(Proposal.round_id == round_id).order_by(Proposal.id)
    ).all()
    decoded: dict[str, Any] = {}
    regions: set[str] = set()
    languages: set[str] = set()
    chosen: list[int] = []
    for row in rows:
        p_id, kind, status, mentor, mentee, theme, members_text, languages_text = row[:8]
        if languages_text not in decoded:
            decoded[languages_text] = json.loads(languages_text)
        spoken = decoded[languages_text]
        ids = (
            (mentor, mentee)
            if kind in ("pair", "exchange")
            else [m["member"] for m in json.loads(members_text)]
        )
        where = {region_of.get(i) for i in ids} - {None}
        regions.update(where)
        languages.update(spoken)
        if not (status == filters.status if filters.status else status in CURRENT):
            continue
        if filters.region is not None and filters.region not in where:
            continue
        if filters.language is not None and filters.language not in spoken:
            continue
        if filters.theme is not None and not (
            theme == filters.theme
            if kind == "circle"
            else f'"{filters.theme}"' in row[8]
            and filters.theme in _themes(kind, theme, json.loads(row[8]))
        ):
            continue
        chosen.append(p_id)
    page = chosen[offset : offset + limit]
    shown = session.exec(select(Proposal).where(col(Proposal.id).in_(page))).all()
    named = {m["member"] for p in shown for m in p.members}
    members = {
        m_id: (name, country)
        for m_id, name, country in session.exec(
            select(Member.id, Member.name, Member.country).where(col(Member.id).in_(named))
        ).all()
    }
    taxonomy = default_taxonomy()
    return ReviewPage(
        rows=[_row(p, members, taxonomy, lang) for p in sorted(shown, key=lambda p: p.id)],
        total=len(chosen),
        choices={
            "themes": sorted(
                ((k, taxonomy.label(k, lang)) for k in taxonomy.keys), key=lambda t: t[1]
            ),
            "regions": [(r, REGION_LABELS.get(r, {}).get(lang, r)) for r in sorted(regions)],
            "languages": [(c, c) for c in sorted(languages)],
        },
    )


def _row(row, members: dict, taxonomy, lang: str) -> ReviewRow:
    people = []
    for m in row.members:
        name, country = members.get(m["member"], (m["member"], None))
        taught = [taxonomy.label(k, lang) for k in m.get("teaches", [])]
        people.append(Person(m["member"], name, country, m["role"], taught))
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
