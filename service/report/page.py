"""The report page: one self-contained HTML document for the secretariat in
one of the five label languages, figures embedded as PNG (``data:`` URLs,
nothing fetched from elsewhere). Same network and language → same bytes:
nothing depends on the clock or the input's file name.

Sentences are written here in English and translated through the catalogues
(:mod:`service.translations`); numbers and lists are written the way the
language writes them. The ``data-*`` attributes keep the JSON's keys and
numbers for machines (and the tests)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from matcher.taxonomy import LABEL_LANGUAGES
from service.contract import input_sha256
from service.documents.capacity_map import brokers_title, south_south_sentence, unmet_reason
from service.documents.encoding import reason_text
from service.report.analysis import Analysis
from service.report.figures import (
    GRAPH_NODES,
    capacity_heatmap,
    heatmap_rows,
    help_graph_figure,
    round_figure,
)
from service.report.flow_section import flow_section
from service.report.html import STYLE, bdi, figure_html, html_table, listed_note, tag
from service.report.outcomes_section import outcomes_section
from service.report.words import RTL_LANGUAGES, unmatched_reason
from service.translations import LOCALES, gettext_for
from service.translations.formats import format_list, format_number, format_share

TABLE_ROWS = 10
"""Rows of the unmet-needs and single-points-of-failure tables (the map keeps
only a few brokers: their table lists them all)."""
LISTED = 200
"""Most pairs, circles and exchanges listed; the CLI's JSON has them all."""


def _key_figures(a: Analysis, lang: str) -> str:
    t = gettext_for(lang)
    south = a.capacity.south_south
    share = "—" if south.share is None else format_share(south.share, lang)
    wanting = format_number(a.round.mentees_with_needs, lang)
    # The context tells translators that these labels follow a large number
    # ("126 members": Arabic writes the noun after a number differently).
    items = [
        ("members", len(a.network.members), t.pgettext("key figure", "members")),
        (
            "mentees_matched",
            a.round.mentees_matched,
            t.pgettext("key figure", "of the {n} members seeking a mentor get one").format(
                n=wanting
            ),
        ),
        ("pairs", len(a.round.pairs), t.pgettext("key figure", "mentor pairs proposed")),
        (
            "unserved",
            sum(row.unserved for row in a.capacity.themes),
            t.pgettext("key figure", "needs the network cannot meet from its own members"),
        ),
        (
            "single_points_of_failure",
            len(a.capacity.single_points_of_failure),
            t.pgettext("key figure", "themes and languages resting on one expert only"),
        ),
        (
            "south_south_share",
            share,
            t.pgettext("key figure", "of Southern needs could be met by a Southern expert"),
        ),
        ("circles", len(a.circles.circles), t.pgettext("key figure", "learning circles")),
        ("exchanges", len(a.exchanges.pairs), t.pgettext("key figure", "reciprocal exchanges")),
    ]
    lis = "".join(
        f'<li data-field="{key}"><span class="value" dir="ltr">'
        f"{escape(value if isinstance(value, str) else format_number(value, lang))}</span>"
        f'<span class="label">{escape(text)}</span></li>'
        for key, value, text in items
    )
    return (
        '<section id="key-figures">'
        + tag("h2", t.gettext("Key figures"))
        + f'<ul class="figures">{lis}</ul></section>'
    )


def _capacity_section(a: Analysis, lang: str, progress: Callable[[str], None]) -> str:
    _ = gettext_for(lang).gettext
    tax, cmap = a.taxonomy, a.capacity

    def n(value: int) -> str:
        return format_number(value, lang)

    parts = [
        '<section id="capacity-map">' + tag("h2", _("Capacity map: strengths and gaps")),
        "<p>"
        + escape(
            _(
                "Each row is a theme members need, each column a region. In each cell: experts / "
                "members in need. Blue: more experts than needs; red: more needs than experts. "
                "The bars count the members in need whom no expert sharing their language could "
                "take, even if every expert gave that theme all its time."
            )
        )
        + "</p>",
    ]
    if heatmap_rows(cmap):
        progress("drawing the capacity map")
        alt = _("Heatmap of experts and members in need by theme and region")
        parts.append(figure_html(capacity_heatmap(cmap, tax, lang=lang), alt))
    south = cmap.south_south
    share = "—" if south.share is None else format_share(south.share, lang, 1)
    parts.append(
        f"<p>{escape(south_south_sentence(n(south.met), n(south.needs), share, lang))}</p>"
    )
    unmet = cmap.unmet[:TABLE_ROWS]
    parts.append(tag("h3", _("Unmet needs: expertise to bring in from outside")))
    parts.append(
        html_table(
            [_("theme"), _("language"), _("why"), _("members"), _("in need"), _("mentor capacity")],
            [
                [
                    tax.label(g.theme, lang),
                    g.language,
                    unmet_reason(g.code, lang),
                    n(g.members),
                    n(g.demand),
                    n(g.capacity),
                ]
                for g in unmet
            ],
            row_data=[
                {"theme": g.theme, "language": g.language, "code": g.code, "members": g.members}
                for g in unmet
            ],
        )
        if unmet
        else tag("p", _("none"))
    )
    parts.append(listed_note(len(unmet), len(cmap.unmet), "peermatch map --format json", lang))
    # The CLI's note names its table's "unserved" column; here those counts
    # are the bars beside the heatmap.
    note = _(
        "members: those with no expert in any of their languages, or those in need beyond "
        "the experts' capacity in the language (an estimate: members and experts may use "
        "several languages); the exact count per theme is the bar beside the heatmap"
    )
    parts.append(f'<p class="note">{escape(note)}</p>')
    spof = cmap.single_points_of_failure[:TABLE_ROWS]
    parts.append(tag("h3", _("Single points of failure: one expert only")))
    parts.append(
        html_table(
            [
                _("theme"),
                _("language"),
                _("only expert"),
                _("depending on it"),
                _("no other expert"),
            ],
            [
                [
                    tax.label(s.theme, lang),
                    s.language,
                    bdi(s.expert),
                    n(s.dependents),
                    n(s.stranded),
                ]
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
        else tag("p", _("none"))
    )
    parts.append(
        listed_note(
            len(spof), len(cmap.single_points_of_failure), "peermatch map --format json", lang
        )
    )
    parts.append("</section>")
    return "".join(parts)


def _proof(optimal: bool, lang: str) -> str:
    _ = gettext_for(lang).gettext
    return _("proven the best possible") if optimal else _("not proven the best possible")


def _round_section(a: Analysis, lang: str, progress: Callable[[str], None]) -> str:
    _ = gettext_for(lang).gettext
    tax, result = a.taxonomy, a.round
    names = {m.id: m.name for m in a.network.members}
    summary = _(
        "{matched} of the {wanting} members seeking a mentor get one, in {pairs} pairs. "
        "Total score {total} ({proof})."
    ).format(
        matched=format_number(result.mentees_matched, lang),
        wanting=format_number(result.mentees_with_needs, lang),
        pairs=format_number(len(result.pairs), lang),
        total=format_number(result.total_score, lang, 2),
        proof=_proof(result.optimal, lang),
    )
    intro = _(
        "Each pair joins a member with a mentor who is stronger on one of its needs and "
        "shares a working language with it. The score adds up what the mentor can teach on "
        "each theme (one point = an urgent need met by someone who can train others) and "
        "small bonuses, for South–South pairs for instance; the reasons listed add up to it."
    )
    progress("drawing the mentoring round")
    listed = result.pairs[:LISTED]
    parts = [
        '<section id="mentoring-round">' + tag("h2", _("Mentoring round: proposed pairs")),
        f"<p>{escape(intro)}</p>",
        f'<p class="summary">{escape(summary)}</p>',
        figure_html(
            round_figure(result, a.network, lang=lang),
            _("Members seeking a mentor, and pairs by direction"),
        ),
        html_table(
            [_("mentee"), _("mentor"), _("score"), _("language"), _("why (largest first)")],
            [
                [
                    bdi(p.mentee),
                    bdi(p.mentor),
                    format_number(p.score, lang, 2),
                    format_list(p.languages, lang),
                    reason_text(p.reasons, tax, lang, locale_numbers=True),
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
        parts.append(tag("h3", _("Left without a mentor")))
        members = {m.id: m for m in a.network.members}
        parts.append(
            html_table(
                [_("member"), _("name"), _("why")],
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
    _ = gettext_for(lang).gettext
    tax, res = a.taxonomy, a.circles
    themes = format_list((tax.label(k, lang) for k in res.themes), lang) or _("none")
    listed = res.circles[:LISTED]
    intro = _(
        "Groups of {low} to {high} members who learn one theme together in one shared "
        "language, each around at least one anchor who knows the theme well, on the themes "
        "with the most unmet demand: {themes}."
    ).format(
        low=format_number(res.size[0], lang), high=format_number(res.size[1], lang), themes=themes
    )
    summary = _(
        "{circles} circles cover {covered} need levels out of at most {bound} possible "
        "(gap {gap}); {left} needs on these themes stay without a circle."
    ).format(
        circles=format_number(len(res.circles), lang),
        covered=format_number(res.need_covered, lang, 2),
        bound=format_number(res.bound, lang, 2),
        gap=format_share(res.gap, lang, 1),
        left=format_number(len(res.left_out), lang),
    )
    rows, data = [], []
    for k, c in enumerate(listed, start=1):
        # Ids, left to right in every language: a plain comma between them.
        anchors = [m.id for m in c.members if m.role == "anchor"]
        learners = [m.id for m in c.members if m.role == "learner"]
        rows.append(
            [
                format_number(k, lang),
                tax.label(c.theme, lang),
                c.language,
                bdi(", ".join(anchors)),
                bdi(", ".join(learners)),
                format_number(c.need_covered, lang, 2),
            ]
        )
        data.append({"theme": c.theme, "language": c.language, "members": " ".join(c.ids)})
    headers = ["#", _("theme"), _("language"), _("anchors"), _("learners"), _("need covered")]
    return "".join(
        [
            '<section id="learning-circles">' + tag("h2", _("Learning circles")),
            f"<p>{escape(intro)}</p>",
            f'<p class="summary">{escape(summary)}</p>',
            html_table(headers, rows, row_data=data) if rows else tag("p", _("none")),
            listed_note(len(listed), len(res.circles), "peermatch circles --format json", lang),
            "</section>",
        ]
    )


def _graph_section(a: Analysis, lang: str, progress: Callable[[str], None]) -> str:
    _ = gettext_for(lang).gettext
    tax = a.taxonomy
    names = {m.id: m.name for m in a.network.members}

    def n(value: int) -> str:
        return format_number(value, lang)

    intro = _(
        "Each dot is a member; a thin grey line joins two members when one could mentor the "
        "other. Colours show the theme of the learning circle a member joins, thick lines "
        "the reciprocal exchanges where each side teaches the other, and names the brokers "
        "who link groups that would otherwise stay apart. The bigger the dot, the more "
        "members it can help."
    )
    parts = [
        '<section id="help-graph">' + tag("h2", _("Who can help whom")),
        f"<p>{escape(intro)}</p>",
    ]
    if a.graph.number_of_nodes():
        progress("drawing the help graph")
        total = a.graph.number_of_nodes()
        caption = (
            _("Showing the {shown} best-connected of the {total} members.").format(
                shown=n(GRAPH_NODES), total=n(total)
            )
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
        alt = _("The help graph with learning circles, exchanges and brokers")
        parts.append(figure_html(figure, alt, caption))
    brokers = a.capacity.brokers
    parts.append(f"<h3>{escape(brokers_title(a.capacity, lang))}</h3>")
    parts.append(
        html_table(
            ["#", _("member"), _("name"), _("betweenness"), _("can help"), _("helped by")],
            [
                [
                    n(k),
                    bdi(b.member),
                    bdi(names[b.member]),
                    format_number(b.score, lang, 4),
                    n(b.can_help),
                    n(b.helped_by),
                ]
                for k, b in enumerate(brokers, start=1)
            ],
            row_data=[{"member": b.member, "score": repr(b.score)} for b in brokers],
        )
        if brokers
        else tag("p", _("none"))
    )
    ex = a.exchanges
    listed = ex.pairs[:LISTED]
    summary = _(
        "{pairs} exchanges involve {members} of the {eligible} members who have a "
        "reciprocal partner ({proof})."
    ).format(
        pairs=n(len(ex.pairs)),
        members=n(ex.members),
        eligible=n(ex.eligible),
        proof=_proof(ex.optimal, lang),
    )
    parts += [tag("h3", _("Reciprocal exchanges")), f"<p>{escape(summary)}</p>"]
    if listed:
        parts.append(
            html_table(
                [_("member A"), _("member B"), _("A teaches B"), _("B teaches A")],
                [
                    [
                        bdi(e.a),
                        bdi(e.b),
                        reason_text(e.a_to_b_reasons, tax, lang, locale_numbers=True),
                        reason_text(e.b_to_a_reasons, tax, lang, locale_numbers=True),
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
    _ = gettext_for(lang).gettext
    say = progress or (lambda _step: None)
    a = analysis
    direction = "rtl" if lang in RTL_LANGUAGES else "ltr"
    commands = format_list(
        (
            f'<code dir="ltr">peermatch {c} --format json</code>'
            for c in ("map", "match", "circles", "exchanges")
        ),
        lang,
    )
    # Markers for the parts that are HTML (as in listed_note).
    footer = escape(
        _(
            "Made by peermatch from the network document with SHA-256 {sha} (taxonomy "
            "{version}). The same numbers come from: {commands}."
        ).format(sha="§sha§", version=a.network.taxonomy_version, commands="§commands§")
    )
    footer = footer.replace("§sha§", f'<code dir="ltr">{input_sha256(a.network)}</code>').replace(
        "§commands§", commands
    )
    title = escape(_("Peer learning across the network"))
    lede = _(
        "{members} members. Where know-how is and where it is missing, the mentor pairs "
        "proposed for this round, the learning circles, and who can help whom."
    ).format(members=format_number(len(a.network.members), lang))
    if a.history is not None and a.history.rounds:
        lede += " " + _(
            "From the {rounds} rounds published so far: what worked, and how knowledge flowed."
        ).format(rounds=format_number(len(a.history.rounds), lang))
    body = "".join(
        [
            f"<header><h1>{title}</h1>",
            f'<p class="lede">{escape(lede)}</p></header>',
            _key_figures(a, lang),
            _capacity_section(a, lang, say),
            _round_section(a, lang, say),
            _circles_section(a, lang),
            _graph_section(a, lang, say),
            outcomes_section(a, lang, say),
            flow_section(a, lang, say),
            f"<footer><p>{footer}</p></footer>",
        ]
    )
    # The language tag of the catalogue: pt-BR, not just pt.
    tag = LOCALES[lang].replace("_", "-")
    return (
        f'<!DOCTYPE html>\n<html lang="{tag}" dir="{direction}">\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )
