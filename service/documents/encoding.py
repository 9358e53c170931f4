"""What every document shares: its schema version, how a reason is written
(JSON, and one line of text for the tables and the report) and the stable
JSON text itself."""

from __future__ import annotations

import json

from matcher import Reason, Taxonomy
from service.gc_pause import collector_paused
from service.safe_text import escape_controls
from service.translations import N_, gettext_for
from service.translations.formats import format_number

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


REASONS = {
    "south_south": N_("South–South bonus"),
    "north_south": N_("North→South bonus"),
    "same_region": N_("same region"),
    "history": N_("already paired before"),
    "text": N_("similar descriptions"),
}
"""The soft terms of a score (``matcher.scoring.SOFT_TERMS``) as people read them."""


def reason_label(reason: Reason, taxonomy: Taxonomy, lang: str) -> str:
    """What a reason is about in ``lang``: a theme's label or a soft term's name."""
    if reason.kind == "theme":
        return taxonomy.label(reason.key, lang)
    return gettext_for(lang).gettext(REASONS[reason.kind])


def reason_text(
    reasons: tuple[Reason, ...],
    taxonomy: Taxonomy,
    lang: str,
    *,
    most: int = 3,
    locale_numbers: bool = False,
) -> str:
    """The first ``most`` reasons of a score as one line, labels in ``lang``:
    the tables' "why" column and the report's. ``locale_numbers`` writes the
    contributions as ``lang`` does (the report); tables keep the JSON's
    decimal point.

    >>> from matcher import Reason, default_taxonomy
    >>> reasons = (Reason("theme", "tax_justice", 0.75), Reason("south_south", "south_south", 0.15))
    >>> reason_text(reasons, default_taxonomy(), "fr", locale_numbers=True)
    'Justice fiscale +0,75 ; bonus Sud–Sud +0,15'
    """
    _ = gettext_for(lang).gettext
    parts = []
    for r in reasons[:most]:
        amount = (
            format_number(r.contribution, lang, 2, sign=True)
            if locale_numbers
            else f"{r.contribution:+.2f}"
        )
        parts.append(f"{reason_label(r, taxonomy, lang)} {amount}")
    if len(reasons) > most:
        parts.append(_("… {n} more").format(n=len(reasons) - most))
    # Translators: between the reasons of a score. Not a comma: theme labels
    # contain commas ("Monitoring, evaluation and learning").
    return _("; ").join(parts)
