"""The flow map's figures: the same map and language give the same SVG, and
an empty map draws without error."""

from __future__ import annotations

import re

import pytest

from matcher.flow import flow_map
from matcher.history import EMPTY
from service.report.flow_figures import figure_svg, flow_graph_figure, region_flow_figure
from tests.test_flow import HISTORY

REGIONS = {p.id: p.region for p in HISTORY.members}


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_same_map_draws_the_same_svg(lang):
    fmap = flow_map(HISTORY)
    for draw in (
        lambda: region_flow_figure(fmap, lang=lang),
        lambda: flow_graph_figure(fmap, fmap.rounds[2], REGIONS, lang=lang),
    ):
        first = figure_svg(draw())
        assert first.startswith("<?xml") and first == figure_svg(draw())
        assert not re.search(r"<dc:date>", first)


def test_an_empty_map_draws():
    fmap = flow_map(EMPTY)
    assert "<svg" in figure_svg(region_flow_figure(fmap))
