"""Smoke test of the bench's console-pages section on the demo network (no
timing assertion: every page must answer 200 on the bench's own setup)."""

from __future__ import annotations

import pytest

from bench import console_pages
from bench.__main__ import parse_args


def test_the_section_is_offered():
    assert parse_args(["--sections", "console-pages"]).sections == ["console-pages"]


@pytest.mark.slow
def test_every_page_answers_on_the_demo_network():
    table = console_pages.console_pages_table((126,), repeats=1, log=lambda _: None)
    assert [row[0] for row in table.rows] == [path for _, path in console_pages._pages("{id}")]
    assert all(row[-1] in ("✓", "✗") for row in table.rows)
