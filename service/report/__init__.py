"""The coordinators' HTML report: one self-contained file, figures embedded.

:func:`analyse` runs the engine as the CLI does; :func:`render_report` turns
the result into the page. The figures, :func:`html_table` and the words are
public so that the notebooks show the same pictures and sentences (the
reasons of a score are :func:`service.documents.encoding.reason_text`, as in
the command line's tables).
"""

from service.report.analysis import Analysis, analyse
from service.report.figures import (
    LAYOUT_SEED,
    capacity_heatmap,
    heatmap_rows,
    help_graph_figure,
    pair_directions,
    round_figure,
)
from service.report.html import html_table
from service.report.page import TABLE_ROWS, render_report
from service.report.words import (
    DIRECTIONS,
    UNMATCHED_CODES,
    direction_label,
    unmatched_label,
    unmatched_reason,
)

__all__ = [
    "DIRECTIONS",
    "LAYOUT_SEED",
    "TABLE_ROWS",
    "UNMATCHED_CODES",
    "Analysis",
    "analyse",
    "capacity_heatmap",
    "direction_label",
    "heatmap_rows",
    "help_graph_figure",
    "html_table",
    "pair_directions",
    "render_report",
    "round_figure",
    "unmatched_label",
    "unmatched_reason",
]
