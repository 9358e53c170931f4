"""A mentoring round as a JSON document (schema_version 1) and a table."""

from __future__ import annotations

from matcher import Network, RoundResult, Taxonomy
from service.contract import input_sha256
from service.documents.encoding import SCHEMA_VERSION, reason_dict, reason_text
from service.documents.tables import render_table
from service.gc_pause import collector_paused


def round_summary(result: RoundResult, network: Network, *, seed: int | None) -> dict:
    """A mentoring round's figures: coverage, total, optimality, input."""
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
    return summary


def unmatched_list(result: RoundResult) -> list[dict]:
    """Each mentee left without a mentor, with the reason's code and words."""
    return [{"member": u.member, "code": u.code, "reason": u.reason} for u in result.unmatched]


def round_document(result: RoundResult, network: Network, *, seed: int | None) -> dict:
    """The JSON document of a mentoring round (schema_version 1)."""
    summary = round_summary(result, network, seed=seed)
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
        unmatched = unmatched_list(result)
    return {
        "schema_version": SCHEMA_VERSION,
        "objective": result.objective,
        "pairs": pairs,
        "unmatched": unmatched,
        "summary": summary,
    }


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
