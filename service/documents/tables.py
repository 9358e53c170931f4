"""Plain fixed-width text tables: deterministic whatever the terminal."""

from __future__ import annotations

import unicodedata

from service.safe_text import escape_controls


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def render_table(headers: list[str], rows: list[list[object]], *, title: str = "") -> str:
    """Render rows under headers, columns padded to their widest cell.

    >>> print(render_table(["a", "b"], [[1, "x"]]))
    a  b
    -  -
    1  x
    """
    # Cells carry members' text: nothing in it may steer the terminal.
    headers = [escape_controls(h) for h in headers]
    cells = [[escape_controls(str(c)) for c in row] for row in rows]
    widths = [max([_width(h)] + [_width(r[k]) for r in cells]) for k, h in enumerate(headers)]

    def line(values: list[str]) -> str:
        padded = [v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True)]
        return "  ".join(padded).rstrip()

    out = [escape_controls(title)] if title else []
    out += [line(headers), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return "\n".join(out)
