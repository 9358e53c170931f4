"""Members as CSV (a survey export): one row per member.

Columns (header row required; order free; see docs/csv-format.md):
``id, name, kind, languages`` are required; ``country, expertise, needs,
mentor_capacity, mentee_capacity, description, region, global_south,
contact_name, contact_email`` are optional. Lists use ``;``: languages
``en;fr``, expertise and needs ``theme_key:level;theme_key:level``.

Reading returns the network document's member dicts plus the CSV line of each,
so that validation problems name the line; writing neutralises cells that a
spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from service.contract import MEMBER_FIELDS, MemberCreate, Problem

REQUIRED = tuple(name for name, field in MemberCreate.model_fields.items() if field.is_required())
OPTIONAL = tuple(name for name in MEMBER_FIELDS if name not in REQUIRED)
COLUMNS = REQUIRED + OPTIONAL
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TRUE, _FALSE = {"true", "yes", "1", "south"}, {"false", "no", "0", "north"}


class CsvError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def read_members(data: bytes) -> tuple[list[dict[str, Any]], list[int]]:
    """Member dicts (network-contract fields plus contact fields) and the CSV
    line each came from. Raises :class:`CsvError` listing every problem that
    is about the CSV itself (encoding, header, cell syntax)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = _line_of(data, exc.start)
        raise CsvError(
            [
                Problem(
                    f"line {line}",
                    "",
                    None,
                    f"not UTF-8 text (byte {exc.start}); save the file as CSV UTF-8",
                    line=line,
                    column=None,
                )
            ]
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise CsvError([Problem("line 1", "", None, "empty file; expected a header row")]) from None
    except csv.Error as exc:
        raise CsvError([Problem("line 1", "", None, f"not valid CSV: {exc}")]) from None
    problems = []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        problems.append(
            Problem("line 1", ",".join(missing), None, "missing required column(s); add them")
        )
    for name in header:
        if name not in COLUMNS:
            problems.append(
                Problem(
                    "line 1", name, None, f"unknown column; the columns are {', '.join(COLUMNS)}"
                )
            )
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        problems.append(Problem("line 1", ",".join(duplicated), None, "column given twice"))
    if problems:
        raise CsvError(problems)
    members, lines = [], []
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                problems.append(
                    Problem(
                        f"line {line}",
                        "",
                        None,
                        f"{len(row)} cells for {len(header)} columns; quote cells with commas",
                    )
                )
                continue
            member, cell_problems = _member(dict(zip(header, row, strict=True)), line)
            problems += cell_problems
            members.append(member)
            lines.append(line)
    except csv.Error as exc:
        problems.append(Problem(f"line {reader.line_num}", "", None, f"not valid CSV: {exc}"))
    if problems:
        raise CsvError(problems)
    return members, lines


def _escaped(text: str) -> bool:
    """Whether a cell starts as :func:`_safe` marks one: an apostrophe and
    then a formula character or another such mark."""
    return len(text) >= 2 and text[0] == "'" and (text[1] in _FORMULA_START or _escaped(text[1:]))


def _unformula(cell: str) -> str:
    """Undo :func:`_safe` so that an export imports back unchanged."""
    return cell[1:] if _escaped(cell) else cell


def _member(raw: dict[str, str], line: int) -> tuple[dict[str, Any], list[Problem]]:
    """A member dict with the fields of the columns present (an absent column
    keeps the stored value on import; an empty cell means none/default)."""
    cells = {k: _unformula(v.strip()) for k, v in raw.items()}
    where = f"line {line}" + (f" (id '{cells['id']}')" if cells.get("id") else "")
    problems: list[Problem] = []
    member: dict[str, Any] = {
        "id": cells["id"],
        "name": cells["name"],
        "kind": cells["kind"],
        "languages": [c.strip() for c in cells["languages"].split(";") if c.strip()],
    }
    if "country" in cells:
        member["country"] = cells["country"] or None
    for field in ("expertise", "needs"):
        if field not in cells:
            continue
        levels: dict[str, Any] = {}
        for part in filter(None, (p.strip() for p in cells[field].split(";"))):
            key, sep, level = part.partition(":")
            if not sep or not level.strip().isdecimal() or len(level.strip()) > 3:
                problems.append(
                    Problem(where, field, part, "write theme_key:level, e.g. budget_tracking:3")
                )
                continue
            levels[key.strip()] = int(level)
        member[field] = levels
    for field in ("mentor_capacity", "mentee_capacity"):
        if cells.get(field):
            text = cells[field]
            if text.isdecimal() and len(text) <= 6:
                member[field] = int(text)
            else:
                problems.append(Problem(where, field, text, "write a whole number"))
    if "description" in cells:
        member["description"] = cells["description"]
    for field in ("region", "contact_name", "contact_email"):
        if field in cells:
            member[field] = cells[field] or None
    if cells.get("global_south"):
        flag = cells["global_south"].lower()
        if flag in _TRUE | _FALSE:
            member["global_south"] = flag in _TRUE
        else:
            problems.append(
                Problem(where, "global_south", cells["global_south"], "write true or false")
            )
    elif "global_south" in cells:
        member["global_south"] = None
    return member, problems


def _safe(value: Any) -> str:
    """A cell a spreadsheet shows as text, never runs: a leading formula
    character gets an apostrophe (OWASP's CSV injection advice)."""
    text = "" if value is None else str(value)
    # A text that already looks escaped gets one more apostrophe, so that the
    # import's unescaping gives it back as it was.
    return "'" + text if text.startswith(_FORMULA_START) or _escaped(text) else text


def write_members(members: list[dict[str, Any]]) -> str:
    """CSV text of member dicts (network-contract fields plus contacts)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for m in members:
        row = {
            **m,
            "languages": ";".join(m["languages"]),
            "expertise": ";".join(f"{k}:{v}" for k, v in m["expertise"].items()),
            "needs": ";".join(f"{k}:{v}" for k, v in m["needs"].items()),
            "global_south": "" if m.get("global_south") is None else str(m["global_south"]).lower(),
        }
        writer.writerow([_safe(row.get(c)) for c in COLUMNS])
    return out.getvalue()
