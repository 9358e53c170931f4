"""Learning circles as a JSON document (schema_version 1) and a table."""

from __future__ import annotations

from matcher import Network, Taxonomy
from matcher.circles import CirclesResult
from matcher.circles.relax import CircleOption
from service.contract import input_sha256
from service.documents.encoding import SCHEMA_VERSION, reason_dict
from service.documents.tables import render_table
from service.translations import N_, gettext_for

Options = dict[tuple[str, str], tuple[CircleOption, ...]]


def circles_document(
    result: CirclesResult, network: Network, options: Options | None = None
) -> dict:
    """The JSON document of a circles run (schema_version 1); with
    ``options`` (:func:`matcher.circles.relax.circle_options`), each need
    left out lists what would place it."""
    return {
        "schema_version": SCHEMA_VERSION,
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
                "reasons": [reason_dict(r) for r in c.reasons],
            }
            for c in result.circles
        ],
        "left_out": left_out_list(result, options),
        "summary": circles_summary(result, network),
    }


def left_out_list(result: CirclesResult, options: Options | None = None) -> list[dict]:
    """Each (member, theme) need left without a circle, with the reason and,
    given ``options``, what would place it (``options``: kind, language,
    members, size, max_per_member, text)."""
    return [
        {
            "member": x.member,
            "theme": x.theme,
            "code": x.code,
            "reason": x.reason,
            **(
                {}
                if options is None
                else {
                    "options": [
                        {
                            "kind": o.kind,
                            "language": o.language,
                            "members": list(o.members),
                            "size": None if o.size is None else list(o.size),
                            "max_per_member": o.max_per_member,
                            "text": o.text,
                        }
                        for o in options.get((x.member, x.theme), ())
                    ]
                }
            ),
        }
        for x in result.left_out
    ]


def circles_summary(result: CirclesResult, network: Network) -> dict:
    """A circles run's figures: need covered against its bound, options, input."""
    return {
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
    }


ROLES = {"anchor": N_("anchor"), "learner": N_("learner")}
"""A circle member's role: the anchor knows the theme well, learners need it."""


def circles_table(
    result: CirclesResult, taxonomy: Taxonomy, *, lang: str = "en", options: Options | None = None
) -> str:
    """Circles for people: one row per member (theme, language and score on
    the circle's first row), then who was left out (with ``options``, what
    would place each) and the summary. Headings and labels in ``lang``; the
    engine's explanation of why a need was left out, and its options, stay
    as it gives them (English, with their counts)."""
    _ = gettext_for(lang).gettext
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
                    _(ROLES[m.role]),
                    f"{m.credit:.2f}" if m.role == "learner" else "",
                    f"{circle.score:.2f}" if first else "",
                ]
            )
    parts = [
        render_table(
            ["#", _("theme"), _("lang"), _("member"), _("role"), _("need covered"), _("score")],
            rows,
            title=_("Learning circles: {circles} on {themes} themes").format(
                circles=len(result.circles), themes=len(result.themes)
            ),
        )
    ]
    if result.left_out:
        headings = [_("member"), _("theme"), _("why left out")]
        rows = [[x.member, taxonomy.label(x.theme, lang), x.reason] for x in result.left_out]
        if options is not None:
            headings.append(_("what would place it"))
            for row, x in zip(rows, result.left_out, strict=True):
                found = options.get((x.member, x.theme))
                row.append(found[0].text if found else "-")
        parts.append(
            render_table(
                headings,
                rows,
                title=_("Needs left without a circle: {n}").format(n=len(result.left_out)),
            )
        )
    lines = [
        _(
            "need covered {covered} of a bound of {bound} (gap {gap} %) · demand {demand} · "
            "size {low}-{high} · max per member {most}"
        ).format(
            covered=f"{result.need_covered:.2f}",
            bound=f"{result.bound:.2f}",
            gap=f"{result.gap * 100:.1f}",
            demand=f"{result.demand:g}",
            low=result.size[0],
            high=result.size[1],
            most=result.max_per_member,
        ),
    ]
    if result.skipped_themes:
        skipped = ", ".join(taxonomy.label(t, lang) for t in result.skipped_themes)
        lines.append(_("no circle can form on: {themes}").format(themes=skipped))
    parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"
