"""The report page: one self-contained HTML document for the secretariat in
one of the five label languages, figures embedded as PNG (``data:`` URLs,
nothing fetched from elsewhere). Same network and language → same bytes:
nothing depends on the clock or the input's file name."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from matcher.taxonomy import LABEL_LANGUAGES
from service.contract import input_sha256
from service.documents.capacity_map import HEADINGS
from service.report.analysis import Analysis
from service.report.figures import (
    GRAPH_NODES,
    capacity_heatmap,
    heatmap_rows,
    help_graph_figure,
    round_figure,
)
from service.report.html import STYLE, bdi, figure_html, html_table, listed_note
from service.report.text import (
    RTL_LANGUAGES,
    TEXT,
    join_list,
    number,
    reasons_text,
    unmatched_reason,
)

TABLE_ROWS = 10
"""Rows of the unmet-needs and single-points-of-failure tables (the map keeps
only a few brokers: their table lists them all)."""
LISTED = 200
"""Most pairs, circles and exchanges listed; the CLI's JSON has them all."""


def _key_figures(a: Analysis, lang: str) -> str:
    t = TEXT
    south = a.capacity.south_south
    share = "—" if south.share is None else number(south.share, ".0%", lang)
    items = [
        ("members", len(a.network.members), t["fig_members"][lang]),
        (
            "mentees_matched",
            a.round.mentees_matched,
            t["fig_matched"][lang].format(n=a.round.mentees_with_needs),
        ),
        ("pairs", len(a.round.pairs), t["fig_pairs"][lang]),
        ("unserved", sum(row.unserved for row in a.capacity.themes), t["fig_unserved"][lang]),
        (
            "single_points_of_failure",
            len(a.capacity.single_points_of_failure),
            t["fig_spof"][lang],
        ),
        ("south_south_share", share, t["fig_south"][lang]),
        ("circles", len(a.circles.circles), t["fig_circles"][lang]),
        ("exchanges", len(a.exchanges.pairs), t["fig_exchanges"][lang]),
    ]
    lis = "".join(
        f'<li data-field="{key}"><span class="value" dir="ltr">{escape(str(value))}</span>'
        f'<span class="label">{escape(label)}</span></li>'
        for key, value, label in items
    )
    return (
        f'<section id="key-figures"><h2>{escape(t["key_figures"][lang])}</h2>'
        f'<ul class="figures">{lis}</ul></section>'
    )


def _capacity_section(a: Analysis, lang: str, progress: Callable[[str], None]) -> str:
    h = HEADINGS
    tax, cmap = a.taxonomy, a.capacity
    parts = [
        f'<section id="capacity-map"><h2>{escape(TEXT["map_title"][lang])}</h2>',
        f"<p>{escape(TEXT['map_intro'][lang])}</p>",
    ]
    if heatmap_rows(cmap):
        progress("drawing the capacity map")
        parts.append(figure_html(capacity_heatmap(cmap, tax, lang=lang), TEXT["heatmap_alt"][lang]))
    south = cmap.south_south
    share = "—" if south.share is None else number(south.share, ".1%", lang)
    parts.append(
        f"<p>{escape(h['south_south'][lang].format(met=south.met, needs=south.needs, share=share))}"
        "</p>"
    )
    unmet = cmap.unmet[:TABLE_ROWS]
    parts.append(f"<h3>{escape(h['unmet'][lang])}</h3>")
    parts.append(
        html_table(
            [h[k][lang] for k in ("theme", "language", "why", "members", "in_need", "capacity")],
            [
                [
                    tax.label(g.theme, lang),
                    g.language,
                    h[g.code][lang],
                    g.members,
                    g.demand,
                    g.capacity,
                ]
                for g in unmet
            ],
            row_data=[
                {"theme": g.theme, "language": g.language, "code": g.code, "members": g.members}
                for g in unmet
            ],
        )
        if unmet
        else f"<p>{escape(h['none'][lang])}</p>"
    )
    parts.append(listed_note(len(unmet), len(cmap.unmet), "peermatch map --format json", lang))
    # The CLI's note names its table's "unserved" column; here those counts
    # are the bars beside the heatmap.
    parts.append(f'<p class="note">{escape(TEXT["unmet_note"][lang])}</p>')
    spof = cmap.single_points_of_failure[:TABLE_ROWS]
    parts.append(f"<h3>{escape(h['spof'][lang])}</h3>")
    parts.append(
        html_table(
            [h[k][lang] for k in ("theme", "language", "only_expert", "dependents", "stranded")],
            [
                [tax.label(s.theme, lang), s.language, bdi(s.expert), s.dependents, s.stranded]
                for s in spof
            ],
            row_data=[
                {
                    "theme": s.theme,
                    "language": s.language,
                    "expert": s.expert,
                    "dependents": s.dependents,
                }
                for s in spof
            ],
        )
        if spof
        else f"<p>{escape(h['none'][lang])}</p>"
    )
    parts.append(
        listed_note(
            len(spof), len(cmap.single_points_of_failure), "peermatch map --format json", lang
        )
    )
    parts.append("</section>")
    return "".join(parts)


def _round_section(a: Analysis, lang: str, progress: Callable[[str], None]) -> str:
    t, tax, result = TEXT, a.taxonomy, a.round
    names = {m.id: m.name for m in a.network.members}
    proof = t["proven" if result.optimal else "not_proven"][lang]
    summary = t["round_summary"][lang].format(
        matched=result.mentees_matched,
        wanting=result.mentees_with_needs,
        pairs=len(result.pairs),
        total=number(result.total_score, ".2f", lang),
        proof=proof,
    )
    progress("drawing the mentoring round")
    listed = result.pairs[:LISTED]
    parts = [
        f'<section id="mentoring-round"><h2>{escape(t["round_title"][lang])}</h2>',
        f"<p>{escape(t['round_intro'][lang])}</p>",
        f'<p class="summary">{escape(summary)}</p>',
        figure_html(round_figure(result, a.network, lang=lang), t["round_alt"][lang]),
        html_table(
            [t[k][lang] for k in ("mentee", "mentor", "score", "languages", "why")],
            [
                [
                    bdi(p.mentee),
                    bdi(p.mentor),
                    number(p.score, ".2f", lang),
                    join_list(p.languages, lang),
                    reasons_text(p.reasons, tax, lang),
                ]
                for p in listed
            ],
            row_data=[
                {"mentee": p.mentee, "mentor": p.mentor, "score": repr(p.score)} for p in listed
            ],
        ),
        listed_note(len(listed), len(result.pairs), "peermatch match --format json", lang),
    ]
    if result.unmatched:
        parts.append(f"<h3>{escape(t['unmatched_title'][lang])}</h3>")
        members = {m.id: m for m in a.network.members}
        parts.append(
            html_table(
                [t[k][lang] for k in ("member", "name", "why_unmatched")],
                [
                    [
                        bdi(u.member),
                        bdi(names[u.member]),
                        unmatched_reason(u.code, members[u.member], tax, lang),
                    ]
                    for u in result.unmatched
                ],
                row_data=[{"member": u.member, "code": u.code} for u in result.unmatched],
            )
        )
    parts.append("</section>")
    return "".join(parts)


def _circles_section(a: Analysis, lang: str) -> str:
    t, tax, res = TEXT, a.taxonomy, a.circles
    themes = join_list((tax.label(k, lang) for k in res.themes), lang) or HEADINGS["none"][lang]
    listed = res.circles[:LISTED]
    summary = t["circles_summary"][lang].format(
        circles=len(res.circles),
        covered=number(res.need_covered, ".2f", lang),
        bound=number(res.bound, ".2f", lang),
        gap=number(res.gap, ".1%", lang),
        left=len(res.left_out),
    )
    rows, data = [], []
    for k, c in enumerate(listed, start=1):
        anchors = [m.id for m in c.members if m.role == "anchor"]
        learners = [m.id for m in c.members if m.role == "learner"]
        rows.append(
            [
                k,
                tax.label(c.theme, lang),
                c.language,
                bdi(", ".join(anchors)),
                bdi(", ".join(learners)),
                number(c.need_covered, ".2f", lang),
            ]
        )
        data.append({"theme": c.theme, "language": c.language, "members": " ".join(c.ids)})
    return "".join(
        [
            f'<section id="learning-circles"><h2>{escape(t["circles_title"][lang])}</h2>',
            "<p>"
            + escape(
                t["circles_intro"][lang].format(low=res.size[0], high=res.size[1], themes=themes)
            )
            + "</p>",
            f'<p class="summary">{escape(summary)}</p>',
            html_table(
                [
                    "#",
                    HEADINGS["theme"][lang],
                    t["languages"][lang],
                    t["anchors"][lang],
                    t["learners"][lang],
                    t["need_covered"][lang],
                ],
                rows,
                row_data=data,
            )
            if rows
            else f"<p>{escape(HEADINGS['none'][lang])}</p>",
            listed_note(len(listed), len(res.circles), "peermatch circles --format json", lang),
            "</section>",
        ]
    )


def _graph_section(a: Analysis, lang: str, progress: Callable[[str], None]) -> str:
    t, h, tax = TEXT, HEADINGS, a.taxonomy
    names = {m.id: m.name for m in a.network.members}
    parts = [
        f'<section id="help-graph"><h2>{escape(t["graph_title"][lang])}</h2>',
        f"<p>{escape(t['graph_intro'][lang])}</p>",
    ]
    if a.graph.number_of_nodes():
        progress("drawing the help graph")
        total = a.graph.number_of_nodes()
        caption = (
            t["graph_subset"][lang].format(shown=GRAPH_NODES, total=total)
            if total > GRAPH_NODES
            else ""
        )
        figure = help_graph_figure(
            a.graph,
            circles=a.circles,
            exchanges=a.exchanges,
            cmap=a.capacity,
            taxonomy=tax,
            lang=lang,
        )
        parts.append(figure_html(figure, t["graph_alt"][lang], caption))
    brokers = a.capacity.brokers
    title = h["brokers"][lang]
    if a.capacity.broker_sources is not None:
        title += f" ({h['sampled'][lang].format(k=a.capacity.broker_sources)})"
    parts.append(f"<h3>{escape(title)}</h3>")
    parts.append(
        html_table(
            ["#", *(h[k][lang] for k in ("member", "name", "score", "can_help", "helped_by"))],
            [
                [
                    k,
                    bdi(b.member),
                    bdi(names[b.member]),
                    number(b.score, ".4f", lang),
                    b.can_help,
                    b.helped_by,
                ]
                for k, b in enumerate(brokers, start=1)
            ],
            row_data=[{"member": b.member, "score": repr(b.score)} for b in brokers],
        )
        if brokers
        else f"<p>{escape(h['none'][lang])}</p>"
    )
    ex = a.exchanges
    proof = t["proven" if ex.optimal else "not_proven"][lang]
    listed = ex.pairs[:LISTED]
    parts += [
        f"<h3>{escape(t['exchanges_title'][lang])}</h3>",
        "<p>"
        + escape(
            t["exchanges_summary"][lang].format(
                pairs=len(ex.pairs), members=ex.members, eligible=ex.eligible, proof=proof
            )
        )
        + "</p>",
    ]
    if listed:
        parts.append(
            html_table(
                [t[k][lang] for k in ("member_a", "member_b", "a_teaches_b", "b_teaches_a")],
                [
                    [
                        bdi(e.a),
                        bdi(e.b),
                        reasons_text(e.a_to_b_reasons, tax, lang),
                        reasons_text(e.b_to_a_reasons, tax, lang),
                    ]
                    for e in listed
                ],
                row_data=[{"a": e.a, "b": e.b} for e in listed],
            )
        )
        parts.append(
            listed_note(len(listed), len(ex.pairs), "peermatch exchanges --format json", lang)
        )
    parts.append("</section>")
    return "".join(parts)


def render_report(
    analysis: Analysis, *, lang: str = "en", progress: Callable[[str], None] | None = None
) -> str:
    """The report as one HTML document (UTF-8 text) in ``lang``; ``progress``
    is told each figure before it is drawn."""
    if lang not in LABEL_LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LABEL_LANGUAGES)}, got {lang!r}")
    say = progress or (lambda _step: None)
    a, t = analysis, TEXT
    direction = "rtl" if lang in RTL_LANGUAGES else "ltr"
    commands = ", ".join(
        f'<code dir="ltr">peermatch {c} --format json</code>'
        for c in ("map", "match", "circles", "exchanges")
    )
    # Markers for the parts that are HTML (as in _listed_note).
    footer = escape(
        t["footer"][lang].format(
            sha="§sha§", version=a.network.taxonomy_version, commands="§commands§"
        )
    )
    footer = footer.replace("§sha§", f'<code dir="ltr">{input_sha256(a.network)}</code>').replace(
        "§commands§", commands
    )
    body = "".join(
        [
            f"<header><h1>{escape(t['title'][lang])}</h1>",
            f'<p class="lede">{escape(t["lede"][lang].format(members=len(a.network.members)))}'
            "</p></header>",
            _key_figures(a, lang),
            _capacity_section(a, lang, say),
            _round_section(a, lang, say),
            _circles_section(a, lang),
            _graph_section(a, lang, say),
            f"<footer><p>{footer}</p></footer>",
        ]
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}" dir="{direction}">\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(t['title'][lang])}</title>\n<style>{STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )
