"""The outcomes figure: share of answers saying the goal was met and mean
usefulness, by format and by direction within each format, one row per
group with its interval drawn ("too few to tell" rows say so, without an
interval). Drawn from the outcomes document (:mod:`service.documents.outcomes`),
so it shows what the reader may see (the Hub's groups only) in its language.

As inline SVG with its text left as text (``svg.fonttype: none``): the
browser shapes Arabic and lays out right-to-left text, which matplotlib's
own text engine does not; the page's fonts are used. Right-to-left
languages get the figure mirrored (labels on the right, axes running
leftwards). Same document → same SVG (fixed hash salt, no date)."""

from __future__ import annotations

import io
import re
from html import escape

from matplotlib import rc_context
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

from service.documents.outcomes import OutcomeGroup, OutcomesDocument
from service.report.words import RTL_LANGUAGES
from service.translations import gettext_for
from service.translations.formats import format_number, format_share

MET = "#2166ac"
USEFUL = "#4d9221"
FAINT = "#767676"
SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "peermatch-outcomes"}


def _words(text: str, rtl: bool) -> str:
    """``text`` as a right-to-left isolate (RLI … PDI) in a right-to-left
    language: the SVG's text runs left to right (see :func:`figure_svg`),
    and "شمال ← جنوب" must still read from the right."""
    return f"\u2067{text}\u2069" if rtl else text


def outcome_rows(document: OutcomesDocument) -> list[tuple[str, OutcomeGroup, bool]]:
    """The figure's rows, top to bottom: each format (bold) then its
    direction groups that have relations — (label, group, is a format)."""
    rows = []
    for f in document.formats:
        if f.overall is not None:
            rows.append((f.label, f.overall, True))
        for grouping in f.groupings:
            if grouping.grouping == "direction":
                rows += [("   " + g.label, g, False) for g in grouping.groups if g.relations]
    return rows


def outcomes_figure(document: OutcomesDocument) -> Figure:
    """Two panels side by side sharing the rows: share met (0–100 %) and
    mean usefulness (1–5), each estimate a dot on its interval."""
    lang = document.lang
    rtl = lang in RTL_LANGUAGES
    _ = gettext_for(lang).gettext
    rows = outcome_rows(document)
    figure = Figure(figsize=(9.5, 1.3 + 0.3 * max(1, len(rows))), layout="constrained")
    axes = figure.subplots(1, 2)
    met_ax, use_ax = axes[::-1] if rtl else axes
    panels = (
        (met_ax, _("Share of answers saying the goal was met"), MET, (0.0, 1.0), "share"),
        (use_ax, _("Mean usefulness (1–5)"), USEFUL, (1.0, 5.0), "useful"),
    )
    too_few, no_answer = _words(_("too few to tell"), rtl), _words(_("no answer"), rtl)
    for ax, title, colour, limits, what in panels:
        for y, (_label, g, bold) in enumerate(rows):
            if what == "share":
                point, interval = g.share_met, g.share_met_interval
            else:
                point, interval = g.mean_usefulness, g.usefulness_interval
            if interval is None or point is None:
                word = too_few if g.answers else no_answer
                ax.text(sum(limits) / 2, y, word, ha="center", va="center", fontsize=8, color=FAINT)
                continue
            ax.plot([interval.low, interval.high], [y, y], color=colour, linewidth=2.2)
            ax.plot(
                [point], [y], "o", color=colour, markersize=7 if bold else 5.5, markeredgecolor="w"
            )
        ax.set_xlim(*limits)
        if rtl:
            ax.invert_xaxis()
        ax.set_title(_words(title, rtl), fontsize=10)
        ax.tick_params(axis="x", labelsize=8)
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
    met_ax.xaxis.set_major_formatter(lambda x, _pos: format_share(x, lang))
    use_ax.set_xticks(range(1, 6))
    use_ax.xaxis.set_major_formatter(lambda x, _pos: format_number(x, lang))
    first = axes[-1] if rtl else axes[0]
    for ax in axes:
        ax.set_yticks(range(len(rows)))
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.tick_params(axis="y", labelleft=False)
    first.tick_params(axis="y", labelleft=not rtl, labelright=rtl)
    ticks = first.set_yticklabels([_words(label, rtl) for label, _g, _b in rows], fontsize=9)
    for tick, (_label, _g, bold) in zip(ticks, rows, strict=True):
        tick.set_fontweight("bold" if bold else "normal")
    if rtl:
        first.yaxis.tick_right()
    return figure


def figure_svg(figure: Figure, *, label: str) -> str:
    """The figure as an inline ``<svg>`` element named ``label`` for screen
    readers (role img), scaling to its container's width."""
    buffer = io.StringIO()
    with rc_context(SVG_RC):
        FigureCanvasSVG(figure)
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    # The RDF metadata block names vocabularies by URL (purl.org,
    # creativecommons.org): nothing a reader needs, and a self-contained
    # report should hold no outside address.
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    # The console's Content-Security-Policy refuses inline styles (style
    # attributes and elements); presentation attributes are not styles.
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.S)
    svg = re.sub(r'style="([^"]*)"', _presentation, svg)
    return re.sub(r'<svg[^>]*?(viewBox="[^"]*")[^>]*>', _opening(label), svg, count=1)


def _presentation(match: re.Match) -> str:
    """``style="fill: #fff; stroke: none"`` as ``fill="#fff" stroke="none"``,
    without the font family: the text takes the page's (Arabic included)."""
    pairs = (part.split(":", 1) for part in match.group(1).split(";") if part.strip())
    return " ".join(
        f'{name.strip()}="{escape(value.strip())}"'
        for name, value in pairs
        if name.strip() != "font-family"
    )


def _opening(label: str):
    def opening(match: re.Match) -> str:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'{match.group(1)} width="100%" role="img" aria-label="{escape(label)}" '
            # Text is anchored as matplotlib placed it (start = left) even on
            # a right-to-left page; right-to-left words are isolated (_words).
            'direction="ltr" stroke-linejoin="round" stroke-linecap="butt">'
        )

    return opening
