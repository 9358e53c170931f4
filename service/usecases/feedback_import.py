"""Importing answers collected offline as CSV (docs/feedback.md): all or
nothing, every problem at once with its line, column, value and fix.

One row is one side's answer on one relation (a proposal id of a published
or archived round). The importing key is the author: a row replaces that
key's earlier answer for the same side, whole, and keeps every other."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from matcher.taxonomy import default_taxonomy
from service.contract import (
    FEEDBACK_CSV_COLUMNS,
    FEEDBACK_CSV_REQUIRED,
    FeedbackIn,
    Problem,
)
from service.store.models import Proposal, Round
from service.usecases.access import Principal
from service.usecases.audit import audit
from service.usecases.errors import Invalid
from service.usecases.feedback import (
    is_answerable,
    record_answer,
    side_error,
    stored_answer,
    unknown_theme,
)

_YES, _NO = {"yes", "true", "1"}, {"no", "false", "0"}
_VALUES = ("met", "usefulness", "themes_learned", "continued", "comment")


@dataclass(frozen=True)
class PlannedAnswer:
    line: int
    proposal_id: int
    member: str | None
    values: dict[str, Any]
    """met, usefulness, comment, themes_learned, continued."""
    status: str
    """What importing does: ``created``, ``updated`` or ``unchanged``."""


@dataclass(frozen=True)
class FeedbackPlan:
    answers: list[PlannedAnswer] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(a.status == status for a in self.answers)


def _problem(line: int, column: str, columns: list[str], value: Any, message: str) -> Problem:
    number = columns.index(column) + 1 if column in columns else None
    return Problem(f"line {line}", column, value, message, line=line, column=number)


def _rows(data: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and each non-blank row with its line; raises ``Invalid``
    when the file cannot be read as a feedback CSV at all."""

    def refuse(message: str, line: int = 1) -> Invalid:
        problem = Problem(f"line {line}", "", None, message, line=line)
        return Invalid("the CSV cannot be read; nothing was written", [problem.to_dict()])

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise refuse(
            f"not UTF-8 text (byte {exc.start}); save the file as CSV UTF-8", line
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
        rows = [(reader.line_num, row) for row in reader if any(c.strip() for c in row)]
    except StopIteration:
        raise refuse(
            "empty file; expected the header row " + ",".join(FEEDBACK_CSV_COLUMNS)
        ) from None
    except csv.Error as exc:
        raise refuse(f"not valid CSV: {exc}", reader.line_num) from None
    problems = [
        f"missing column '{c}'; add it (it may be empty for optional values)"
        for c in FEEDBACK_CSV_REQUIRED
        if c not in header
    ]
    problems += [
        f"unknown column '{c}'; the columns are {', '.join(FEEDBACK_CSV_COLUMNS)}"
        for c in header
        if c not in FEEDBACK_CSV_COLUMNS
    ]
    problems += [
        f"column '{c}' given twice" for c in sorted({h for h in header if header.count(h) > 1})
    ]
    if problems:
        found = [Problem("line 1", "", None, m, line=1).to_dict() for m in problems]
        raise Invalid(f"{len(found)} problem(s) in the CSV's header; nothing was written", found)
    out = []
    for line, row in rows:
        cells = dict(zip(header, (c.strip() for c in row), strict=False))
        if len(row) != len(header):
            cells["__cells__"] = str(len(row))
        out.append((line, cells))
    return header, out


def _flag(text: str) -> bool | None:
    low = text.lower()
    return True if low in _YES else False if low in _NO else None


def plan_feedback_import(session: Session, data: bytes, who: Principal) -> FeedbackPlan:
    """What importing ``data`` as ``who`` would do, row by row, and every
    problem with it (then nothing may be imported)."""
    header, rows = _rows(data)
    tax = default_taxonomy()
    plan = FeedbackPlan()
    first_line: dict[tuple[int, str | None], int] = {}
    for line, cells in rows:

        def problem(column: str, value: Any, message: str) -> None:
            plan.problems.append(_problem(line, column, header, value, message))  # noqa: B023

        if "__cells__" in cells:
            message = (
                f"{cells['__cells__']} cells for {len(header)} columns; quote cells with commas"
            )
            plan.problems.append(Problem(f"line {line}", "", None, message, line=line))
            continue
        values: dict[str, Any] = {}
        raw = cells.get("relation", "")
        proposal = None
        if not raw.isdecimal() or len(raw) > 12:
            problem("relation", raw, "write the relation's id: a proposal id, e.g. 12")
        elif (proposal := session.get(Proposal, int(raw))) is None:
            problem("relation", raw, "no relation with this id; GET /v1/published lists them")
        elif not is_answerable(proposal, session.get(Round, proposal.round_id)):
            round_row = session.get(Round, proposal.round_id)
            problem(
                "relation",
                raw,
                f"relation {raw} is {proposal.status} in round {round_row.id} "
                f"({round_row.status}); only the relations of published and archived rounds "
                "take feedback",
            )
            proposal = None
        member = cells.get("member", "") or None
        if proposal is not None:
            member, refusal = side_error(proposal, member, who)
            if refusal:
                problem("member", member, refusal)
                proposal = None
        met = _flag(cells.get("met", ""))
        if met is None:
            problem("met", cells.get("met", ""), "write yes or no")
        values["met"] = met
        use = cells.get("usefulness", "")
        if not (use.isdecimal() and len(use) == 1 and 1 <= int(use) <= 5):
            problem("usefulness", use, "write a whole number from 1 (not at all) to 5 (very)")
        else:
            values["usefulness"] = int(use)
        themes = [t.strip() for t in cells.get("themes_learned", "").split(";") if t.strip()]
        for key in themes:
            if key not in tax:
                problem("themes_learned", key, unknown_theme(key))
        values["themes_learned"] = list(dict.fromkeys(themes))
        cont = cells.get("continued", "")
        values["continued"] = _flag(cont) if cont else None
        if cont and values["continued"] is None:
            problem("continued", cont, "write yes, no, or leave it empty when not known")
        values["comment"] = cells.get("comment", "")
        try:
            FeedbackIn.model_validate({"comment": values["comment"], "met": True, "usefulness": 1})
        except ValidationError as exc:
            problem("comment", values["comment"], exc.errors()[0]["msg"])
        if proposal is None or len(values) != len(_VALUES) or met is None:
            continue
        key = (proposal.id, member)
        if key in first_line:
            side = f"member '{member}'" if member else "the unknown side"
            problem(
                "relation",
                raw,
                f"relation {proposal.id} for {side} is already on line {first_line[key]}; "
                "keep one line per relation and member",
            )
            continue
        first_line[key] = line
        stored = stored_answer(session, proposal.id, who.name, member)
        status = "created"
        if stored is not None:
            same = all(getattr(stored, k) == v for k, v in values.items())
            status = "unchanged" if same else "updated"
        plan.answers.append(PlannedAnswer(line, proposal.id, member, values, status))
    return plan


def import_feedback(session: Session, data: bytes, who: Principal) -> FeedbackPlan:
    """Import ``data`` as ``who``'s answers, all or nothing: ``Invalid``
    listing every problem, or the plan carried out."""
    plan = plan_feedback_import(session, data, who)
    if plan.problems:
        n = len(plan.problems)
        raise Invalid(
            f"{n} problem{'s' if n != 1 else ''} in the CSV; nothing was written",
            [p.to_dict() for p in plan.problems],
        )
    for a in plan.answers:
        if a.status != "unchanged":
            record_answer(session, a.proposal_id, author=who.name, member=a.member, **a.values)
    audit(
        session,
        who,
        "feedback.import",
        "feedback",
        "csv",
        answers=len(plan.answers),
        created=plan.count("created"),
        updated=plan.count("updated"),
    )
    return plan
