"""Reciprocal exchanges as a JSON document (schema_version 1) and a table."""

from __future__ import annotations

from matcher import Network, Taxonomy
from matcher.exchanges import Exchange, ExchangeResult
from service.contract import input_sha256
from service.documents.encoding import SCHEMA_VERSION, reason_dict, reason_text
from service.documents.tables import render_table


def _direction(score: float, reasons) -> dict:
    return {"score": score, "reasons": [reason_dict(r) for r in reasons]}


def _pair_dict(e: Exchange) -> dict:
    return {
        "a": e.a,
        "b": e.b,
        "score": e.score,
        "languages": list(e.languages),
        "a_to_b": _direction(e.a_to_b, e.a_to_b_reasons),
        "b_to_a": _direction(e.b_to_a, e.b_to_a_reasons),
    }


def exchanges_document(result: ExchangeResult, network: Network) -> dict:
    """The JSON document of an exchanges run (schema_version 1)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "pairs": [_pair_dict(e) for e in result.pairs],
        "summary": {
            "pairs": len(result.pairs),
            "members": result.members,
            "eligible": result.eligible,
            "network_members": len(network.members),
            "reciprocal_pairs": result.reciprocal_pairs,
            "k": result.k,
            "total": result.total,
            "upper_bound": result.upper_bound,
            "optimal": result.optimal,
            "method": result.method,
            "taxonomy_version": network.taxonomy_version,
            "input_sha256": input_sha256(network),
        },
    }


def exchanges_table(
    result: ExchangeResult, network: Network, taxonomy: Taxonomy, *, lang: str = "en"
) -> str:
    """An exchanges run for people: each pair and what each side teaches."""
    pairs = render_table(
        ["#", "a", "b", "score", "lang", "a teaches b", "b teaches a"],
        [
            [
                n + 1,
                e.a,
                e.b,
                f"{e.score:.3f}",
                ",".join(e.languages),
                reason_text(e.a_to_b_reasons, taxonomy, lang),
                reason_text(e.b_to_a_reasons, taxonomy, lang),
            ]
            for n, e in enumerate(result.pairs)
        ],
        title=f"Reciprocal exchanges: {len(result.pairs)} pairs",
    )
    proof = {
        "exact": "proven optimal",
        "lp_rounding": "not proven optimal",
        "best_k_found": "best pairs found, not proven optimal for -k",
    }[result.method]
    summary = (
        f"members {len(network.members)} · with a reciprocal partner {result.eligible} · "
        f"in an exchange {result.members}\n"
        f"total score {result.total:.4f} ({proof}; bound {result.upper_bound:.4f}) · "
        f"reciprocal pairs {result.reciprocal_pairs}"
    )
    return f"{pairs}\n\n{summary}\n"
