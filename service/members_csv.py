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

from service.contract import Problem

REQUIRED = ("id", "name", "kind", "languages")
OPTIONAL = (
    "country",
    "expertise",
    "needs",
    "mentor_capacity",
    "mentee_capacity",
    "description",
    "region",
    "global_south",
    "contact_name",
    "contact_email",
)
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


def _unformula(cell: str) -> str:
    """Undo :func:`_safe` so that an export imports back unchanged."""
    if len(cell) >= 2 and cell[0] == "'" and cell[1] in _FORMULA_START:
        return cell[1:]
    return cell


def _member(raw: dict[str, str], line: int) -> tuple[dict[str, Any], list[Problem]]:
    cells = {k: _unformula(v.strip()) for k, v in raw.items()}
    where = f"line {line}" + (f" (id '{cells['id']}')" if cells.get("id") else "")
    problems: list[Problem] = []
    member: dict[str, Any] = {
        "id": cells["id"],
        "name": cells["name"],
        "kind": cells["kind"],
        "languages": [c.strip() for c in cells["languages"].split(";") if c.strip()],
    }
    if cells.get("country"):
        member["country"] = cells["country"]
    for field in ("expertise", "needs"):
        levels: dict[str, Any] = {}
        for part in filter(None, (p.strip() for p in cells.get(field, "").split(";"))):
            key, sep, level = part.partition(":")
            if not sep or not level.strip().isdigit():
                problems.append(
                    Problem(where, field, part, "write theme_key:level, e.g. budget_tracking:3")
                )
                continue
            levels[key.strip()] = int(level)
        member[field] = levels
    for field in ("mentor_capacity", "mentee_capacity"):
        if cells.get(field):
            try:
                member[field] = int(cells[field])
            except ValueError:
                problems.append(Problem(where, field, cells[field], "write a whole number"))
    for field in ("description", "region", "contact_name", "contact_email"):
        if cells.get(field):
            member[field] = cells[field]
    if cells.get("global_south"):
        flag = cells["global_south"].lower()
        if flag in _TRUE | _FALSE:
            member["global_south"] = flag in _TRUE
        else:
            problems.append(
                Problem(where, "global_south", cells["global_south"], "write true or false")
            )
    return member, problems


def _safe(value: Any) -> str:
    """A cell a spreadsheet shows as text, never runs: a leading formula
    character gets an apostrophe (OWASP's CSV injection advice)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


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
