"""Forming learning circles: the bound, then the builder's three phases."""

from __future__ import annotations

import numpy as np

from matcher.circles._bound import bound_flow
from matcher.circles._builder import Builder
from matcher.circles._coverage import improve_coverage
from matcher.circles._options import _check_seed, check_options
from matcher.circles._problem import Problem
from matcher.circles._result import assemble_result
from matcher.circles._seeding import seed_circles
from matcher.circles._soft_search import improve_soft_score
from matcher.circles.model import DEFAULT_SIZE, CirclesResult
from matcher.circles.themes import resolve_themes
from matcher.circles.violations import circle_violations
from matcher.scoring import ScoringPolicy
from matcher.vectors import NetworkArrays


def form_circles(
    arrays: NetworkArrays,
    *,
    themes=None,
    size: tuple[int, int] = DEFAULT_SIZE,
    max_per_member: int = 2,
    seed: int | None = None,
    policy: ScoringPolicy | None = None,
) -> CirclesResult:
    """Learning circles over ``themes`` (see the module docstring for the
    roles, constraints, objective, bound and algorithm
    of :mod:`matcher.circles`).

    ``themes``: theme keys; by default the first :data:`DEFAULT_THEMES` themes
    by unmet demand (``matcher.capacity_map``, under ``policy``) that can hold
    a circle. Requested themes where no circle can form are reported in
    ``skipped_themes``. ``seed`` (``None`` acts as 0) breaks ties and drives
    the local search: same arrays and seed → same circles.

    >>> # res = form_circles(arrays, themes=["budget_tracking"], seed=1)
    >>> # res.circles[0].theme, [m.role for m in res.circles[0].members]
    >>> # ('budget_tracking', ['anchor', 'learner', 'learner', 'learner'])
    >>> # res.need_covered <= res.bound
    """
    size, max_per_member = check_options(size, max_per_member)
    rng = np.random.default_rng(_check_seed(seed))
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
