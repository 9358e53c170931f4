"""The outcome analysis as the document every surface renders (the API, the
console, later the report and the notebooks): each group labelled in the
reader's language, with a plain-words verdict, and — for the Hub — only the
aggregates that identify no member.

A group with too few answers (:func:`matcher.intervals.enough`) keeps its
counts but shows no share, mean or interval: its verdict says in plain words
that there are too few answers to tell. For ``audience="hub"`` a group of 1
to 4 relations (:data:`HUB_MIN_RELATIONS`) is left out altogether, and so is
a difference between formats when either format is; ``left_out`` says how
many. An empty group identifies nobody and stays.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from matcher.history import FORMATS
from matcher.intervals import MIN_ANSWERS
from matcher.outcomes import (
    NO_THEME,
    Difference,
    FormatOutcome,
    GroupOutcome,
    OutcomeAnalysis,
)
from service.documents.labels import theme_label
from service.translations import N_, gettext_for
from service.translations.formats import format_number, format_share

HUB_MIN_RELATIONS = 5
"""A group shown to the Hub has at least this many relations (or none)."""
Audience = Literal["admin", "hub"]

FORMAT_LABELS = {
    "mentoring": N_("Mentoring pairs"),
    "exchange": N_("Reciprocal exchanges"),
    "circle": N_("Learning circles"),
}
GROUPING_LABELS = {
    "direction": N_("By direction"),
    "region": N_("By region"),
    "language": N_("By language community"),
    "theme": N_("By theme"),
    "round": N_("By round"),
}
GROUP_LABELS = {
    "direction": {
        "north_to_south": N_("North → South"),
        "south_to_south": N_("South → South"),
        "south_to_north": N_("South → North"),
        "north_to_north": N_("North → North"),
        "south_south": N_("South ↔ South"),
        "north_south": N_("North ↔ South"),
        "north_north": N_("North ↔ North"),
        "mixed": N_("Anchors from North and South"),
        "unknown": N_("Side not known"),
    },
    "region": {
        "same_region": N_("Same region"),
        "cross_region": N_("Across regions"),
        "unknown": N_("Region not known"),
    },
    "language": {
        "within": N_("Within one language community"),
        "across": N_("Across language communities"),
        "unknown": N_("Language not known"),
    },
}


class Interval(BaseModel):
    low: float
    high: float


class OutcomeGroup(BaseModel):
    """One group's outcomes; shares and means are null when the group has
    too few answers to tell (``enough`` false) or nothing to compute them from."""

    key: str = Field(description="stable key: a direction, region, theme key, round id…")
    label: str = Field(description="what the group is, in the answer's language")
    relations: int
    answered: int = Field(description="relations on which at least one side answered")
    answers: int
    enough: bool = Field(description=f"at least {MIN_ANSWERS} answers: figures can be read")
    verdict: str = Field(description="the group's result in plain words")
    response_rate: float | None
    share_met: float | None
    share_met_interval: Interval | None = Field(description="Wilson score interval")
    mean_usefulness: float | None = Field(description="1 to 5")
    usefulness_interval: Interval | None = Field(description="percentile bootstrap interval")
    themes_learned: float | None = Field(
        description="distinct themes learned per answered relation"
    )
    continued: float | None = Field(description="share of answers saying the relation went on")


class OutcomeGrouping(BaseModel):
    grouping: Literal["direction", "region", "language", "theme", "round"]
    label: str
    groups: list[OutcomeGroup] = Field(description="in a fixed order, never sorted by result")
    left_out: int = Field(description="groups left out for the Hub (1 to 4 relations)")


class FormatOutcomes(BaseModel):
    format: Literal["mentoring", "exchange", "circle"]
    label: str
    overall: OutcomeGroup | None = Field(description="null when left out for the Hub")
    groupings: list[OutcomeGrouping]


class FormatDifference(BaseModel):
    """``first`` − ``second``."""

    first: str
    second: str
    label: str
    enough: bool
    verdict: str
    share_met: float | None
    share_met_interval: Interval | None = Field(
        description="Newcombe's hybrid score interval (Newcombe 1998, method 10)"
    )
    mean_usefulness: float | None
    usefulness_interval: Interval | None = Field(description="percentile bootstrap interval")


class OutcomesDocument(BaseModel):
    """Which peer-learning formats work, for whom (schema_version 1)."""

    schema_version: Literal[1] = 1
    lang: str
    audience: Audience
    confidence: float
    min_answers: int = Field(description="fewer answers than this: too few to tell")
    formats: list[FormatOutcomes]
    differences: list[FormatDifference]
    left_out: int = Field(description="groups and differences left out for the Hub, in all")


class OutcomeComment(BaseModel):
    """One answer with a comment, for the secretariat (never the Hub)."""

    relation: int = Field(description="the published proposal the answer is on")
    round: int
    format: Literal["mentoring", "exchange", "circle"]
    themes: list[str] = Field(description="theme keys of the relation")
    member: str | None = Field(description="who answered (null: given before sides were kept)")
    side: Literal["mentor", "mentee", "partner", "anchor", "learner"] | None
    met: bool
    usefulness: int
    themes_learned: list[str]
    continued: bool | None
    comment: str
    author: str = Field(description="the API key that gave the answer")
    at: datetime


def _interval(pair: tuple[float, float] | None) -> Interval | None:
    return None if pair is None else Interval(low=pair[0], high=pair[1])


def group_label(grouping: str, key: str, lang: str) -> str:
    """A group's name in ``lang``.

    >>> group_label("direction", "south_to_south", "fr"), group_label("round", "3", "en")
    ('Sud → Sud', 'Round 3')
    """
    _ = gettext_for(lang).gettext
    if grouping == "theme":
        if key == NO_THEME:
            return _("No theme recorded")
        return theme_label(key, lang)
    if grouping == "round":
        return _("Round {id}").format(id=key)
    if grouping == "format":
        return _(FORMAT_LABELS[key])
    return _(GROUP_LABELS[grouping][key])


def too_few(lang: str) -> str:
    """The verdict of a group with too few answers, in plain words."""
    return (
        gettext_for(lang)
        .gettext("Too few answers to tell (fewer than {n}).")
        .format(n=format_number(MIN_ANSWERS, lang))
    )


def _verdict(g: GroupOutcome, lang: str) -> str:
    _ = gettext_for(lang).gettext
    if not g.answers:
        return _("No answer yet.")
    if not g.enough:
        return too_few(lang)
    assert g.share_met_interval and g.usefulness_interval and g.mean_usefulness is not None
    met = _(
        "{met} of {answers} answers say the goal was met: {share} "
        "(likely between {low} and {high})."
    ).format(
        met=format_number(g.met, lang),
        answers=format_number(g.answers, lang),
        share=format_share(g.met / g.answers, lang),
        low=format_share(g.share_met_interval[0], lang),
        high=format_share(g.share_met_interval[1], lang),
    )
    useful = _("Usefulness {mean} out of 5 on average (likely between {low} and {high}).").format(
        mean=format_number(g.mean_usefulness, lang, 1),
        low=format_number(g.usefulness_interval[0], lang, 1),
        high=format_number(g.usefulness_interval[1], lang, 1),
    )
    return f"{met} {useful}"


def _group(g: GroupOutcome, grouping: str, lang: str) -> OutcomeGroup:
    shown = g.enough
    return OutcomeGroup(
        key=g.key,
        label=group_label(grouping, g.key, lang),
        relations=g.relations,
        answered=g.answered,
        answers=g.answers,
        enough=g.enough,
        verdict=_verdict(g, lang),
        response_rate=g.response_rate,
        share_met=g.share_met if shown else None,
        share_met_interval=_interval(g.share_met_interval),
        mean_usefulness=g.mean_usefulness if shown else None,
        usefulness_interval=_interval(g.usefulness_interval),
        themes_learned=g.themes_learned if shown else None,
        continued=g.continued if shown else None,
    )


def _hidden(g: GroupOutcome, audience: Audience) -> bool:
    return audience == "hub" and 0 < g.relations < HUB_MIN_RELATIONS


PARTITIONS = frozenset({"direction", "region", "language", "round"})
"""Groupings that put each relation in exactly one group (not themes)."""


def _left_out(name: str, groups: tuple[GroupOutcome, ...], audience: Audience) -> set[str]:
    """The keys of the groups the Hub is not shown: those of 1–4 relations
    and, in a partition, as many of the smallest others as it takes for the
    left-out ones to hold 5 relations or more between them — the groups of a
    partition add up to the format's overall figures, which the Hub sees, so
    a lone small group would otherwise come back by subtraction."""
    hidden = {g.key for g in groups if _hidden(g, audience)}
    if not hidden or name not in PARTITIONS:
        return hidden
    total = sum(g.relations for g in groups if g.key in hidden)
    others = sorted(
        (g for g in groups if g.key not in hidden and g.relations), key=lambda g: g.relations
    )
    for g in others:
        if total >= HUB_MIN_RELATIONS:
            break
        hidden.add(g.key)
        total += g.relations
    return hidden


def _format(f: FormatOutcome, lang: str, audience: Audience) -> FormatOutcomes:
    _ = gettext_for(lang).gettext
    groupings = []
    for name, groups in f.groups.items():
        hidden = _left_out(name, groups, audience)
        kept = [g for g in groups if g.key not in hidden]
        groupings.append(
            OutcomeGrouping(
                grouping=name,  # type: ignore[arg-type]
                label=_(GROUPING_LABELS[name]),
                groups=[_group(g, name, lang) for g in kept],
                left_out=len(groups) - len(kept),
            )
        )
    return FormatOutcomes(
        format=f.format,  # type: ignore[arg-type]
        label=_(FORMAT_LABELS[f.format]),
        overall=None if _hidden(f.overall, audience) else _group(f.overall, "format", lang),
        groupings=groupings,
    )


def _difference(d: Difference, lang: str) -> FormatDifference:
    _ = gettext_for(lang).gettext
    first, second = _(FORMAT_LABELS[d.first]), _(FORMAT_LABELS[d.second])
    label = _("{first} compared with {second}").format(first=first, second=second)
    if not d.enough:
        verdict = _("Too few answers to tell: each format needs at least {n}.").format(
            n=format_number(MIN_ANSWERS, lang)
        )
    else:
        assert d.share_met_interval and d.usefulness_interval
        assert d.share_met is not None and d.mean_usefulness is not None
        low, high = d.share_met_interval
        if low > 0:
            met = _("{first} met their goal more often than {second}.")
        elif high < 0:
            met = _("{first} met their goal less often than {second}.")
        else:
            met = _("No clear difference in how often {first} and {second} met their goal.")
        u_low, u_high = d.usefulness_interval
        if u_low > 0:
            useful = _("{first} were found more useful than {second}.")
        elif u_high < 0:
            useful = _("{first} were found less useful than {second}.")
        else:
            useful = _("No clear difference in how useful {first} and {second} were found.")
        verdict = " ".join(
            (met.format(first=first, second=second), useful.format(first=first, second=second))
        )
    return FormatDifference(
        first=d.first,
        second=d.second,
        label=label,
        enough=d.enough,
        verdict=verdict,
        share_met=d.share_met,
        share_met_interval=_interval(d.share_met_interval),
        mean_usefulness=d.mean_usefulness,
        usefulness_interval=_interval(d.usefulness_interval),
    )


def outcomes_document(
    analysis: OutcomeAnalysis, *, lang: str, audience: Audience
) -> OutcomesDocument:
    """The document of ``analysis`` in ``lang`` for ``audience`` (see the
    module docstring for what the Hub is not shown)."""
    formats = [_format(f, lang, audience) for f in analysis.formats]
    hidden = {f.format for f in analysis.formats if _hidden(f.overall, audience)}
    differences = [
        _difference(d, lang)
        for d in analysis.differences
        if d.first not in hidden and d.second not in hidden
    ]
    left_out = (
        len(hidden)
        + sum(g.left_out for f in formats for g in f.groupings)
        + len(analysis.differences)
        - len(differences)
    )
    assert [f.format for f in formats] == list(FORMATS)
    return OutcomesDocument(
        lang=lang,
        audience=audience,
        confidence=analysis.confidence,
        min_answers=MIN_ANSWERS,
        formats=formats,
        differences=differences,
        left_out=left_out,
    )
