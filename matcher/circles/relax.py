"""What would place a need left without a circle: changes checked by forming
the circles again, with the same themes and seed, and seeing the member on a
circle of that theme.

Circles come from a heuristic, not a proven optimum, so no residual graph
says what a change would do: every option offered here was formed and seen
to work. Three kinds, each tried once per need it could help:

``accept_language``
    the member (with no anchor in its languages) also works in the language
    most anchors on the theme speak;
``lift_exclusions``
    its exclusions with the anchors on the theme who share its language go;
``larger_circles``
    circles one member larger (one forming serves every need left out for
    the circles' limits);
``more_circles``
    one more circle per member (likewise).

Forming costs about 0.05 s at 126 members and 0.2 s at 1,000, so at most
``max_reforms`` member-level formings are tried, needs in (member, theme)
order; the rest get no options.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from matcher.circles.form import form_circles
from matcher.circles.model import ANCHOR_LEVEL, MAX_SIZE, CirclesResult
from matcher.scoring import ScoringPolicy
from matcher.vectors import NetworkArrays

__all__ = ["MAX_REFORMS", "CircleOption", "circle_options"]

MAX_REFORMS = 12


@dataclass(frozen=True)
class CircleOption:
    """A change that, alone, places ``member`` on a circle on ``theme``
    (formed and checked). ``kind``: ``accept_language`` (``language``),
    ``lift_exclusions`` (with the anchors ``members``) or ``larger_circles``
    (``size``) or ``more_circles`` (``max_per_member``).

    >>> from matcher.examples import circle_arrays
    >>> arrays = circle_arrays()
    >>> result = form_circles(arrays, themes=["budget_tracking"], seed=1)
    >>> [o.text for o in circle_options(arrays, result)[("ml", "budget_tracking")]]
    ['if it also worked in en, it would join a circle on budget_tracking']
    """

    member: str
    theme: str
    kind: str
    language: str | None
    members: tuple[str, ...]
    size: tuple[int, int] | None
    text: str
    max_per_member: int | None = None


def circle_options(
    arrays: NetworkArrays,
    result: CirclesResult,
    *,
    policy: ScoringPolicy | None = None,
    max_reforms: int = MAX_REFORMS,
) -> dict[tuple[str, str], tuple[CircleOption, ...]]:
    """Options for the needs ``result`` (circles formed over ``arrays``)
    left out, keyed by (member, theme); needs without one are absent.

    >>> from matcher.examples import circle_arrays
    >>> arrays = circle_arrays()
    >>> result = form_circles(arrays, themes=["budget_tracking"], seed=1)
    >>> [(o.kind, o.language) for o in circle_options(arrays, result)[("ml", "budget_tracking")]]
    [('accept_language', 'en')]
    """
    themes = [*result.themes, *result.skipped_themes]

    def form(changed: NetworkArrays, size=result.size, most=result.max_per_member):
        return form_circles(
            changed, themes=themes, size=size, max_per_member=most, seed=result.seed, policy=policy
        )

    found: dict[tuple[str, str], list[CircleOption]] = {}
    limits = [x for x in result.left_out if x.code == "circle_limits"]
    larger = (result.size[0], result.size[1] + 1)
    more = result.max_per_member + 1
    if limits and larger[1] <= MAX_SIZE:
        placed = _placed(form(arrays, size=larger))
        for x in (x for x in limits if (x.member, x.theme) in placed):
            text = f"circles of up to {larger[1]} members would place it on {x.theme}"
            option = CircleOption(x.member, x.theme, "larger_circles", None, (), larger, text)
            found.setdefault((x.member, x.theme), []).append(option)
    if limits:
        placed = _placed(form(arrays, most=more))
        for x in (x for x in limits if (x.member, x.theme) in placed):
            text = f"up to {more} circles per member would place it on {x.theme}"
            option = CircleOption(x.member, x.theme, "more_circles", None, (), None, text, more)
            found.setdefault((x.member, x.theme), []).append(option)
    index = {member: i for i, member in enumerate(arrays.ids)}
    tries = 0
    for x in result.left_out:
        if tries >= max_reforms or x.code not in ("no_shared_language", "excluded"):
            continue
        i, t = index[x.member], arrays.themes.index(x.theme)
        anchors = np.flatnonzero(
            (arrays.expertise[:, t] >= ANCHOR_LEVEL) & (arrays.mentor_capacity > 0)
        )
        anchors = anchors[anchors != i]
        if x.code == "no_shared_language":
            option = _language_option(arrays, x, i, anchors, form)
        else:
            option = _exclusion_option(arrays, x, i, anchors, form)
        tries += 1
        if option is not None:
            found.setdefault((x.member, x.theme), []).append(option)
    return {key: tuple(found[key]) for key in sorted(found)}


def _language_option(arrays, need, i, anchors, form) -> CircleOption | None:
    """The language most anchors on the theme speak (ties: by code), if
    working in it too places the member."""
    counts = arrays.speaks[anchors].sum(axis=0) * ~arrays.speaks[i]
    if counts.max(initial=0) == 0:
        return None
    lang = int(np.argmax(counts))
    speaks = arrays.speaks.copy()
    speaks[i, lang] = True
    if (need.member, need.theme) not in _placed(form(replace(arrays, speaks=speaks))):
        return None
    name = arrays.languages[lang]
    text = f"if it also worked in {name}, it would join a circle on {need.theme}"
    return CircleOption(need.member, need.theme, "accept_language", name, (), None, text)


def _exclusion_option(arrays, need, i, anchors, form) -> CircleOption | None:
    """Lifting the member's exclusions with the anchors it shares a language
    with, if that places it."""
    shares = (arrays.speaks[anchors] & arrays.speaks[i]).any(axis=1)
    row = arrays.excluded[i].toarray().ravel()
    lifted = anchors[shares & row[anchors]]
    if lifted.size == 0:
        return None
    excluded = arrays.excluded.tolil()
    excluded[i, lifted] = False
    excluded[lifted, i] = False
    excluded = excluded.tocsr()
    excluded.eliminate_zeros()
    if (need.member, need.theme) not in _placed(form(replace(arrays, excluded=excluded))):
        return None
    ids = tuple(arrays.ids[j] for j in lifted.tolist())
    text = f"lifting its exclusions with {', '.join(ids)} would place it on {need.theme}"
    return CircleOption(need.member, need.theme, "lift_exclusions", None, ids, None, text)


def _placed(result: CirclesResult) -> set[tuple[str, str]]:
    """(member, theme) of every learner credited on a circle."""
    return {(m.id, c.theme) for c in result.circles for m in c.members if m.role == "learner"}
