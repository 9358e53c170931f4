"""Members as CSV (a survey export): one row per member.

Columns (header row required; order free; see docs/csv-format.md):
``id, name, kind, languages`` are required; ``country, expertise, needs,
mentor_capacity, mentee_capacity, description, region, global_south,
contact_name, contact_email`` are optional. Lists use ``;``: languages
``en;fr``, expertise and needs ``theme_key:level;theme_key:level``.

Reading returns the network document's member dicts plus the CSV line of each,
so that validation problems name the line, and the problems of the cells, to be
reported with those of the members; writing neutralises cells that a
spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from service.contract import MEMBER_FIELDS, MemberCreate, Problem, document_position

REQUIRED = tuple(name for name, field in MemberCreate.model_fields.items() if field.is_required())
OPTIONAL = tuple(name for name in MEMBER_FIELDS if name not in REQUIRED)
COLUMNS = REQUIRED + OPTIONAL
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TRUE, _FALSE = {"true", "yes", "1", "south"}, {"false", "no", "0", "north"}


class CsvError(ValueError):
    """A file whose rows cannot be read at all (encoding, empty, header)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def read_members(data: bytes) -> tuple[list[dict[str, Any]], list[int], list[Problem]]:
    """Member dicts (network-contract fields plus contact fields), the CSV
    line each came from, and the problems of the rows and cells (a row with
    the wrong number of cells gives no member, a cell that cannot be read
    leaves its field out; the other cells are read and checked all the same).
    Raises :class:`CsvError` when no row can be read: bad encoding, no header,
    a required column missing or given twice."""
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
    problems, unknown = [], []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        problems.append(
            Problem("line 1", ",".join(missing), None, "missing required column(s); add them")
        )
    for column, name in enumerate(header):
        if name not in COLUMNS:
            # Reported with the rows' problems: the other columns read all the same.
            message = f"unknown column; the columns are {', '.join(COLUMNS)}"
            unknown.append(Problem("line 1", name, None, message, at=(-1, column)))
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        problems.append(Problem("line 1", ",".join(duplicated), None, "column given twice"))
    if problems:
        raise CsvError(problems + unknown)
    problems = unknown
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
                        at=(*document_position(("members", len(members))), -1),
                    )
                )
                continue
            cells = {h: c for h, c in zip(header, row, strict=True) if h in COLUMNS}
            member, cell_problems = _member(cells, line, len(members))
            problems += cell_problems
            members.append(member)
            lines.append(line)
    except csv.Error as exc:
        # The rest of the file cannot be split into cells reliably.
        at = (*document_position(("members", len(members))), -1)
        problems.append(
            Problem(f"line {reader.line_num}", "", None, f"not valid CSV: {exc}", at=at)
        )
    return members, lines, problems


def _escaped(text: str) -> bool:
    """Whether a cell starts as :func:`safe_cell` marks one: an apostrophe and
    then a formula character or another such mark."""
    return len(text) >= 2 and text[0] == "'" and (text[1] in _FORMULA_START or _escaped(text[1:]))


def _unformula(cell: str) -> str:
    """Undo :func:`safe_cell` so that an export imports back unchanged."""
    return cell[1:] if _escaped(cell) else cell


def _member(raw: dict[str, str], line: int, position: int) -> tuple[dict[str, Any], list[Problem]]:
    """The member dict at ``position`` in the document, with the fields of the columns present (an
    absent column keeps the stored value on import; an empty cell means
    none/default); a cell that cannot be read is left out and reported."""
    cells = {k: _unformula(v.strip()) for k, v in raw.items()}
    where = f"line {line}" + (f" (id '{cells['id']}')" if cells.get("id") else "")
    problems: list[Problem] = []

    def problem(field: str, value: str, message: str) -> None:
        at = document_position(("members", position, field))
        problems.append(Problem(where, field, value, message, at=at))

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
                problem(field, part, "write theme_key:level, e.g. budget_tracking:3")
                continue
            levels[key.strip()] = int(level)
        member[field] = levels
    for field in ("mentor_capacity", "mentee_capacity"):
        if cells.get(field):
            text = cells[field]
            if text.isdecimal() and len(text) <= 6:
                member[field] = int(text)
            else:
                problem(field, text, "write a whole number")
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
            problem("global_south", cells["global_south"], "write true or false")
    elif "global_south" in cells:
        member["global_south"] = None
    return member, problems


def safe_cell(value: Any) -> str:
    """A cell a spreadsheet shows as text, never runs: a leading formula
    character gets an apostrophe (OWASP's CSV injection advice).

    >>> safe_cell("=HYPERLINK(1)"), safe_cell("-3"), safe_cell("Awa"), safe_cell(None)
    ("'=HYPERLINK(1)", "'-3", 'Awa', '')
    """
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
        writer.writerow([safe_cell(row.get(c)) for c in COLUMNS])
    return out.getvalue()
