"""Text that can neither steer a terminal nor reorder what a reader sees.

Input refuses it at the edge: single-line text (names, ids, labels) takes no
control character at all, multi-line text (descriptions, notes, comments)
only line feeds and tabs (a CRLF becomes LF). Both refuse C1 controls (``\\x9b``
starts a terminal command like ESC [ does) and the bidirectional embeddings,
overrides and isolates U+202A–202E and U+2066–2069, which make a name display
as another. Output escapes whatever is left (data stored earlier, an echoed
bad value) as a visible ``\\uXXXX``, which in a JSON string is the same text.

>>> check_single_line("Coalition A")
'Coalition A'
>>> check_single_line("A\\x1b]52;c;x\\x07B")
Traceback (most recent call last):
...
ValueError: contains the control character U+001B (ESC) at character 2; remove it
>>> check_multi_line("line one\\r\\nline two")
'line one\\nline two'
>>> escape_controls("A\\x9b31mB\\u202e")
'A\\\\u009b31mB\\\\u202e'
"""

from __future__ import annotations

import re

_BIDI = "\u202a-\u202e\u2066-\u2069"
_UNSAFE_SINGLE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_UNSAFE_MULTI_LINE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
_NAMES = {
    0x00: "NUL",
    0x07: "BEL",
    0x08: "BS",
    0x09: "TAB",
    0x0A: "LF",
    0x0D: "CR",
    0x1B: "ESC",
    0x7F: "DEL",
    0x9B: "CSI",
    0x202A: "LEFT-TO-RIGHT EMBEDDING",
    0x202B: "RIGHT-TO-LEFT EMBEDDING",
    0x202C: "POP DIRECTIONAL FORMATTING",
    0x202D: "LEFT-TO-RIGHT OVERRIDE",
    0x202E: "RIGHT-TO-LEFT OVERRIDE",
    0x2066: "LEFT-TO-RIGHT ISOLATE",
    0x2067: "RIGHT-TO-LEFT ISOLATE",
    0x2068: "FIRST STRONG ISOLATE",
    0x2069: "POP DIRECTIONAL ISOLATE",
}


def _refuse(text: str, unsafe: re.Pattern[str], hint: str) -> str:
    found = unsafe.search(text)
    if found is None:
        return text
    code = ord(found[0])
    name = _NAMES.get(code)
    kind = "bidirectional control" if code >= 0x2000 else "control character"
    label = f"U+{code:04X}" + (f" ({name})" if name else "")
    raise ValueError(f"contains the {kind} {label} at character {found.start() + 1}; {hint}")


def check_single_line(text: str) -> str:
    """``text`` unchanged, or ValueError naming the first control character."""
    return _refuse(text, _UNSAFE_SINGLE_LINE, "remove it")


def check_multi_line(text: str) -> str:
    """``text`` with CRLF as LF, or ValueError naming the first control
    character other than a line feed or a tab."""
    text = text.replace("\r\n", "\n")
    return _refuse(text, _UNSAFE_MULTI_LINE, "remove it (line feeds and tabs are fine here)")


def escape_controls(text: str) -> str:
    """``text`` with every control character (line feeds and tabs excepted)
    and bidirectional control written as a visible ``\\uXXXX``."""
    if _UNSAFE_MULTI_LINE.search(text) is None:
        return text
    return _UNSAFE_MULTI_LINE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


def strip_controls(text: str, *, multi_line: bool) -> str:
    """``text`` without what :func:`check_single_line` (or, with
    ``multi_line``, :func:`check_multi_line`) refuses; for cleaning data
    stored before those checks."""
    if multi_line:
        return _UNSAFE_MULTI_LINE.sub("", text.replace("\r\n", "\n"))
    return _UNSAFE_SINGLE_LINE.sub("", text)
