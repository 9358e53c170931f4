"""What every document shares: its schema version, how a reason is written
(JSON and one line of text) and the stable JSON text itself."""

from __future__ import annotations

import json

from matcher import Reason, Taxonomy
from service.gc_pause import collector_paused
from service.safe_text import escape_controls

SCHEMA_VERSION = 1


def reason_dict(reason: Reason) -> dict:
    return {"kind": reason.kind, "key": reason.key, "contribution": reason.contribution}


def dumps(document: dict) -> str:
    """Stable JSON text: same document → same bytes. Compact, one line: the
    indented form goes through json's pure-Python encoder, ~10x slower on a
    10,000-member round; pipe through `python -m json.tool` to read it.
    Documents are trees, so the encoder skips its check for cycles."""
    with collector_paused():
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), check_circular=False)
    # Raw C1 and bidirectional controls become \\uXXXX escapes: the same JSON
    # data, but nothing that steers a terminal showing it.
    return escape_controls(text) + "\n"


def reason_text(reasons: tuple[Reason, ...], taxonomy: Taxonomy, lang: str, most: int = 3) -> str:
    """The first ``most`` reasons as one line for a table, theme labels in ``lang``."""
    parts = []
    for r in reasons[:most]:
        label = taxonomy.label(r.key, lang) if r.kind == "theme" else r.kind.replace("_", "-")
        parts.append(f"{label} {r.contribution:+.2f}")
    if len(reasons) > most:
        parts.append(f"… {len(reasons) - most} more")
    return "; ".join(parts)
