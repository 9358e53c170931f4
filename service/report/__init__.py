"""The coordinators' HTML report: one self-contained file, figures embedded.

:func:`analyse` runs the engine as the CLI does; :func:`render_report` turns
the result into the page. The figures, :func:`html_table` and the words are
public so that the notebooks show the same pictures and sentences.
"""

from service.report.analysis import Analysis, analyse
from service.report.figures import (
    DIRECTIONS,
    LAYOUT_SEED,
    capacity_heatmap,
    heatmap_rows,
    help_graph_figure,
    pair_directions,
    round_figure,
)
from service.report.html import html_table
from service.report.page import TABLE_ROWS, render_report
from service.report.text import TEXT, UNMATCHED_CODES, number, reasons_text, unmatched_reason

__all__ = [
    "DIRECTIONS",
    "LAYOUT_SEED",
    "TABLE_ROWS",
    "TEXT",
    "UNMATCHED_CODES",
    "Analysis",
    "analyse",
    "capacity_heatmap",
    "heatmap_rows",
    "help_graph_figure",
    "html_table",
    "number",
    "pair_directions",
    "reasons_text",
    "render_report",
    "round_figure",
    "unmatched_reason",
]
