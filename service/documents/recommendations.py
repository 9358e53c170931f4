"""Recommendations as a JSON document (schema_version 1) and a table."""

from __future__ import annotations

from matcher import Network, Recommendation, Taxonomy
from service.documents.encoding import SCHEMA_VERSION, reason_dict, reason_text
from service.documents.tables import render_table


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
