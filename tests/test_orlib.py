"""OR-Library assignment instances: pair_mentors must hit the published optima exactly."""

import gzip
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from bench.orlib import known_optima, read_orlib
from matcher.pairing import pair_mentors

ORLIB = Path(__file__).resolve().parent / "data" / "orlib"
"""Copies of the two small instances (see its README); the benchmark reads all
six from ../shared/orlib."""
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "orlib"


@pytest.mark.parametrize(
    ("name", "optimum", "kind"),
    [
        ("assign100", 305, np.ndarray),
        ("assignp800", 2239, sp.csr_array),
    ],
)
def test_known_optimum_is_reached_exactly(name, optimum, kind, tmp_path):
    if (SHARED / "optima.txt").is_file():
        assert known_optima(SHARED)[name] == optimum
    path = tmp_path / f"{name}.txt"
    path.write_bytes(gzip.decompress((ORLIB / f"{name}.txt.gz").read_bytes()))
    benefit = read_orlib(path)
    assert isinstance(benefit, kind)
    n = benefit.shape[0]
    result = pair_mentors(benefit, np.ones(n, dtype=int), 1, coverage_first=True)
    assert result.n_covered == n and len(result.pairs) == n
    assert np.array_equal(np.sort(result.pairs[:, 1]), np.arange(n))
    assert result.total_benefit == -optimum
    assert result.optimal and result.resolution == 0.0


def test_sparse_reader_keeps_listed_pairs_only(tmp_path):
    path = tmp_path / "assignp2.txt"
    path.write_text("2\n1 1 5\n1 2 0\n2 2 7\n")
    benefit = read_orlib(path)
    assert benefit.nnz == 3  # the zero-cost pair (1, 2) stays allowed
    result = pair_mentors(benefit, [1, 1])
    assert result.pairs.tolist() == [[0, 0], [1, 1]] and result.total_benefit == -12
