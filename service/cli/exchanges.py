"""`peermatch exchanges` (registered on the main CLI app by service.cli):
reciprocal exchanges as a table for people or a JSON document (schema_version
1) for machines."""

from pathlib import Path
from typing import Annotated

import typer

from matcher import Network, Taxonomy, default_taxonomy, network_arrays
from matcher.exchanges import Exchange, ExchangeResult, exchange_pairs
from service.cli.support import (
    Demo,
    Fmt,
    Format,
    Lang,
    NetworkArg,
    bulk_work,
    check_lang,
    check_output,
    load_network,
    write_output,
)
from service.contract import input_sha256
from service.documents import presenters
from service.documents.tables import render_table


def _direction(score: float, reasons) -> dict:
    return {"score": score, "reasons": [presenters.reason_dict(r) for r in reasons]}


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
        "schema_version": presenters.SCHEMA_VERSION,
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
                presenters.reason_text(e.a_to_b_reasons, taxonomy, lang),
                presenters.reason_text(e.b_to_a_reasons, taxonomy, lang),
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


def register(app: typer.Typer) -> None:
    """Add the command to `app`."""

    @app.command()
    def exchanges(
        network: NetworkArg = None,
        demo: Demo = False,
        k: Annotated[
            int | None, typer.Option("-k", help="At most this many exchanges.", min=1)
        ] = None,
        fmt: Fmt = Format.table,
        lang: Lang = "en",
        out: Annotated[
            Path | None, typer.Option(help="Write to this file instead of stdout.")
        ] = None,
    ) -> None:
        """Reciprocal exchanges: disjoint pairs of members who can each teach
        the other, of the largest total score, both directions explained."""
        lang = check_lang(lang)
        if out is not None:
            check_output(out, inputs=(network,))
        tax = default_taxonomy()
        with bulk_work():
            net = load_network(network, demo=demo)
            result = exchange_pairs(network_arrays(net, tax), k=k)
            if fmt is Format.json:
                text = presenters.dumps(exchanges_document(result, net))
            else:
                text = exchanges_table(result, net, tax, lang=lang)
        write_output(text, out, inputs=(network,))
