"""The report's "What works" section: the outcome analysis's document
(:func:`service.documents.outcomes.outcomes_document`, what
``GET /v1/outcomes`` answers an admin) rendered as tables with its
plain-words verdicts, and the figure of :mod:`service.report.outcome_figures`
inline (SVG whose text the browser lays out: Arabic is shaped and mirrored).

Groups stay in the document's fixed order and are never ranked; a group with
too few answers shows its verdict ("too few to tell") instead of figures.
Comments are not in the report (the console shows them to the secretariat)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from service.documents.outcomes import Interval, OutcomeGroup, OutcomesDocument, outcomes_document
from service.report.analysis import Analysis
from service.report.flow_section import no_history_html
from service.report.html import tag
from service.report.outcome_figures import figure_svg, outcomes_figure
from service.translations import gettext_for
from service.translations.formats import format_number, format_share

SECTION_ID = "what-works"


def _estimate(value: float | None, interval: Interval | None, show: Callable[[float], str]) -> str:
    """A figure and its likely range, isolated left to right (a minus sign and
    a range must not be reordered in Arabic)."""
    if value is None:
        return "—"
    around = (
        f' <span class="note">({escape(show(interval.low))}–{escape(show(interval.high))})</span>'
        if interval
        else ""
    )
    return f'<bdi dir="ltr">{escape(show(value))}{around}</bdi>'


def _row(g: OutcomeGroup, lang: str, *, total: bool = False, grouping: str = "") -> str:
    def share(x: float) -> str:
        return format_share(x, lang)

    def decimal(x: float) -> str:
        return format_number(x, lang, 1)

    cells = [
        f"<td>{format_number(g.relations, lang)}</td>",
        f"<td>{'—' if g.response_rate is None else share(g.response_rate)}</td>",
        f"<td>{format_number(g.answers, lang)}</td>",
    ]
    if g.enough:
        cells += [
            f"<td>{_estimate(g.share_met, g.share_met_interval, share)}</td>",
            f"<td>{_estimate(g.mean_usefulness, g.usefulness_interval, decimal)}</td>",
            f"<td>{'—' if g.themes_learned is None else decimal(g.themes_learned)}</td>",
            f"<td>{'—' if g.continued is None else share(g.continued)}</td>",
        ]
    else:  # too few to tell (or no answer yet), in plain words: no figure to rank
        cells.append(f'<td colspan="4" class="verdict">{escape(g.verdict)}</td>')
    label = f"<strong>{escape(g.label)}</strong>" if total else f"<bdi>{escape(g.label)}</bdi>"
    data = (
        f' data-grouping="{escape(grouping)}" data-key="{escape(g.key)}"'
        f' data-relations="{g.relations}" data-answers="{g.answers}"'
        f' data-enough="{str(g.enough).lower()}"'
    )
    return f'<tr{data}><th scope="row">{label}</th>{"".join(cells)}</tr>'


def _head(lang: str) -> str:
    _ = gettext_for(lang).gettext
    names = [
        _("Group"),
        _("Relations"),
        _("Answered"),
        _("Answers"),
        _("Goal met (likely range)"),
        _("Usefulness 1–5 (likely range)"),
        _("Themes learned"),
        _("Continued"),
    ]
    return "<thead><tr>" + "".join(f"<th>{escape(n)}</th>" for n in names) + "</tr></thead>"


def _format_table(f, lang: str) -> str:
    """One format: its overall row, then each grouping's groups that have
    relations (in the document's order)."""
    rows = []
    if f.overall is not None:
        rows.append(_row(f.overall, lang, total=True, grouping="format"))
    for grouping in f.groupings:
        groups = [g for g in grouping.groups if g.relations]
        if not groups:
            continue
        rows.append(f'<tr class="grouping"><th colspan="8">{escape(grouping.label)}</th></tr>')
        rows += [_row(g, lang, grouping=grouping.grouping) for g in groups]
    return f'<table id="outcomes-{f.format}">{_head(lang)}<tbody>{"".join(rows)}</tbody></table>'


def _differences(doc: OutcomesDocument, lang: str) -> str:
    _ = gettext_for(lang).gettext

    # A difference says its sign: +15% is more often, −13% less often.
    def share(x: float) -> str:
        return ("+" if round(x, 2) > 0 else "") + format_share(x, lang)

    def decimal(x: float) -> str:
        return format_number(x, lang, 1, sign=True)

    head = "".join(
        f"<th>{escape(n)}</th>"
        for n in (
            _("Formats"),
            _("In plain words"),
            _("Goal met, difference"),
            _("Usefulness, difference"),
        )
    )
    rows = []
    for d in doc.differences:
        figures = (
            f"<td>{_estimate(d.share_met, d.share_met_interval, share)}</td>"
            f"<td>{_estimate(d.mean_usefulness, d.usefulness_interval, decimal)}</td>"
            if d.enough
            else "<td>—</td><td>—</td>"
        )
        rows.append(
            f'<tr data-first="{d.first}" data-second="{d.second}">'
            f'<th scope="row">{escape(d.label)}</th><td>{escape(d.verdict)}</td>{figures}</tr>'
        )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def outcomes_section(a: Analysis, lang: str, progress: Callable[[str], None]) -> str:
    _ = gettext_for(lang).gettext
    parts = [f'<section id="{SECTION_ID}">' + tag("h2", _("What works"))]
    if a.outcomes is None:
        return "".join([*parts, no_history_html(lang), "</section>"])
    doc = outcomes_document(a.outcomes, lang=lang, audience="admin")
    intro = _(
        "From every published round, archived ones included. Figures are over answers (each "
        "side that gave feedback); a group with fewer than {n} answers is too few to tell and "
        "is not compared."
    ).format(n=format_number(doc.min_answers, lang))
    parts.append(f"<p>{escape(intro)}</p>")
    progress("drawing the outcomes")
    label = _("Outcomes by format and direction, each with the range it likely lies in")
    caption = _(
        "Each dot is a group's result; the line around it, the range it likely lies in (95%)."
    )
    parts.append(
        f'<figure class="outcomes">{figure_svg(outcomes_figure(doc), label=label)}'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )
    parts += [tag("h3", _("Differences between formats")), _differences(doc, lang)]
    for f in doc.formats:
        parts += [tag("h3", f.label), _format_table(f, lang)]
    parts.append("</section>")
    return "".join(parts)
