"""Smoke test of the benchmark's sections on tiny sizes (no timing assertions:
benchmarks are not tests)."""

import pytest

from bench.__main__ import parse_args
from bench.common import MISMATCHES
from bench.gap import gap_table
from bench.orlib_table import orlib_table
from bench.peers import pairing_table, stable_table
from bench.scale import scale_table


@pytest.fixture(autouse=True)
def no_mismatch():
    MISMATCHES.clear()
    yield
    assert MISMATCHES == []


def test_arguments():
    args = parse_args(["--quick", "--markdown", "--sections", "orlib,scale"])
    assert args.quick and args.markdown and not args.large
    assert args.sections == ["scale", "orlib"]
    with pytest.raises(SystemExit):
        parse_args(["--sections", "nope"])


def test_scale_on_the_demo_network():
    table = scale_table([126], {126: 1})
    text = table.text()
    for column in ("validate + arrays", "scoring + candidates", "pairing", "whole match"):
        assert column in text
    assert "peak RSS" in text and "Δ RSS" in text
    (row,) = table.rows
    assert row[0] == "126" and row[3] == "yes" and row[10] in "✓✗"
    assert row[11].endswith("MB")  # the memory probe ran in a subprocess
    assert table.markdown().startswith("### 1. Scale")


def test_pairing_peers_agree():
    table = pairing_table([60, 100], repeats=1, peer_repeats=1)
    headers = table.headers
    assert {"ours", "networkx", "nx / ours", "SciPy LSA", "peers equal"} <= set(headers)
    for row in table.rows:
        assert row[headers.index("peers equal")] == "networkx ✓ SciPy ✓"


def test_stable_matches_the_matching_library():
    pytest.importorskip("matching")
    table = stable_table([100], repeats=1, peer_repeats=1)
    assert "matching build + solve" in table.text()
    assert table.rows[0][table.headers.index("identical")] == "✓"


def test_candidate_gap_with_a_forced_k():
    table = gap_table([150], max_candidates=5)
    (row,) = table.rows
    assert row[table.headers.index("k")] == 5
    assert row[table.headers.index("gap")].endswith("%")


def test_orlib_section(tmp_path):
    (tmp_path / "assign3.txt").write_text("3\n4 1 3\n2 0 5\n3 2 2\n")
    (tmp_path / "assignp3.txt").write_text("3\n1 1 4\n1 2 1\n2 1 2\n2 3 5\n3 2 2\n3 3 2\n")
    (tmp_path / "optima.txt").write_text("assign3 5\nassignp3 5\n")
    table = orlib_table(tmp_path, ("assign3", "assignp3"), repeats=1)
    assert [row[table.headers.index("equal")] for row in table.rows] == ["✓", "✓"]
    assert [row[table.headers.index("peer equal")] for row in table.rows] == ["✓", "✓"]
    assert "skipped" in orlib_table(tmp_path / "absent").text()


def test_console_review_section_on_the_demo_network():
    from bench.console_review import console_table

    table = console_table(sizes=(126,), log=lambda *_: None)
    assert [row[1] for row in table.rows][0] == "unfiltered"
    shown = {row[1]: int(row[2].replace(",", "")) for row in table.rows}
    assert 0 < min(shown.values()) and shown["unfiltered"] == max(shown.values())


def test_insights_on_the_demo_history_agree_with_pandas_and_scipy():
    from bench.insights import insights_table

    table = insights_table((126,), repeats=1, log=lambda _: None)
    (row,) = table.rows
    headers = table.headers
    assert row[0] == "126" and row[headers.index("rounds")] == 6
    assert row[headers.index("agree")] == "✓"  # the fixture also checks MISMATCHES is empty
