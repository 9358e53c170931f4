"""Reciprocal exchanges as a JSON document (schema_version 1) and a table."""

from __future__ import annotations

from matcher import Network, Taxonomy
from matcher.exchanges import Exchange, ExchangeResult
from service.contract import input_sha256
from service.documents.encoding import SCHEMA_VERSION, reason_dict, reason_text
from service.documents.tables import render_table
from service.translations import N_, gettext_for


def _direction(score: float, reasons) -> dict:
    return {"score": score, "reasons": [reason_dict(r) for r in reasons]}


def _pair_dict(e: Exchange) -> dict:
    return {
        "a": e.a,
        "b": e.b,
        "score": e.score,
        "reasons": [reason_dict(r) for r in e.reasons],
        "languages": list(e.languages),
        "a_to_b": _direction(e.a_to_b, e.a_to_b_reasons),
        "b_to_a": _direction(e.b_to_a, e.b_to_a_reasons),
    }


def exchanges_document(result: ExchangeResult, network: Network) -> dict:
    """The JSON document of an exchanges run (schema_version 1). A pair's
    ``reasons`` sum to its ``score`` (``matcher.exchanges.reciprocal_reasons``);
    ``a_to_b`` and ``b_to_a`` each give a direction's score and its own
    reasons, which sum to it."""
    return {
        "schema_version": SCHEMA_VERSION,
        "pairs": [_pair_dict(e) for e in result.pairs],
        "summary": exchanges_summary(result, network),
    }


def exchanges_summary(result: ExchangeResult, network: Network) -> dict:
    """An exchanges run's figures: pairs, members in one and eligible, the
    total against its proven bound, input (the CLI's document and a stored
    exchanges round's summary)."""
    return {
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
    }


def teaches(reasons) -> list[str]:
    """The theme keys among one direction's reasons: what that side teaches."""
    return [r.key for r in reasons if r.kind == "theme"]


PROOFS = {
    "exact": N_("proven optimal"),
    "lp_rounding": N_("not proven optimal"),
    "best_k_found": N_("best pairs found, not proven optimal for -k"),
}
"""What is known of an exchanges run's optimality, by ``ExchangeResult.method``."""


def exchanges_table(
    result: ExchangeResult, network: Network, taxonomy: Taxonomy, *, lang: str = "en"
) -> str:
    """An exchanges run for people: each pair and what each side teaches,
    headings and labels in ``lang``."""
    _ = gettext_for(lang).gettext
    pairs = render_table(
        ["#", "a", "b", _("score"), _("lang"), _("a teaches b"), _("b teaches a")],
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
        title=_("Reciprocal exchanges: {pairs} pairs").format(pairs=len(result.pairs)),
    )
    summary = _(
        "members {members} · with a reciprocal partner {eligible} · in an exchange {paired}\n"
        "total score {total} ({proof}; bound {bound}) · reciprocal pairs {reciprocal}"
    ).format(
        members=len(network.members),
        eligible=result.eligible,
        paired=result.members,
        total=f"{result.total:.4f}",
        proof=_(PROOFS[result.method]),
        bound=f"{result.upper_bound:.4f}",
        reciprocal=result.reciprocal_pairs,
    )
    return f"{pairs}\n\n{summary}\n"
