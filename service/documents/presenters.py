"""Results as JSON documents (for machines) and text tables (for people).

The CLI and, later, the HTTP service render through these functions so both
say the same thing.
"""

from __future__ import annotations

import json

from matcher import Network, Reason, Recommendation, RoundResult, Taxonomy
from service.contract import input_sha256
from service.documents.tables import render_table
from service.gc_pause import collector_paused
from service.safe_text import escape_controls

SCHEMA_VERSION = 1


def reason_dict(reason: Reason) -> dict:
    return {"kind": reason.kind, "key": reason.key, "contribution": reason.contribution}


def round_document(result: RoundResult, network: Network, *, seed: int | None) -> dict:
    """The JSON document of a mentoring round (schema_version 1)."""
    summary = {
        "members": result.members,
        "mentees_with_needs": result.mentees_with_needs,
        "mentees_matched": result.mentees_matched,
        "pairs": len(result.pairs),
        "total_score": result.total_score,
        "optimal": result.optimal,
        "resolution": result.resolution if result.optimal else None,
        "candidates": result.candidates,
        "max_candidates": result.max_candidates,
        "pricing_rounds": result.pricing_rounds,
        "seed": seed,
        "taxonomy_version": network.taxonomy_version,
        "input_sha256": input_sha256(network),
    }
    if result.welfare_total is not None:
        summary["welfare_optimum"] = result.welfare_total
        summary["stability_cost"] = result.welfare_total - result.total_score
    with collector_paused():
        pairs = [
            {
                "mentor": p.mentor,
                "mentee": p.mentee,
                "score": p.score,
                "languages": list(p.languages),
                "reasons": [reason_dict(r) for r in p.reasons],
            }
            for p in result.pairs
        ]
        unmatched = [
            {"member": u.member, "code": u.code, "reason": u.reason} for u in result.unmatched
        ]
    return {
        "schema_version": SCHEMA_VERSION,
        "objective": result.objective,
        "pairs": pairs,
        "unmatched": unmatched,
        "summary": summary,
    }


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


def round_table(
    result: RoundResult, network: Network, taxonomy: Taxonomy, *, lang: str = "en"
) -> str:
    """A mentoring round for people: pairs with reasons, then the unmatched."""
    names = {m.id: m.name for m in network.members}
    pairs = render_table(
        ["mentee", "mentor", "score", "lang", "why"],
        [
            [
                p.mentee,
                p.mentor,
                f"{p.score:.3f}",
                ",".join(p.languages),
                reason_text(p.reasons, taxonomy, lang),
            ]
            for p in result.pairs
        ],
        title=f"Mentoring round ({result.objective}): {len(result.pairs)} pairs",
    )
    parts = [pairs]
    if result.unmatched:
        parts.append(
            render_table(
                ["member", "name", "why unmatched"],
                [[u.member, names[u.member], u.reason] for u in result.unmatched],
                title=f"Left without a mentor: {len(result.unmatched)}",
            )
        )
    proof = "proven optimal" if result.optimal else "not a welfare optimum"
    lines = [
        f"members {result.members} · mentees with needs {result.mentees_with_needs} · "
        f"matched {result.mentees_matched} · pairs {len(result.pairs)}",
        f"total score {result.total_score:.4f} ({proof}) · candidates {result.candidates}",
    ]
    if result.welfare_total is not None:
        cost = result.welfare_total - result.total_score
        share = cost / result.welfare_total * 100 if result.welfare_total else 0.0
        lines.append(
            f"stability costs {cost:.4f} score ({share:.1f} %) against the welfare optimum "
            f"{result.welfare_total:.4f}"
        )
    parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def recommendations_document(member: str, direction: str, recs: tuple[Recommendation, ...]) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "member": member,
        "direction": direction,
        "recommendations": [
            {
                "member": r.member,
                "score": r.score,
                "languages": list(r.languages),
                "reasons": [reason_dict(x) for x in r.reasons],
                **(
                    {
                        "gives": [reason_dict(x) for x in r.gives],
                        "receives": [reason_dict(x) for x in r.receives],
                    }
                    if direction == "exchanges"
                    else {}
                ),
            }
            for r in recs
        ],
    }


def recommendations_table(
    member: str,
    direction: str,
    recs: tuple[Recommendation, ...],
    network: Network,
    taxonomy: Taxonomy,
    *,
    lang: str = "en",
) -> str:
    names = {m.id: m.name for m in network.members}
    if direction == "exchanges":
        return (
            render_table(
                ["#", "partner", "name", "score", "lang", f"{member} teaches", f"{member} learns"],
                [
                    [
                        k + 1,
                        r.member,
                        names[r.member],
                        f"{r.score:.3f}",
                        ",".join(r.languages),
                        reason_text(r.gives, taxonomy, lang),
                        reason_text(r.receives, taxonomy, lang),
                    ]
                    for k, r in enumerate(recs)
                ],
                title=f"Top exchange partners for {member}",
            )
            + "\n"
        )
    return (
        render_table(
            ["#", direction[:-1], "name", "score", "lang", "why"],
            [
                [
                    k + 1,
                    r.member,
                    names[r.member],
                    f"{r.score:.3f}",
                    ",".join(r.languages),
                    reason_text(r.reasons, taxonomy, lang),
                ]
                for k, r in enumerate(recs)
            ],
            title=f"Top {direction} for {member}",
        )
        + "\n"
    )
