"""Members as arrays: expertise and need matrices over the taxonomy, languages,
regions, capacities, pair constraints and a TF-IDF view of the descriptions.

Everything the scoring needs is computed here once per network, so scoring a
block of pairs is a handful of matrix products.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from matcher.geo import REGIONS
from matcher.network import INTERNATIONAL, Network
from matcher.taxonomy import Taxonomy

MAX_EXPERTISE = 4
MAX_NEED = 3


@dataclass(frozen=True, eq=False)
class NetworkArrays:
    """A network in array form; row ``i`` of every array is ``ids[i]``.

    Shapes: ``expertise`` and ``needs`` are (n, n_themes) int8 levels;
    ``speaks`` is (n, n_languages) bool over the sorted ``languages``;
    ``region`` is (n,) indices into :data:`matcher.geo.REGIONS` (its length
    for ``INTERNATIONAL``); ``south``,
    ``mentor_capacity`` and ``mentee_capacity`` are (n,); ``excluded`` is a
    symmetric (n, n) boolean CSR matrix; ``history`` is (n, n) CSR with a 1 at
    (mentee, mentor) for pairs met in earlier rounds; ``text`` is (n, vocab)
    CSR of L2-normalised TF-IDF rows (all zero when there is no text).

    >>> from matcher.examples import example_arrays
    >>> arrays = example_arrays()
    >>> arrays.languages, arrays.speaks.astype(int).tolist()
    (('en', 'es', 'fr', 'sw'), [[1, 0, 1, 0], [1, 0, 0, 1], [0, 1, 0, 0], [1, 0, 1, 0]])
    >>> arrays.mentor_capacity.tolist(), arrays.south.tolist()
    ([2, 1, 1, 1], [False, True, True, True])
    """

    ids: tuple[str, ...]
    themes: tuple[str, ...]
    expertise: np.ndarray
    needs: np.ndarray
    languages: tuple[str, ...]
    speaks: np.ndarray
    region: np.ndarray
    south: np.ndarray
    kind: tuple[str, ...]
    mentor_capacity: np.ndarray
    mentee_capacity: np.ndarray
    excluded: sp.csr_matrix
    history: sp.csr_matrix
    text: sp.csr_matrix

    @property
    def n(self) -> int:
        """Number of members.

        >>> from matcher.examples import example_arrays
        >>> example_arrays().n
        4
        """
        return len(self.ids)

    @property
    def wanting(self) -> np.ndarray:
        """(n,) bool: the members a round looks for mentors for, those with
        needs and mentee capacity.

        >>> from matcher.examples import example_arrays
        >>> arrays = example_arrays()
        >>> [m for m, w in zip(arrays.ids, arrays.wanting) if w]
        ['ke-coalition', 'pe-coalition', 'sn-coalition']
        """
        return (self.needs > 0).any(axis=1) & (self.mentee_capacity > 0)

    def shared_languages(self, i: int, j: int) -> tuple[str, ...]:
        """Working languages members ``i`` and ``j`` have in common, sorted.

        >>> from matcher.examples import example_arrays
        >>> arrays = example_arrays()
        >>> arrays.ids[0], arrays.ids[3], arrays.shared_languages(0, 3)
        ('fr-ngo', 'sn-coalition', ('en', 'fr'))
        """
        both = self.speaks[i] & self.speaks[j]
        return tuple(lang for lang, ok in zip(self.languages, both, strict=True) if ok)


def network_arrays(network: Network, taxonomy: Taxonomy) -> NetworkArrays:
    """Turn a validated :class:`~matcher.network.Network` into arrays.

    >>> from matcher.taxonomy import default_taxonomy
    >>> from matcher.network import Member, make_network
    >>> m = Member(id="a", name="A", kind="national_coalition", languages=("fr",),
    ...            region="africa", global_south=True, needs={"budget_tracking": 2})
    >>> arr = network_arrays(make_network([m]), default_taxonomy())
    >>> int(arr.needs[0, default_taxonomy().index("budget_tracking")])
    2
    """
    members = network.members
    n, n_themes = len(members), len(taxonomy)
    theme_index = {key: t for t, key in enumerate(taxonomy.keys)}
    expertise = np.zeros((n, n_themes), dtype=np.int8)
    needs = np.zeros((n, n_themes), dtype=np.int8)
    for i, m in enumerate(members):
        for key, level in m.expertise.items():
            expertise[i, theme_index[key]] = level
        for key, level in m.needs.items():
            needs[i, theme_index[key]] = level
    assert expertise.min(initial=0) >= 0 and expertise.max(initial=0) <= MAX_EXPERTISE
    assert needs.min(initial=0) >= 0 and needs.max(initial=0) <= MAX_NEED

    languages = tuple(sorted({lang for m in members for lang in m.languages}))
    lang_index = {lang: k for k, lang in enumerate(languages)}
    speaks = np.zeros((n, len(languages)), dtype=bool)
    for i, m in enumerate(members):
        speaks[i, [lang_index[lang] for lang in m.languages]] = True

    region_index = {r: k for k, r in enumerate((*REGIONS, INTERNATIONAL))}
    index = network.index()
    return NetworkArrays(
        ids=network.ids,
        themes=taxonomy.keys,
        expertise=expertise,
        needs=needs,
        languages=languages,
        speaks=speaks,
        region=np.array([region_index[m.region] for m in members], dtype=np.int8),
        south=np.array([m.global_south for m in members], dtype=bool),
        kind=tuple(m.kind for m in members),
        mentor_capacity=np.array([m.mentor_capacity for m in members], dtype=np.int64),
        mentee_capacity=np.array([m.mentee_capacity for m in members], dtype=np.int64),
        excluded=_pair_matrix(
            [(index[a], index[b]) for a, b in network.exclusions], n, symmetric=True
        ),
        history=_pair_matrix(
            [(index[h.mentee], index[h.mentor]) for h in network.history], n, symmetric=False
        ),
        text=_tfidf([m.description for m in members]),
    )


def distinct_rows(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of a 2-D boolean matrix: the index of each one's
    first row, and the distinct row of every row. Distinct rows are ordered
    by their packed bytes (fixed, not meaningful).

    Row-wise ``np.unique`` on a bool matrix is slow; each row's packed bits as
    one void scalar give the same sets far faster.

    >>> first, which = distinct_rows(np.array([[1, 0], [0, 1], [1, 0]], dtype=bool))
    >>> first.tolist(), which.tolist()
    ([1, 0], [1, 0, 1])
    """
    if mask.shape[1] == 0:  # no columns: every row is the same, empty one
        return np.zeros(min(len(mask), 1), np.int64), np.zeros(len(mask), np.int64)
    packed = np.ascontiguousarray(np.packbits(mask, axis=1))
    rows = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    _, first, which = np.unique(rows, return_index=True, return_inverse=True)
    return first, which.ravel()


def _pair_matrix(pairs: list[tuple[int, int]], n: int, *, symmetric: bool) -> sp.csr_matrix:
    rows = np.array([p[0] for p in pairs], dtype=np.int64)
    cols = np.array([p[1] for p in pairs], dtype=np.int64)
    if symmetric:
        rows, cols = np.concatenate([rows, cols]), np.concatenate([cols, rows])
    matrix = sp.csr_matrix((np.ones(len(rows), dtype=bool), (rows, cols)), shape=(n, n))
    matrix.sum_duplicates()
    matrix.data[:] = True
    return matrix


def _tfidf(descriptions: list[str]) -> sp.csr_matrix:
    # Descriptions are in several languages, so no stop-word list fits; words
    # found in most descriptions carry no signal and are dropped by max_df.
    if not any(d.strip() for d in descriptions):
        return sp.csr_matrix((len(descriptions), 1), dtype=np.float64)
    vectorizer = TfidfVectorizer(sublinear_tf=True, max_df=0.5 if len(descriptions) > 2 else 1.0)
    try:
        return sp.csr_matrix(vectorizer.fit_transform(descriptions), dtype=np.float64)
    except ValueError:  # every word was too common or too short: no usable vocabulary
        return sp.csr_matrix((len(descriptions), 1), dtype=np.float64)
