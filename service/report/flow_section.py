"""The report's "How knowledge flowed" section: the flow map's document
(:func:`service.documents.flow.flow_document`, what ``GET /v1/flow`` answers
an admin) rendered as tables, with the flow figures of
:mod:`service.report.flow_figures` embedded as PNG like the report's others.

Members are named as the mentoring round section names them (the report is
the secretariat's): a few names per list, the counts in full."""

from __future__ import annotations

import math
from collections.abc import Callable
from html import escape

from service.documents.flow import flow_document, member_rows
from service.report.analysis import Analysis
from service.report.flow_figures import flow_graph_figure, region_flow_figure
from service.report.html import bdi, figure_html, html_table, tag
from service.translations import N_, gettext_for
from service.translations.formats import format_list, format_number, format_share

SECTION_ID = "knowledge-flow"
NAMES_SHOWN = 5
"""Members named per list (the count says how many there are)."""
ROWS_SHOWN = 10
"""Themes, knowledge deserts and brokers listed (most flows or members in need first)."""

MEMBER_LISTS = {
    "never_reached": N_("Never reached: in no published relation"),
    "only_receiving": N_("Only received, never gave"),
    "only_giving": N_("Only gave, never received"),
    "needs_unmet": N_("Needs never met: a theme they need reached them in no round"),
}
"""The member lists shown (the same words as the console's Flow page)."""


def no_history(lang: str) -> str:
    """What a history section says when the report was made without one;
    ``{option}``, ``{check}`` and ``{demo}`` stand for commands."""
    return gettext_for(lang).gettext(
        "There is no history yet: this report was made from the network alone. Give the "
        "past rounds and their feedback with {option} (a history document; {check} checks "
        "one), or see it on the demo with {demo}."
    )


def no_history_html(lang: str) -> str:
    """:func:`no_history` as a paragraph, the commands kept left to right
    (in Arabic too) and the words around them escaped."""
    commands = {
        "option": "--history FILE",
        "check": "peermatch validate-history",
        "demo": "peermatch report --demo",
    }
    text = escape(no_history(lang))
    for name, command in commands.items():
        text = text.replace("{" + name + "}", f'<code dir="ltr">{escape(command)}</code>')
    return f'<p class="note">{text}</p>'


def _share(value: float | None, lang: str, digits: int = 0) -> str:
    return "—" if value is None else format_share(value, lang, digits)


def flow_section(a: Analysis, lang: str, progress: Callable[[str], None]) -> str:
    _ = gettext_for(lang).gettext
    parts = [f'<section id="{SECTION_ID}">' + tag("h2", _("How knowledge flowed"))]
    if a.flow is None:
        return "".join([*parts, no_history_html(lang), "</section>"])
    names = {m.id: m.name for m in a.network.members}
    doc = flow_document(a.flow, lang=lang, audience="admin", names=names)
    intro = _(
        "Who learned from whom, on what: every published round (archived ones too). A flow "
        "is one theme passed from a giver to a receiver (a mentor to a mentee, each side of "
        "an exchange, a circle's anchor to a member). A tie is a giver → receiver pair; it "
        "is new in the first round it appears."
    )
    parts.append(f"<p>{escape(intro)}</p>")
    if not doc["rounds"]:
        parts.append(
            tag("p", _("Nothing published yet: the flow map fills in as rounds are published."))
        )
        return "".join([*parts, "</section>"])
    parts += _indicators(doc, lang)
    parts += _regions(a, doc, lang, progress)
    parts += _members(a, doc, names, lang)
    parts += _themes(doc, lang)
    parts += _brokers(doc, lang)
    parts.append("</section>")
    return "".join(parts)


def _indicators(doc: dict, lang: str) -> list[str]:
    _ = gettext_for(lang).gettext

    def n(value: int) -> str:
        return format_number(value, lang)

    def row(label: str, fmt: str, i: dict) -> list[str]:
        return [
            label,
            fmt,
            n(i["flows"]),
            n(i["ties"]),
            n(i["new_ties"]),
            n(i["repeated_ties"]),
            _share(i["reciprocity"], lang),
            _share(i["south_south_density"], lang, 1),
            _share(i["crossing_region_share"], lang),
            _share(i["crossing_language_share"], lang),
        ]

    formats = doc["labels"]["formats"]
    rows = [
        row(_("Round {n}").format(n=n(r["order"] + 1)), formats[r["format"]], r["indicators"])
        for r in doc["rounds"]
    ]
    cumulative = doc["cumulative"]["indicators"]
    rows.append(row(_("All rounds"), "", cumulative))
    data = [
        {"round": r["round"], "flows": r["indicators"]["flows"], "ties": r["indicators"]["ties"]}
        for r in doc["rounds"]
    ]
    data.append({"round": "all", "flows": cumulative["flows"], "ties": cumulative["ties"]})
    headers = [
        _("Round"),
        _("Format"),
        _("Flows"),
        _("Ties"),
        _("New ties"),
        _("Repeated ties"),
        _("Both give and receive"),
        _("South–South tie density"),
        _("Across regions"),
        _("Across languages"),
    ]
    note = _(
        "Both give and receive: the share of the members in a relation who gave know-how and "
        "also received some. Repeated ties, for all rounds: ties that came back in a later "
        "round. South–South tie density: the Southern → Southern ties there were, out of all "
        "there could be between Southern members. Across regions and languages: the share of "
        "flows whose giver and receiver differ in region, or in first language."
    )
    return [
        tag("h3", _("Round by round")),
        html_table(headers, rows, row_data=data),
        f'<p class="note">{escape(note)}</p>',
    ]


def _regions(a: Analysis, doc: dict, lang: str, progress: Callable[[str], None]) -> list[str]:
    _ = gettext_for(lang).gettext
    fmap = a.flow
    assert fmap is not None
    labels = doc["labels"]["regions"]
    progress("drawing the flow between regions")
    parts = [
        tag("h3", _("Flow between regions")),
        tag(
            "p",
            _(
                "Each small square is a round (the last one: all rounds): rows are the giving "
                "region, columns the receiving region, the number the flows."
            ),
        ),
        figure_html(
            region_flow_figure(fmap, lang=lang),
            _(
                "Heatmaps of the flows between regions, one per round and one for all rounds; "
                "the numbers for all rounds are in the table below."
            ),
        ),
        tag("p", _("Flows between regions, all rounds (rows give, columns receive)")),
        html_table(
            [_("Giving region"), *(labels[r] for r in doc["regions"])],
            [
                [labels[r], *(format_number(x, lang) for x in row)]
                for r, row in zip(doc["regions"], doc["cumulative"]["matrix"], strict=True)
            ],
            row_data=[{"region": r} for r in doc["regions"]],
        ),
    ]
    if doc["cumulative"]["unplaced"]:
        unplaced = _(
            "{n} flows involve a member no longer in the network; their region is unknown."
        ).format(n=format_number(doc["cumulative"]["unplaced"], lang))
        parts.append(f'<p class="note">{escape(unplaced)}</p>')
    last = fmap.rounds[-1]
    progress("drawing the latest round's flow graph")
    regions = {m.id: m.region for m in a.network.members}
    number = format_number(last.order + 1, lang)
    parts += [
        tag("h3", _("Who learned from whom in one round")),
        figure_html(
            flow_graph_figure(fmap, last, regions, lang=lang),
            _(
                "Graph of the ties of round {n}: dots are members coloured by region, arrows "
                "go from giver to receiver, new ties dashed orange, ties seen before solid "
                "purple. The counts are in the table above."
            ).format(n=number),
            _("Round {n}").format(n=number) + " · " + doc["labels"]["formats"][last.format],
        ),
    ]
    return parts


def _members(a: Analysis, doc: dict, names: dict[str, str], lang: str) -> list[str]:
    t = gettext_for(lang)
    fmap = a.flow
    assert fmap is not None
    items = []
    for status, title in MEMBER_LISTS.items():
        total = doc["member_counts"][status]
        shown = member_rows(fmap, status, names)[:NAMES_SHOWN]
        # Each name isolated (Latin and Arabic names side by side); the
        # list's separators are plain words without markup characters.
        who = [bdi(names.get(m["member"], m["member"])) for m in shown]
        if total > len(shown):  # the last item of the list: "…, E and 36 more"
            more = t.gettext("{more} more").format(more=format_number(total - len(shown), lang))
            who.append(escape(more))
        who = format_list(who, lang)
        items.append(
            f'<li data-status="{status}" data-count="{total}">'
            f"<strong>{escape(t.gettext(title))}</strong> "
            f"({escape(format_number(total, lang))})" + (f": {who}" if shown else "") + "</li>"
        )
    return [tag("h3", t.gettext("Members the flow did not reach")), f"<ul>{''.join(items)}</ul>"]


def _themes(doc: dict, lang: str) -> list[str]:
    _ = gettext_for(lang).gettext
    labels, regions = doc["labels"]["themes"], doc["labels"]["regions"]

    def n(value: int) -> str:
        return format_number(value, lang)

    themes = sorted(doc["themes"], key=lambda t: (-t["flows"], -t["demand"], t["theme"]))
    listed = themes[:ROWS_SHOWN]
    parts = [
        tag("h3", _("Reach of each theme")),
        html_table(
            [
                _("theme"),
                _("Members who received it"),
                _("From how many givers"),
                _("Flows"),
                _("Members who need it"),
                _("Of them never received it"),
            ],
            [
                [
                    labels[t["theme"]],
                    n(t["receivers"]),
                    n(t["sources"]),
                    n(t["flows"]),
                    n(t["demand"]),
                    n(t["needs_unmet"]),
                ]
                for t in listed
            ],
            row_data=[{"theme": t["theme"], "flows": t["flows"]} for t in listed],
        )
        if listed
        else tag("p", _("none")),
        _first(
            _("The {shown} themes that flowed most, of {total}."), len(listed), len(themes), lang
        ),
        tag("h3", _("Knowledge deserts")),
        tag("p", _("A theme members of a region need that never reached anyone in that region.")),
    ]
    deserts = sorted(doc["deserts"], key=lambda d: -d["demand"])
    shown = deserts[:ROWS_SHOWN]
    parts.append(
        html_table(
            [_("theme"), _("Region"), _("Members who need it")],
            [[labels[d["theme"]], regions[d["region"]], n(d["demand"])] for d in shown],
            row_data=[{"theme": d["theme"], "region": d["region"]} for d in shown],
        )
        if shown
        else tag("p", _("none"))
    )
    parts.append(
        _first(
            _("The {shown} with the most members in need, of {total}; GET /v1/flow has them all."),
            len(shown),
            len(deserts),
            lang,
        )
    )
    return parts


def _first(message: str, shown: int, total: int, lang: str) -> str:
    """``message`` (translated, with ``{shown}`` and ``{total}``) under a cut table."""
    if total <= shown:
        return ""
    text = message.format(shown=format_number(shown, lang), total=format_number(total, lang))
    return f'<p class="note">{escape(text)}</p>'


def _score(value: float, lang: str) -> str:
    """Two significant digits: betweenness is small in a sparse graph (three
    decimals would show 0.000)."""
    digits = 0 if value <= 0 else max(0, 1 - math.floor(math.log10(value)))
    return format_number(value, lang, digits)


def _brokers(doc: dict, lang: str) -> list[str]:
    _ = gettext_for(lang).gettext
    brokers = doc["brokers"][:ROWS_SHOWN]
    title = _("Brokers: members through whom know-how travelled furthest")
    hint = _(
        "Members on the most shortest giver → receiver chains of the ties that happened (not "
        "of those that could)."
    )
    table = (
        html_table(
            [_("member"), _("name"), _("Gave to"), _("Received from"), _("Score")],
            [
                [
                    bdi(b["member"]),
                    bdi(b["name"] or ""),
                    format_number(b["gives_to"], lang),
                    format_number(b["receives_from"], lang),
                    _score(b["score"], lang),
                ]
                for b in brokers
            ],
            row_data=[{"member": b["member"], "score": repr(b["score"])} for b in brokers],
        )
        if brokers
        else tag("p", _("none"))
    )
    return [tag("h3", title), tag("p", hint), table]
