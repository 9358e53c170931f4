"""The capacity map as a JSON document (for machines) and text tables (for people).

The document keeps keys (theme, region, group keys) and adds a ``labels``
block in the language asked for; the tables print headings and labels in it.
"""

from __future__ import annotations

from matcher import Network, Taxonomy
from matcher.capacity_map import EXPERT_LEVEL, NEED_LEVEL, NORTH_SOUTH, CapacityMap, GroupCount
from matcher.geo import REGION_LABELS
from service.contract import input_sha256
from service.documents.encoding import SCHEMA_VERSION
from service.documents.tables import render_table
from service.translations import N_, gettext_for

TABLE_ROWS = 15
"""Rows per table section; the JSON document has them all."""


GROUPS = {
    "international": N_("International (no country)"),
    "global_south": N_("Global South"),
    "global_north": N_("Global North"),
    "national_coalition": N_("National coalitions"),
    "regional_network": N_("Regional networks"),
    "international_ngo": N_("International NGOs"),
}
"""The group keys that are not regions (regions are named by ``matcher.geo``):
members without a country, the two sides, the kinds of member."""

UNMET_REASONS = {
    "no_expert": N_("no expert speaks it"),
    "not_enough_capacity": N_("not enough capacity"),
}
"""Why a (theme, language) need is unmet, by ``UnmetNeed.code``."""


def group_label(group: str, lang: str) -> str:
    """The name of a group of the map (a region, "international", a side or a
    kind of member) in ``lang``."""
    if group in REGION_LABELS:
        return REGION_LABELS[group][lang]
    return gettext_for(lang).gettext(GROUPS[group])


def unmet_reason(code: str, lang: str) -> str:
    """Why a need is unmet (an ``UnmetNeed.code``), in ``lang``."""
    return gettext_for(lang).gettext(UNMET_REASONS[code])


def _group_dict(count: GroupCount) -> dict:
    return {
        "supply": {"members": count.supply_members, "capacity": count.supply_capacity},
        "demand": {"members": count.demand_members, "capacity": count.demand_capacity},
    }


def map_document(cmap: CapacityMap, network: Network, taxonomy: Taxonomy, *, lang: str) -> dict:
    """The JSON document of a capacity map (schema_version 1)."""
    themes = [
        {
            "theme": row.theme,
            "supply": {"members": row.supply_members, "capacity": row.supply_capacity},
            "demand": {"members": row.demand_members, "capacity": row.demand_capacity},
            "coverage": row.coverage,
            "no_expert": row.no_expert,
            "unserved": row.unserved,
            "by_group": {g.group: _group_dict(g) for g in row.by_group},
            "north_south": {g.group: _group_dict(g) for g in row.north_south},
        }
        for row in cmap.themes
    ]
    south = cmap.south_south
    return {
        "schema_version": SCHEMA_VERSION,
        "by": cmap.by,
        "themes": themes,
        "unmet": [
            {
                "theme": g.theme,
                "language": g.language,
                "code": g.code,
                "members": g.members,
                "demand": g.demand,
                "experts": g.experts,
                "capacity": g.capacity,
            }
            for g in cmap.unmet
        ],
        "single_points_of_failure": [
            {
                "theme": s.theme,
                "language": s.language,
                "expert": s.expert,
                "dependents": s.dependents,
                "stranded": s.stranded,
            }
            for s in cmap.single_points_of_failure
        ],
        "brokers": [
            {"member": b.member, "score": b.score, "can_help": b.can_help, "helped_by": b.helped_by}
            for b in cmap.brokers
        ],
        "south_south_potential": {
            "needs": south.needs,
            "met": south.met,
            "share": south.share,
            "by_theme": [
                {"theme": t.theme, "needs": t.needs, "met": t.met} for t in south.by_theme
            ],
        },
        "summary": {
            "members": cmap.members,
            "themes_with_demand": sum(1 for row in cmap.themes if row.demand_members),
            "needs": sum(row.demand_members for row in cmap.themes),
            "unserved": sum(row.unserved for row in cmap.themes),
            "no_expert": sum(row.no_expert for row in cmap.themes),
            "single_points_of_failure": len(cmap.single_points_of_failure),
            "expert_level": EXPERT_LEVEL,
            "need_level": NEED_LEVEL,
            "help_graph_edges": cmap.help_graph_edges,
            "broker_sources": cmap.broker_sources,
            "taxonomy_version": network.taxonomy_version,
            "input_sha256": input_sha256(network),
        },
        "labels": {
            "lang": lang,
            "themes": {row.theme: taxonomy.label(row.theme, lang) for row in cmap.themes},
            "groups": {g: group_label(g, lang) for g in (*cmap.groups, *NORTH_SOUTH)},
        },
    }


def map_table(cmap: CapacityMap, network: Network, taxonomy: Taxonomy, *, lang: str) -> str:
    """The capacity map for people: supply and demand of the most needed
    themes, by group, unmet needs, single points of failure, brokers and the
    South–South potential. Headings and labels in ``lang``; numbers as the
    JSON writes them (a table is also pasted into spreadsheets and scripts)."""
    _ = gettext_for(lang).gettext
    none = _("none")

    def section(title: str, headers: list[str], rows: list[list[object]], total: int) -> str:
        if not rows:
            return f"{title}\n{none}"
        text = render_table(headers, rows, title=title)
        more = _("… {n} more with --format json").format(n=total - len(rows))
        return text + (f"\n{more}" if total > len(rows) else "")

    def theme(key: str) -> str:
        return taxonomy.label(key, lang)

    wanted = sorted(
        (row for row in cmap.themes if row.demand_members),
        key=lambda r: (-r.demand_members, -r.unserved, r.theme),
    )
    shown = wanted[:TABLE_ROWS]
    supply_demand = section(
        " — ".join([_("Capacity map"), _("Supply and demand by theme")]),
        [
            _("theme"),
            _("experts"),
            _("mentor capacity"),
            _("in need"),
            _("coverage"),
            _("unserved"),
        ],
        [
            [
                theme(r.theme),
                r.supply_members,
                r.supply_capacity,
                r.demand_members,
                f"{r.coverage:.2f}",
                r.unserved,
            ]
            for r in shown
        ],
        len(wanted),
    )
    by_group = section(
        _("Experts / members in need, by group"),
        [_("theme"), *(group_label(g, lang) for g in cmap.groups)],
        [
            [theme(r.theme), *(f"{g.supply_members}/{g.demand_members}" for g in r.by_group)]
            for r in shown
        ],
        len(wanted),
    )
    unmet = section(
        _("Unmet needs: expertise to bring in from outside"),
        [_("theme"), _("language"), _("why"), _("members"), _("in need"), _("mentor capacity")],
        [
            [
                theme(g.theme),
                g.language,
                unmet_reason(g.code, lang),
                g.members,
                g.demand,
                g.capacity,
            ]
            for g in cmap.unmet[:TABLE_ROWS]
        ],
        len(cmap.unmet),
    )
    unmet_note = _(
        "members: those with no expert in any of their languages, or those in need beyond "
        "the experts' capacity in the language (an estimate: members and experts may use "
        "several languages); the exact count per theme is the unserved column"
    )
    spof = section(
        _("Single points of failure: one expert only"),
        [_("theme"), _("language"), _("only expert"), _("depending on it"), _("no other expert")],
        [
            [theme(s.theme), s.language, s.expert, s.dependents, s.stranded]
            for s in cmap.single_points_of_failure[:TABLE_ROWS]
        ],
        len(cmap.single_points_of_failure),
    )
    names = {m.id: m.name for m in network.members}
    brokers = section(
        brokers_title(cmap, lang),
        ["#", _("member"), _("name"), _("betweenness"), _("can help"), _("helped by")],
        [
            [k + 1, b.member, names[b.member], f"{b.score:.4f}", b.can_help, b.helped_by]
            for k, b in enumerate(cmap.brokers)
        ],
        len(cmap.brokers),
    )
    south = cmap.south_south
    share = "—" if south.share is None else f"{south.share:.1%}"
    totals = _(
        "{members} members · {needs} needs at level ≥ {need_level} · {unserved} unserved "
        "even if every expert (level ≥ {expert_level}) gave them all its capacity · "
        "{spof} single points of failure"
    ).format(
        members=cmap.members,
        needs=sum(r.demand_members for r in cmap.themes),
        unserved=sum(r.unserved for r in cmap.themes),
        spof=len(cmap.single_points_of_failure),
        need_level=NEED_LEVEL,
        expert_level=EXPERT_LEVEL,
    )
    potential = south_south_sentence(south.met, south.needs, share, lang)
    return (
        "\n\n".join([supply_demand, by_group, f"{unmet}\n{unmet_note}", spof, brokers])
        + f"\n\n{potential}\n{totals}\n"
    )


def brokers_title(cmap: CapacityMap, lang: str) -> str:
    """The title of the brokers' table, saying when betweenness was sampled."""
    _ = gettext_for(lang).gettext
    title = _("Brokers: betweenness in the help graph")
    if cmap.broker_sources is None:
        return title
    sampled = _("estimated from {k} sampled members").format(k=cmap.broker_sources)
    return f"{title} ({sampled})"


def south_south_sentence(met: int, needs: int, share: str, lang: str) -> str:
    """The South–South potential in one sentence (``share`` already written)."""
    return (
        gettext_for(lang)
        .gettext(
            "South–South potential: {met} of {needs} Southern needs ({share}) could be met by "
            "a Southern expert sharing a language"
        )
        .format(met=met, needs=needs, share=share)
    )
