"""The report's words that depend on a code (why a member got no mentor, the
direction of a pair), public so that the notebooks say the same. Every other
sentence of the report is written in English where it is used and translated
through the catalogues (:mod:`service.translations`)."""

from __future__ import annotations

from matcher import Member, Taxonomy
from service.translations import N_, gettext_for
from service.translations.formats import format_list

RTL_LANGUAGES = frozenset({"ar"})

UNMATCHED = {
    "no_shared_language": (
        N_("no shared language"),
        N_("no mentor speaks one of its working languages ({detail})"),
    ),
    "no_stronger_mentor": (
        N_("no stronger mentor"),
        N_("no mentor sharing a language is stronger on its needs ({detail})"),
    ),
    "all_excluded": (
        N_("all excluded"),
        N_("every mentor who could help is excluded for this member"),
    ),
    "capacity": (
        N_("mentors full"),
        N_("every mentor who could help is already at full capacity"),
    ),
}
"""Why a member got no mentor, by ``Unmatched.code``, hardest to lift first:
a few words for a chart, a sentence for a table."""
UNMATCHED_CODES = tuple(UNMATCHED)

DIRECTIONS = {
    "south_south": N_("South → South"),
    "north_south": N_("North → South"),
    "south_north": N_("South → North"),
    "north_north": N_("North → North"),
}
"""Pairs by (mentor side, mentee side), the way the policy knob thinks of them."""


def unmatched_label(code: str, lang: str) -> str:
    """Why a member got no mentor, in a few words (``no shared language``)."""
    return gettext_for(lang).gettext(UNMATCHED[code][0])


def unmatched_reason(code: str, member: Member, taxonomy: Taxonomy, lang: str) -> str:
    """Why ``member`` got no mentor (an ``Unmatched.code``), in ``lang``, with
    its languages or the labels of its needs where they explain it."""
    if code == "no_shared_language":
        detail = format_list(member.languages, lang)
    elif code == "no_stronger_mentor":
        needs = (taxonomy.label(k, lang) for k in taxonomy.keys if member.needs.get(k, 0) > 0)
        detail = format_list(needs, lang)
    else:
        detail = ""
    return gettext_for(lang).gettext(UNMATCHED[code][1]).format(detail=detail)


def direction_label(direction: str, lang: str) -> str:
    """A pair's direction, mentor side → mentee side (``South → South``)."""
    return gettext_for(lang).gettext(DIRECTIONS[direction])
