"""Readers for Beasley's OR-Library linear assignment instances.

Dense files (``assign100.txt``, ``assign800.txt``) hold ``n`` then the ``n x n``
cost matrix; sparse files (``assignp*.txt``) hold ``n`` then one ``i j cost``
line per allowed pair, 1-based. The readers return *benefit* = -cost, ready for
:func:`matcher.pairing.pair_mentors`, whose optimum total benefit is then
-(known optimum).
"""

from pathlib import Path

import numpy as np
import scipy.sparse as sp

__all__ = ["known_optima", "read_orlib"]


def read_orlib(path):
    """Read one OR-Library assignment instance as a benefit matrix.

    Parameters
    ----------
    path : str or Path
        An ``assign*.txt`` file.

    Returns
    -------
    ndarray of float64, shape (n, n), or scipy.sparse.csr_array, shape (n, n)
        ``-cost``. Dense when the file holds exactly ``n * n`` costs after ``n``,
        otherwise sparse, with one stored entry per listed pair (a cost of 0 stays
        stored: it is an allowed pair).

    Raises
    ------
    ValueError
        The numbers fit neither layout, an index is out of range or a pair
        is listed twice.

    Examples
    --------
    >>> # benefit = read_orlib("../shared/orlib/assignp800.txt")  # csr_array 800 x 800
    """
    # One C-level parse of the whole file: the big instances have ~10**6 numbers.
    # (numpy >= 2 raises ValueError at a token that is not an integer.)
    numbers = np.fromstring(Path(path).read_text(), dtype=np.int64, sep=" ")
    if numbers.size == 0:
        raise ValueError(f"{path}: empty file")
    n, body = int(numbers[0]), numbers[1:]
    if body.size == n * n:
        return -body.reshape(n, n).astype(np.float64)
    if body.size % 3:
        raise ValueError(f"{path}: {body.size} numbers after n={n} fit neither n*n nor triples")
    i, j, cost = body.reshape(-1, 3).T
    if i.size and (min(i.min(), j.min()) < 1 or max(i.max(), j.max()) > n):
        raise ValueError(f"{path}: a pair index is outside 1..{n}")
    if np.unique((i - 1) * n + (j - 1)).size != i.size:
        raise ValueError(f"{path}: some pair is listed twice")
    return sp.csr_array((-cost.astype(np.float64), (i - 1, j - 1)), shape=(n, n))


def known_optima(directory):
    """Known minimum total costs from ``optima.txt``, e.g. ``{"assign100": 305}``.

    Parameters
    ----------
    directory : str or Path
        Folder holding ``optima.txt`` (lines ``name value``).

    Returns
    -------
    dict of str to int
    """
    lines = (Path(directory) / "optima.txt").read_text().split("\n")
    return {name: int(value) for name, value in (ln.split() for ln in lines if ln.strip())}
