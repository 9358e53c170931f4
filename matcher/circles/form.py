"""Forming learning circles: the bound, then the builder's three phases."""

from __future__ import annotations

import numpy as np

from matcher.circles._bound import bound_flow
from matcher.circles._builder import Builder
from matcher.circles._coverage import improve_coverage
from matcher.circles._options import check_options
from matcher.circles._problem import Problem
from matcher.circles._result import assemble_result
from matcher.circles._seeding import seed_circles
from matcher.circles._soft_search import improve_soft_score
from matcher.circles.model import DEFAULT_MAX_PER_MEMBER, DEFAULT_SIZE, CirclesResult
from matcher.circles.themes import resolve_themes
from matcher.circles.violations import circle_violations
from matcher.scoring import ScoringPolicy
from matcher.validation import check_seed
from matcher.vectors import NetworkArrays


def form_circles(
    arrays: NetworkArrays,
    *,
    themes=None,
    size: tuple[int, int] = DEFAULT_SIZE,
    max_per_member: int = DEFAULT_MAX_PER_MEMBER,
    seed: int | None = None,
    policy: ScoringPolicy | None = None,
) -> CirclesResult:
    """Learning circles over ``themes`` (see :mod:`matcher.circles` for the
    roles, constraints, objective, bound and algorithm).

    ``themes``: theme keys; by default the first :data:`DEFAULT_THEMES` themes
    by unmet demand (``matcher.capacity_map``, under ``policy``) that can hold
    a circle. Requested themes where no circle can form are reported in
    ``skipped_themes``. ``seed`` (``None`` acts as 0) breaks ties and drives
    the local search: same arrays and seed → same circles.

    >>> from matcher.examples import circle_arrays
    >>> arrays = circle_arrays()  # one anchor (ph), four learners
    >>> res = form_circles(arrays, themes=["budget_tracking"], seed=1)
    >>> [(m.id, m.role, m.credit) for m in res.circles[0].members]
    [('ph', 'anchor', 0.0), ('ke', 'learner', 3.0), ('sn', 'learner', 2.0), ('ug', 'learner', 1.0)]
    >>> res.need_covered, res.bound, [(x.member, x.code) for x in res.left_out]
    (6.0, 6.0, [('ml', 'no_shared_language')])
    """
    size, max_per_member = check_options(size, max_per_member)
    rng = np.random.default_rng(check_seed(seed, default=0))
    chosen, skipped = resolve_themes(arrays, themes, policy, size)
    p = Problem(arrays, chosen + skipped, size, max_per_member)
    bound, routes = bound_flow(p)
    builder = Builder(p, rng)
    seed_circles(builder, routes)
    improve_coverage(builder)
    improve_soft_score(builder)
    result = assemble_result(p, "local_search", builder.circles(), bound, skipped, seed)
    problems = circle_violations(arrays, result.circles, size=size, max_per_member=max_per_member)
    assert not problems, problems
    assert result.need_covered <= result.bound + 1e-9, (result.need_covered, result.bound)
    return result
