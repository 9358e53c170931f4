"""The report's figures, drawn with matplotlib's Agg (no display, no global
pyplot state): the capacity heatmap, the mentoring round's bars and the help
graph. Same input and language → same PNG bytes (fixed layout seed, no PNG
metadata). Public so the notebooks show the same pictures as the report."""

from __future__ import annotations

import io
import textwrap
from collections import Counter
from collections.abc import Mapping, Sequence

import networkx as nx
import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from matcher import (
    CapacityMap,
    CirclesResult,
    ExchangeResult,
    Network,
    RoundResult,
    Taxonomy,
)
from service.documents.capacity_map import group_label
from service.report.words import (
    DIRECTIONS,
    RTL_LANGUAGES,
    UNMATCHED_CODES,
    direction_label,
    unmatched_label,
)
from service.translations import gettext_for
from service.translations.formats import format_number

GRAPH_NODES = 300
"""Most members drawn in the help graph (the best connected); beyond a few
hundred dots it is a grey blot."""
LAYOUT_SEED = 2026
DPI = 110
LABEL_CHARS = 46
"""Theme labels longer than this are shortened on figure axes (tables keep them whole)."""
LAYOUT_MENTORS = 3
CIRCLE_PULL = 1.0
EXCHANGE_PULL = 1.0
HUB_PULL = 0.2
"""Layout weights of the ties between members (a help edge that shapes the
layout weighs 1)."""
BROKERS_NAMED = 6
"""Brokers named on the help graph (the table lists them all)."""
LABEL_OFFSETS = tuple(
    (dx, sign * dy) for dy in (12, 26, 40, 54) for dx in (0, 40, -40) for sign in (1, -1)
)
"""Where a broker's name may go, in points from its dot, tried in order:
above, below, then further out and sideways."""


def _shorten(text: str) -> str:
    return textwrap.shorten(text, LABEL_CHARS, placeholder="…")


def figure_png(figure: Figure) -> bytes:
    """The figure as PNG bytes, without the metadata (software version) that
    would make the same picture differ between installs."""
    buffer = io.BytesIO()
    # Agg attached to this figure only: pyplot's global backend stays as it is
    # (inline in a notebook), and nothing needs a display.
    FigureCanvasAgg(figure)
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def heatmap_rows(cmap: CapacityMap) -> list[str]:
    """Themes shown in the heatmap: those members need, most members in need
    first (the order of ``peermatch map``'s table)."""
    wanted = sorted(
        (row for row in cmap.themes if row.demand_members),
        key=lambda r: (-r.demand_members, -r.unserved, r.theme),
    )
    return [row.theme for row in wanted]


def capacity_heatmap(cmap: CapacityMap, taxonomy: Taxonomy, *, lang: str = "en") -> Figure:
    """Themes × groups of the map (regions with ``by="region"``): experts /
    members in need in each cell, coloured by their difference, and the
    unserved members of each theme as bars beside it. Mirrored for
    right-to-left languages."""
    rtl = lang in RTL_LANGUAGES
    _ = gettext_for(lang).gettext
    themes = heatmap_rows(cmap)
    rows = [cmap.theme(key) for key in themes]
    groups = list(cmap.groups)
    supply = np.array([[g.supply_members for g in row.by_group] for row in rows], dtype=int)
    demand = np.array([[g.demand_members for g in row.by_group] for row in rows], dtype=int)
    if rtl:  # read from the right: first group in the rightmost column
        groups, supply, demand = groups[::-1], supply[:, ::-1], demand[:, ::-1]
    balance = supply - demand
    extent = max(1, int(np.abs(balance).max(initial=0)))

    figure = Figure(figsize=(10.5, 1.6 + 0.32 * max(1, len(rows))), layout="constrained")
    heat_col, bar_col = (1, 0) if rtl else (0, 1)
    grid = figure.add_gridspec(1, 2, width_ratios=[5, 1] if not rtl else [1, 5])
    heat = figure.add_subplot(grid[0, heat_col])
    bars = figure.add_subplot(grid[0, bar_col], sharey=heat)
    image = heat.imshow(balance, cmap="RdBu", vmin=-extent, vmax=extent, aspect="auto")
    for (r, c), value in np.ndenumerate(balance):
        if supply[r, c] or demand[r, c]:
            strong = abs(value) > extent * 0.6
            heat.text(
                c,
                r,
                f"{format_number(supply[r, c], lang)}/{format_number(demand[r, c], lang)}",
                ha="center",
                va="center",
                fontsize=8,
                color="white" if strong else "black",
            )
    heat.set_xticks(range(len(groups)))
    heat.set_xticklabels([textwrap.fill(group_label(g, lang), 16) for g in groups], fontsize=8)
    heat.xaxis.tick_top()
    heat.set_yticks(range(len(rows)))
    heat.set_yticklabels([_shorten(taxonomy.label(k, lang)) for k in themes], fontsize=8)
    if rtl:
        heat.yaxis.tick_right()
    heat.tick_params(length=0)
    colorbar = figure.colorbar(image, ax=heat, location="bottom", shrink=0.5, aspect=40)
    colorbar.set_label(_("experts − members in need"), fontsize=8)
    colorbar.ax.tick_params(labelsize=7)

    unserved = [row.unserved for row in rows]
    bars.barh(range(len(rows)), unserved, color="#b2182b")
    for r, value in enumerate(unserved):
        if value:
            bars.text(
                value, r, f" {format_number(value, lang)}", va="center", ha="left", fontsize=8
            )
    bars.set_xlim(0, max(1, max(unserved, default=0)) * 1.35)
    if rtl:
        bars.invert_xaxis()
        for text in bars.texts:
            text.set_horizontalalignment("right")
    bars.xaxis.tick_top()
    bars.set_title(_("unserved"), fontsize=9)
    bars.tick_params(left=False, right=False, labelleft=False, labelright=False, labelsize=7)
    for side in ("top", "right", "bottom", "left"):
        bars.spines[side].set_visible(False)
    return figure


def pair_directions(result: RoundResult, network: Network) -> dict[str, int]:
    """Pairs of a round by direction, mentor side → mentee side
    (``south_south``, ``north_south``, ``south_north``, ``north_north``)."""
    south = {m.id: m.global_south for m in network.members}
    counts = Counter(
        f"{'south' if south[p.mentor] else 'north'}_{'south' if south[p.mentee] else 'north'}"
        for p in result.pairs
    )
    return {d: counts[d] for d in DIRECTIONS}


def round_figure(result: RoundResult, network: Network, *, lang: str = "en") -> Figure:
    """Two bar charts: who among the members seeking a mentor got one (and
    why not), and the round's pairs by North/South direction."""
    rtl = lang in RTL_LANGUAGES
    _ = gettext_for(lang).gettext
    why = Counter(u.code for u in result.unmatched)
    seeking = [(_("paired"), result.mentees_matched, "#2166ac")] + [
        (unmatched_label(code, lang), why[code], "#b2182b") for code in UNMATCHED_CODES if why[code]
    ]
    directions = pair_directions(result, network)
    figure = Figure(figsize=(10.5, 2.6), layout="constrained")
    axes = figure.subplots(1, 2)[:: -1 if rtl else 1]
    panels = [
        (axes[0], _("Members seeking a mentor"), seeking),
        (
            axes[1],
            _("Pairs by direction (mentor → mentee)"),
            [
                (
                    direction_label(d, lang),
                    directions[d],
                    "#4d9221" if d == "south_south" else "#7f7f7f",
                )
                for d in DIRECTIONS
            ],
        ),
    ]
    for ax, title, bars in panels:
        values = [count for _label, count, _colour in bars]
        ax.barh(range(len(bars)), values, color=[colour for _label, _count, colour in bars])
        ax.set_yticks(range(len(bars)))
        ax.set_yticklabels([label for label, _count, _colour in bars], fontsize=9)
        ax.invert_yaxis()
        top = max(1, max(values, default=0))
        ax.set_xlim(0, top * 1.2)
        for r, value in enumerate(values):
            ax.text(
                value,
                r,
                f" {format_number(value, lang)} ",
                va="center",
                ha="right" if rtl else "left",
                fontsize=9,
            )
        if rtl:
            ax.invert_xaxis()
            ax.yaxis.tick_right()
        ax.set_title(title, fontsize=10)
        ax.tick_params(axis="x", labelsize=8)
        ax.tick_params(axis="y", length=0)
        for side in ("top", "right") if not rtl else ("top", "left"):
            ax.spines[side].set_visible(False)
    return figure


def circle_colours(circles: CirclesResult) -> dict[str, tuple[float, float, float, float]]:
    """A colour per circle theme (tab10 minus its grey), in the order of ``circles.themes``."""
    palette = [colormaps["tab10"](k) for k in range(10) if k != 7]
    return {t: palette[k % len(palette)] for k, t in enumerate(circles.themes)}


def graph_layout(
    graph: nx.DiGraph, *, circles: CirclesResult, exchanges: ExchangeResult
) -> dict[str, np.ndarray]:
    """Positions of the members of ``graph``: a seeded spring layout pulled by
    each member's :data:`LAYOUT_MENTORS` best mentors, by the members of its
    circles and by its exchange partner. Every help edge would pull the
    whole network into one blot; the best few keep who-helps-whom readable."""
    pull = nx.Graph()
    pull.add_nodes_from(graph.nodes)

    def tie(a: str, b: str, weight: float) -> None:
        if a in pull and b in pull:
            pull.add_edge(a, b, weight=pull.get_edge_data(a, b, {"weight": 0.0})["weight"] + weight)

    for mentee in graph.nodes:
        best = sorted(graph.in_edges(mentee, data="weight"), key=lambda e: (-e[2], e[0]))
        for mentor, _, _ in best[:LAYOUT_MENTORS]:
            tie(mentor, mentee, 1.0)
    for circle in circles.circles:
        for k, a in enumerate(circle.ids):
            for b in circle.ids[k + 1 :]:
                tie(a, b, CIRCLE_PULL)
    for e in exchanges.pairs:
        tie(e.a, e.b, EXCHANGE_PULL)
    # A weak tie of every member to a hub keeps the members nobody can help
    # (and who can help nobody) near the picture instead of at its far edges.
    hub = object()
    pull.add_edges_from(((hub, m) for m in graph.nodes), weight=HUB_PULL)
    position = nx.spring_layout(pull, weight="weight", seed=LAYOUT_SEED, iterations=300)
    del position[hub]
    return position


def help_graph_figure(
    graph: nx.DiGraph,
    *,
    circles: CirclesResult,
    exchanges: ExchangeResult,
    cmap: CapacityMap,
    taxonomy: Taxonomy,
    lang: str = "en",
) -> Figure:
    """The help graph: faint help edges, members coloured by the theme of
    their (first) learning circle, sized by how many they can help,
    exchanges as thick edges and the main brokers named. Above
    :data:`GRAPH_NODES` members only the best connected are drawn (brokers
    always); the layout is :func:`graph_layout`."""
    _ = gettext_for(lang).gettext
    brokers = [b.member for b in cmap.brokers]
    nodes = list(graph.nodes)
    if len(nodes) > GRAPH_NODES:
        ranked = sorted(nodes, key=lambda m: (-graph.degree(m), m))
        keep = set(brokers) | set(ranked[: GRAPH_NODES - len(brokers)])
        nodes = [m for m in nodes if m in keep]
    shown = graph.subgraph(nodes)

    colours = circle_colours(circles)
    theme_of: dict[str, str] = {}
    for circle in circles.circles:
        for m in circle.ids:
            theme_of.setdefault(m, circle.theme)
    position = graph_layout(shown, circles=circles, exchanges=exchanges)

    figure = Figure(figsize=(10.5, 8.5), layout="constrained")
    ax = figure.add_subplot()
    ax.set_axis_off()
    nx.draw_networkx_edges(
        shown, position, ax=ax, arrows=False, edge_color="#9e9e9e", alpha=0.12, width=0.4
    )
    swaps = [(e.a, e.b) for e in exchanges.pairs if e.a in position and e.b in position]
    nx.draw_networkx_edges(
        nx.Graph(swaps), position, ax=ax, edge_color="#222222", width=2.2, alpha=0.9
    )
    grey = (0.78, 0.78, 0.78, 1.0)
    nx.draw_networkx_nodes(
        shown,
        position,
        ax=ax,
        node_color=[colours[theme_of[m]] if m in theme_of else grey for m in shown.nodes],
        node_size=[18 + 6 * shown.out_degree(m) for m in shown.nodes],
        edgecolors="white",
        linewidths=0.5,
    )
    handles = [
        Patch(color=colours[t], label=_shorten(taxonomy.label(t, lang))) for t in circles.themes
    ]
    handles += [
        Patch(color=grey, label=_("no circle")),
        Line2D([], [], color="#222222", linewidth=2.2, label=_("exchange")),
    ]
    ax.legend(
        handles=handles,
        loc="upper left" if lang not in RTL_LANGUAGES else "upper right",
        bbox_to_anchor=(1.0, 1.0) if lang not in RTL_LANGUAGES else (0.0, 1.0),
        fontsize=8,
        title=_("circle theme (a member of two circles: its first)"),
        title_fontsize=8,
        frameon=False,
    )
    _name_brokers(ax, [m for m in brokers[:BROKERS_NAMED] if m in position], position)
    return figure


def _name_brokers(ax, members: Sequence[str], position: Mapping[str, np.ndarray]) -> None:
    """Label each member at the first of :data:`LABEL_OFFSETS` where its box
    overlaps no label placed before it (brokers often sit close together:
    centred labels hid one another), with a thin line back to its dot."""
    figure = ax.get_figure()
    # Agg, as figure_png draws with it: text is measured the way it is drawn.
    renderer = FigureCanvasAgg(figure).get_renderer()
    # Settle the layout first (legend included): the boxes are measured in
    # display space, which moves whenever constrained layout does.
    figure.draw_without_rendering()
    placed: list = []
    for member in members:
        label = ax.annotate(
            member,
            xy=position[member],
            xytext=LABEL_OFFSETS[0],
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=8,
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "#555555"},
            arrowprops={"arrowstyle": "-", "color": "#555555", "linewidth": 0.6},
        )
        # Labels must not move the axes when the figure is saved.
        label.set_in_layout(False)
        for offset in LABEL_OFFSETS:
            label.set_position(offset)
            box = label.get_window_extent(renderer).expanded(1.05, 1.15)
            if not any(box.overlaps(other) for other in placed):
                break
        placed.append(box)
