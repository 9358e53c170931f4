"""Recommendations as a JSON document (schema_version 1) and a table."""

from __future__ import annotations

from matcher import EmptyReason, Network, Recommendation, Taxonomy
from service.documents.encoding import SCHEMA_VERSION, reason_dict, reason_text
from service.documents.tables import render_table
from service.translations import N_, gettext_for


def recommendations_document(
    member: str,
    direction: str,
    recs: tuple[Recommendation, ...],
    empty: EmptyReason | None = None,
) -> dict:
    """The JSON document of a member's recommendations; when there are
    none, ``empty_reason`` says why (``empty``, from
    :func:`matcher.empty_reason`)."""
    why = {} if empty is None else {"empty_reason": {"code": empty.code, "text": empty.text}}
    return {
        "schema_version": SCHEMA_VERSION,
        "member": member,
        "direction": direction,
        "recommendations": [
            {
                "member": r.member,
                "score": r.score,
                "languages": list(r.languages),
                "reasons": [reason_dict(x) for x in r.reasons],
                **(
                    {
                        "gives": [reason_dict(x) for x in r.gives],
                        "receives": [reason_dict(x) for x in r.receives],
                    }
                    if direction == "exchanges"
                    else {}
                ),
            }
            for r in recs
        ],
        **why,
    }


TITLES = {
    "mentors": N_("Top mentors for {member}"),
    "mentees": N_("Top mentees for {member}"),
}
ROLES = {"mentors": N_("mentor"), "mentees": N_("mentee")}


def recommendations_table(
    member: str,
    direction: str,
    recs: tuple[Recommendation, ...],
    network: Network,
    taxonomy: Taxonomy,
    *,
    lang: str = "en",
    empty: EmptyReason | None = None,
) -> str:
    """The top peers of ``member`` for people, headings and labels in ``lang``;
    under an empty table, why it is empty (``empty``, the engine's words)."""
    _ = gettext_for(lang).gettext
    note = "" if empty is None else f"{empty.text}\n"
    names = {m.id: m.name for m in network.members}
    if direction == "exchanges":
        return (
            render_table(
                [
                    "#",
                    _("partner"),
                    _("name"),
                    _("score"),
                    _("lang"),
                    _("{member} teaches").format(member=member),
                    _("{member} learns").format(member=member),
                ],
                [
                    [
                        k + 1,
                        r.member,
                        names[r.member],
                        f"{r.score:.3f}",
                        ",".join(r.languages),
                        reason_text(r.gives, taxonomy, lang),
                        reason_text(r.receives, taxonomy, lang),
                    ]
                    for k, r in enumerate(recs)
                ],
                title=_("Top exchange partners for {member}").format(member=member),
            )
            + "\n"
            + note
        )
    return (
        render_table(
            ["#", _(ROLES[direction]), _("name"), _("score"), _("lang"), _("why")],
            [
                [
                    k + 1,
                    r.member,
                    names[r.member],
                    f"{r.score:.3f}",
                    ",".join(r.languages),
                    reason_text(r.reasons, taxonomy, lang),
                ]
                for k, r in enumerate(recs)
            ],
            title=_(TITLES[direction]).format(member=member),
        )
        + "\n"
        + note
    )
