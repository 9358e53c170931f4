"""Which themes circles are sought on."""

from __future__ import annotations

from matcher.circles._options import check_options
from matcher.circles._problem import roles_and_viable_pools
from matcher.circles.model import DEFAULT_SIZE, DEFAULT_THEMES
from matcher.errors import MatcherError
from matcher.scoring import ScoringPolicy
from matcher.vectors import NetworkArrays


def default_themes(
    arrays: NetworkArrays,
    *,
    size: tuple[int, int] = DEFAULT_SIZE,
    policy: ScoringPolicy | None = None,
) -> tuple[str, ...]:
    """The themes :func:`form_circles` takes by default: the first
    :data:`DEFAULT_THEMES` by unmet demand (``matcher.capacity_map``) on which
    a circle of ``size`` can form.

    >>> from matcher.examples import circle_arrays
    >>> arrays = circle_arrays()  # one anchor (ph), four learners
    >>> default_themes(arrays)  # the one theme with an anchor
    ('budget_tracking',)
    """
    from matcher.capacity_map import capacity_map  # the map imports the help graph: lazily

    size, _ = check_options(size, 1)
    index = {key: t for t, key in enumerate(arrays.themes)}
    ranked = [
        index[k]
        for k in capacity_map(arrays, policy=policy, brokers=False).themes_by_unmet_demand()
    ]
    viable = roles_and_viable_pools(arrays, ranked, size[0])[2].any(axis=1)
    chosen = [t for t, ok in zip(ranked, viable, strict=True) if ok][:DEFAULT_THEMES]
    return tuple(arrays.themes[t] for t in chosen)


def resolve_themes(
    arrays: NetworkArrays, themes, policy: ScoringPolicy | None, size
) -> tuple[list[int], list[int]]:
    """(themes to form circles on, requested themes where none can form), as
    indices of ``arrays.themes``; ``themes`` None: :func:`default_themes`.

    >>> from matcher.examples import circle_arrays
    >>> arrays = circle_arrays()  # one anchor (ph), four learners
    >>> chosen, skipped = resolve_themes(arrays, ["budget_tracking", "fundraising"], None, (4, 8))
    >>> [arrays.themes[t] for t in chosen], [arrays.themes[t] for t in skipped]
    (['budget_tracking'], ['fundraising'])
    """
    if themes is None:
        themes = default_themes(arrays, size=size, policy=policy)
    if isinstance(themes, str):
        raise MatcherError("themes must be a sequence of theme keys, not one string")
    index = {key: t for t, key in enumerate(arrays.themes)}
    chosen: list[int] = []
    for key in themes:
        if key not in index:
            from matcher.taxonomy import default_taxonomy

            hint = default_taxonomy().suggest(key) if isinstance(key, str) else None
            extra = f"; did you mean {hint!r}?" if hint else ""
            raise MatcherError(f"unknown theme key {key!r}{extra}")
        if index[key] not in chosen:
            chosen.append(index[key])
    viable = roles_and_viable_pools(arrays, chosen, size[0])[2].any(axis=1)
    return (
        [t for t, ok in zip(chosen, viable, strict=True) if ok],
        [t for t, ok in zip(chosen, viable, strict=True) if not ok],
    )
