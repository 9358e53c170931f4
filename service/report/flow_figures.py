"""The knowledge-flow map's figures, drawn with matplotlib's Agg as SVG text
(no display, no global pyplot state): the flow between regions round after
round (a heatmap per round and one for all rounds), and the flow graph of a
round with its new ties marked. Same map and language → same SVG (a fixed
layout seed, no date, a fixed id salt). Mirrored for right-to-left
languages. Shared by the console's Flow page and the report."""

from __future__ import annotations

import base64
import io
import math

import matplotlib as mpl
import networkx as nx
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from matcher.flow import FlowMap, RoundFlow
from service.documents.flow import region_label
from service.report.figures import HUB_PULL, LAYOUT_SEED
from service.report.words import RTL_LANGUAGES
from service.translations import gettext_for
from service.translations.formats import format_number

GRAPH_NODES = 200
"""Most members drawn in a round's flow graph (those with the most ties):
beyond a couple of hundred dots the ties are a blot."""
PANELS_PER_ROW = 4
NEW_TIE = "#d95f02"
REPEATED_TIE = "#7570b3"
REGION_COLOURS = ("#1b9e77", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666")


def figure_svg(figure: Figure) -> str:
    """The figure as SVG text, the same bytes on every run: no date in its
    metadata, and a fixed salt for the ids matplotlib would otherwise draw
    at random."""
    buffer = io.StringIO()
    FigureCanvasAgg(figure)
    with mpl.rc_context({"svg.hashsalt": "peermatch-flow"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def svg_data_uri(svg: str) -> str:
    """An SVG as a ``data:`` address for an ``<img>`` (which carries the alt
    text; nothing is fetched)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")



def region_flow_figure(fmap: FlowMap, *, lang: str = "en") -> Figure:
    """One small heatmap per round and one for all rounds: know-how flows from
    the row's region (giver) to the column's (receiver), counts in the cells,
    one colour scale for all panels."""
    _ = gettext_for(lang).gettext
    rtl = lang in RTL_LANGUAGES
    # One line each (wrapped, neighbouring names ran into each other), slanted
    # under the columns.
    labels = [region_label(r, lang) for r in fmap.regions]
    panels = [
        (_("Round {n}").format(n=format_number(r.order + 1, lang)), np.array(r.matrix, dtype=int))
        for r in fmap.rounds
    ]
    panels.append((_("All rounds"), np.array(fmap.matrix, dtype=int)))
    top = max(1, max((int(m.max(initial=0)) for _t, m in panels), default=1))
    columns = min(PANELS_PER_ROW, len(panels))
    rows = math.ceil(len(panels) / columns)
    size = max(1, len(labels))
    figure = Figure(figsize=(2.6 * columns + 1.6, 2.4 * rows + 0.9), layout="constrained")
    grid = figure.subplots(rows, columns, squeeze=False)
    axes = (grid[:, ::-1] if rtl else grid).ravel()  # Arabic reads the rounds from the right
    image = None
    for k, ax in enumerate(axes):
        if k >= len(panels):
            ax.set_axis_off()
            continue
        title, matrix = panels[k]
        matrix = matrix.reshape(size, size) if matrix.size else np.zeros((size, size), dtype=int)
        if rtl:  # read from the right: the first region in the rightmost column
            matrix = matrix[:, ::-1]
        image = ax.imshow(matrix, cmap="Blues", vmin=0, vmax=top, aspect="equal")
        for (r, c), value in np.ndenumerate(matrix):
            if value:
                ax.text(c, r, format_number(int(value), lang), ha="center", va="center",
                        fontsize=7, color="white" if value > top * 0.6 else "black")  # fmt: skip
        ax.set_title(title, fontsize=9)
        first_column, last_row = k % columns == 0, k + columns >= len(panels)
        ax.set_xticks(range(len(labels)))
        ax.set_xticklabels(
            (labels[::-1] if rtl else labels) if last_row else [],
            fontsize=6,
            rotation=-45 if rtl else 45,
            ha="left" if rtl else "right",
            rotation_mode="anchor",
        )
        ax.set_yticks(range(len(labels)))
        ax.set_yticklabels(labels if first_column else [], fontsize=6)
        if rtl:
            ax.yaxis.tick_right()
        ax.tick_params(length=0)
    if image is not None:
        bar = figure.colorbar(image, ax=list(axes), location="bottom", shrink=0.4, aspect=40)
        bar.set_label(
            _("flows, from the row's region (giver) to the column's (receiver)"), fontsize=8
        )
        bar.ax.tick_params(labelsize=7)
        bar.ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return figure


def _layout(fmap: FlowMap, members: set[str]) -> dict[str, np.ndarray]:
    """Positions from the ties of all rounds (seeded), so that a member stays
    in its place from one round's graph to the next."""
    pull = nx.Graph()
    pull.add_nodes_from(sorted(members))
    for r in fmap.rounds:
        for t in r.ties:
            if t.source in members and t.target in members:
                pull.add_edge(t.source, t.target, weight=1.0)
    # A weak tie of every member to a hub keeps the separate groups of a
    # round together (spring layout pushes unconnected groups to the edges).
    hub = "\x00hub"
    pull.add_edges_from(((hub, m) for m in sorted(members)), weight=HUB_PULL)
    position = nx.spring_layout(pull, weight="weight", seed=LAYOUT_SEED, iterations=200)
    del position[hub]
    return position


def flow_graph_figure(
    fmap: FlowMap, round_flow: RoundFlow, regions: dict[str, str | None], *, lang: str = "en"
) -> Figure:
    """The ties of one round: members (coloured by region) and an arrow per
    giver → receiver tie, new ties (no earlier round had them) in orange and
    dashed, ties seen before in purple. ``regions`` maps members to their
    region. Above :data:`GRAPH_NODES` members only those with the most ties
    this round are drawn."""
    _ = gettext_for(lang).gettext
    rtl = lang in RTL_LANGUAGES
    degree: dict[str, int] = {}
    for t in round_flow.ties:
        degree[t.source] = degree.get(t.source, 0) + 1
        degree[t.target] = degree.get(t.target, 0) + 1
    shown = set(sorted(degree, key=lambda m: (-degree[m], m))[:GRAPH_NODES])
    ties = [t for t in round_flow.ties if t.source in shown and t.target in shown]
    position = _layout(fmap, shown)
    if rtl:  # mirrored, as the page is
        position = {m: np.array([-x, y]) for m, (x, y) in position.items()}
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(shown))
    colour_of = {r: REGION_COLOURS[k % len(REGION_COLOURS)] for k, r in enumerate(fmap.regions)}
    grey = "#bdbdbd"
    size = 120 if len(shown) <= 50 else 40

    figure = Figure(figsize=(9.5, 6.5), layout="constrained")
    ax = figure.add_subplot()
    ax.set_axis_off()
    for new, colour, style in ((False, REPEATED_TIE, "solid"), (True, NEW_TIE, "dashed")):
        edges = [(t.source, t.target) for t in ties if t.new is new]
        nx.draw_networkx_edges(graph, position, edgelist=edges, ax=ax, edge_color=colour,
                               style=style, width=1.2, arrowsize=10, alpha=0.85,
                               node_size=size, connectionstyle="arc3,rad=0.12")  # fmt: skip
    nodes = sorted(shown)
    nx.draw_networkx_nodes(graph, position, nodelist=nodes, ax=ax, node_size=size,
                           node_color=[colour_of.get(regions.get(m), grey) for m in nodes],
                           edgecolors="white", linewidths=0.5)  # fmt: skip
    handles = [
        Line2D([], [], color=NEW_TIE, linestyle="dashed", linewidth=1.5, label=_("new tie")),
        Line2D([], [], color=REPEATED_TIE, linewidth=1.5, label=_("tie seen in an earlier round")),
    ]
    handles += [Patch(color=colour_of[r], label=region_label(r, lang)) for r in fmap.regions]
    ax.legend(
        handles=handles,
        loc="upper right" if rtl else "upper left",
        bbox_to_anchor=(0.0, 1.0) if rtl else (1.0, 1.0),
        fontsize=8,
        frameon=False,
    )
    return figure
