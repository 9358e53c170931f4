"""`peermatch circles` (registered on the main CLI app by service.cli): learning
circles as a table for people or a JSON document (schema_version 1) for machines."""

import re
from pathlib import Path
from typing import Annotated

import typer

from matcher import Network, Taxonomy, default_taxonomy, network_arrays
from matcher.circles import DEFAULT_SIZE, MAX_SIZE, CirclesResult, form_circles
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

_SIZE = re.compile(r"\s*(\d+)\s*-\s*(\d+)\s*")


def parse_size(text: str) -> tuple[int, int]:
    """``"4-8"`` → ``(4, 8)``; anything else is a bad-input error (exit 2).

    >>> parse_size("4-8")
    (4, 8)
    """
    from service.cli.support import fail

    match = _SIZE.fullmatch(text)
    low, high = (int(match[1]), int(match[2])) if match else (0, 0)
    if not match or not 2 <= low <= high <= MAX_SIZE:
        raise fail(
            f"--size must be MIN-MAX with 2 <= MIN <= MAX <= {MAX_SIZE} (e.g. 4-8), got '{text}'"
        )
    return low, high


def parse_themes(text: str | None, taxonomy: Taxonomy) -> list[str] | None:
    """``"k1,k2"`` → ``["k1", "k2"]``; an unknown key is an error naming the
    closest known one."""
    from service.cli.support import fail

    if text is None:
        return None
    keys = [k.strip() for k in text.split(",") if k.strip()]
    if not keys:
        raise fail("--themes needs at least one theme key (see `peermatch taxonomy`)")
    for key in keys:
        if key not in taxonomy:
            hint = taxonomy.suggest(key)
            extra = f"; did you mean '{hint}'?" if hint else "; `peermatch taxonomy` lists the keys"
            raise fail(f"--themes: unknown theme '{key}'{extra}")
    return keys


def circles_document(result: CirclesResult, network: Network) -> dict:
    """The JSON document of a circles run (schema_version 1)."""
    return {
        "schema_version": presenters.SCHEMA_VERSION,
        "circles": [
            {
                "theme": c.theme,
                "language": c.language,
                "score": c.score,
                "need_covered": c.need_covered,
                "soft": c.soft,
                "members": [
                    {
                        "member": m.id,
                        "role": m.role,
                        "need": m.need,
                        "expertise": m.expertise,
                        "credit": m.credit,
                    }
                    for m in c.members
                ],
                "reasons": [presenters.reason_dict(r) for r in c.reasons],
            }
            for c in result.circles
        ],
        "left_out": [
            {"member": x.member, "theme": x.theme, "code": x.code, "reason": x.reason}
            for x in result.left_out
        ],
        "summary": {
            "members": len(network.members),
            "circles": len(result.circles),
            "themes": list(result.themes),
            "skipped_themes": list(result.skipped_themes),
            "need_covered": result.need_covered,
            "bound": result.bound,
            "gap": result.gap,
            "demand": result.demand,
            "size": list(result.size),
            "max_per_member": result.max_per_member,
            "seed": result.seed,
            "taxonomy_version": network.taxonomy_version,
            "input_sha256": input_sha256(network),
        },
    }


def circles_table(result: CirclesResult, taxonomy: Taxonomy, *, lang: str = "en") -> str:
    """Circles for people: one row per member (theme, language and score on
    the circle's first row), then who was left out and the summary."""
    rows = []
    for k, circle in enumerate(result.circles, start=1):
        for n, m in enumerate(circle.members):
            first = n == 0
            rows.append(
                [
                    k if first else "",
                    taxonomy.label(circle.theme, lang) if first else "",
                    circle.language if first else "",
                    m.id,
                    m.role,
                    f"{m.credit:.2f}" if m.role == "learner" else "",
                    f"{circle.score:.2f}" if first else "",
                ]
            )
    parts = [
        render_table(
            ["#", "theme", "lang", "member", "role", "need covered", "score"],
            rows,
            title=f"Learning circles: {len(result.circles)} on {len(result.themes)} themes",
        )
    ]
    if result.left_out:
        parts.append(
            render_table(
                ["member", "theme", "why left out"],
                [[x.member, taxonomy.label(x.theme, lang), x.reason] for x in result.left_out],
                title=f"Needs left without a circle: {len(result.left_out)}",
            )
        )
    lines = [
        f"need covered {result.need_covered:.2f} of a bound of {result.bound:.2f} "
        f"(gap {result.gap * 100:.1f} %) · demand {result.demand:g} · "
        f"size {result.size[0]}-{result.size[1]} · max per member {result.max_per_member}",
    ]
    if result.skipped_themes:
        skipped = ", ".join(taxonomy.label(t, lang) for t in result.skipped_themes)
        lines.append(f"no circle can form on: {skipped}")
    parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def register(app: typer.Typer) -> None:
    """Add the command to `app`."""

    @app.command()
    def circles(
        network: NetworkArg = None,
        demo: Demo = False,
        themes: Annotated[
            str | None,
            typer.Option(
                help="Comma-separated theme keys (default: the 8 with most unmet demand)."
            ),
        ] = None,
        size: Annotated[
            str, typer.Option(help="Smallest and largest circle, MIN-MAX.")
        ] = f"{DEFAULT_SIZE[0]}-{DEFAULT_SIZE[1]}",
        max_per_member: Annotated[
            int, typer.Option(help="Most circles one member joins.", min=1, max=10)
        ] = 2,
        seed: Annotated[
            int | None,
            typer.Option(
                help="Tie-breaking seed (same seed → same circles).", min=0, max=2**31 - 1
            ),
        ] = None,
        out: Annotated[
            Path | None, typer.Option(help="Write to this file instead of stdout.")
        ] = None,
        fmt: Fmt = Format.table,
        lang: Lang = "en",
    ) -> None:
        """Form learning circles: 4–8 members on one theme in one shared
        language, around anchors, covering as much need as possible."""
        lang = check_lang(lang)
        if out is not None:
            check_output(out, inputs=(network,))
        bounds = parse_size(size)
        tax = default_taxonomy()
        keys = parse_themes(themes, tax)
        with bulk_work():
            net = load_network(network, demo=demo)
            result = form_circles(
                network_arrays(net, tax),
                themes=keys,
                size=bounds,
                max_per_member=max_per_member,
                seed=seed,
            )
            if fmt is Format.json:
                text = presenters.dumps(circles_document(result, net))
            else:
                text = circles_table(result, tax, lang=lang)
        write_output(text, out, inputs=(network,))
