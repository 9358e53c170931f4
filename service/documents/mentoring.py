"""A mentoring round as a JSON document (schema_version 1) and a table."""

from __future__ import annotations

from matcher import Network, RoundResult, Taxonomy
from matcher.options import Option
from service.contract import input_sha256
from service.documents.encoding import SCHEMA_VERSION, reason_dict, reason_text
from service.documents.tables import render_table
from service.gc_pause import collector_paused
from service.translations import N_, gettext_for


def round_summary(result: RoundResult, network: Network, *, seed: int | None) -> dict:
    """A mentoring round's figures: coverage, total, optimality, input."""
    summary = {
        "members": result.members,
        "mentees_with_needs": result.mentees_with_needs,
        "mentees_matched": result.mentees_matched,
        "pairs": len(result.pairs),
        "total_score": result.total_score,
        "optimal": result.optimal,
        "resolution": result.resolution if result.optimal else None,
        "candidates": result.candidates,
        "max_candidates": result.max_candidates,
        "pricing_rounds": result.pricing_rounds,
        "seed": seed,
        "taxonomy_version": network.taxonomy_version,
        "input_sha256": input_sha256(network),
    }
    if result.welfare_total is not None:
        summary["welfare_optimum"] = result.welfare_total
        summary["stability_cost"] = result.welfare_total - result.total_score
    return summary


def unmatched_list(result: RoundResult) -> list[dict]:
    """Each mentee left without a mentor, with the reason's code and words
    and the changes that alone would give it one (``options``, best first)."""
    return [
        {
            "member": u.member,
            "code": u.code,
            "reason": u.reason,
            "options": [option_dict(o) for o in u.options],
        }
        for u in result.unmatched
    ]


def option_dict(option: Option) -> dict:
    """An option as JSON: ``kind``, ``language`` (``accept_language`` only,
    else null), the ``mentors`` who could then take the mentee, the ``best``
    one, its pair's ``score`` and the option in words (``text``).

    >>> from matcher import default_taxonomy, mentoring_round
    >>> from matcher.examples import example_network
    >>> result = mentoring_round(example_network(), taxonomy=default_taxonomy())
    >>> option_dict(result.unmatched[0].options[0])["mentors"]
    ['fr-ngo']
    """
    return {
        "kind": option.kind,
        "language": option.language,
        "mentors": list(option.mentors),
        "best": option.best,
        "score": option.score,
        "text": option.text,
    }


def round_document(result: RoundResult, network: Network, *, seed: int | None) -> dict:
    """The JSON document of a mentoring round (schema_version 1)."""
    summary = round_summary(result, network, seed=seed)
    with collector_paused():
        pairs = [
            {
                "mentor": p.mentor,
                "mentee": p.mentee,
                "score": p.score,
                "languages": list(p.languages),
                "reasons": [reason_dict(r) for r in p.reasons],
            }
            for p in result.pairs
        ]
        unmatched = unmatched_list(result)
    return {
        "schema_version": SCHEMA_VERSION,
        "objective": result.objective,
        "pairs": pairs,
        "unmatched": unmatched,
        "summary": summary,
    }


OBJECTIVES = {"welfare": N_("welfare"), "stable": N_("stable")}
"""A round's objective (``--objective``) as its table's title names it."""


def round_table(
    result: RoundResult, network: Network, taxonomy: Taxonomy, *, lang: str = "en"
) -> str:
    """A mentoring round for people: pairs with reasons, then the unmatched.
    Headings and labels in ``lang``; the engine's explanation of why a member
    is unmatched, and its best option, stay as it gives them (English, with
    their counts)."""
    _ = gettext_for(lang).gettext
    names = {m.id: m.name for m in network.members}
    pairs = render_table(
        [_("mentee"), _("mentor"), _("score"), _("lang"), _("why")],
        [
            [
                p.mentee,
                p.mentor,
                f"{p.score:.3f}",
                ",".join(p.languages),
                reason_text(p.reasons, taxonomy, lang),
            ]
            for p in result.pairs
        ],
        title=_("Mentoring round ({objective}): {pairs} pairs").format(
            objective=_(OBJECTIVES[result.objective]), pairs=len(result.pairs)
        ),
    )
    parts = [pairs]
    if result.unmatched:
        parts.append(
            render_table(
                [_("member"), _("name"), _("why unmatched"), _("what would match it")],
                [
                    [u.member, names[u.member], u.reason, u.options[0].text if u.options else "-"]
                    for u in result.unmatched
                ],
                title=_("Left without a mentor: {n}").format(n=len(result.unmatched)),
            )
        )
    proof = _("proven optimal") if result.optimal else _("not a welfare optimum")
    lines = [
        _(
            "members {members} · mentees with needs {wanting} · matched {matched} · pairs {pairs}"
        ).format(
            members=result.members,
            wanting=result.mentees_with_needs,
            matched=result.mentees_matched,
            pairs=len(result.pairs),
        ),
        _("total score {total} ({proof}) · candidates {candidates}").format(
            total=f"{result.total_score:.4f}", proof=proof, candidates=result.candidates
        ),
    ]
    if result.welfare_total is not None:
        cost = result.welfare_total - result.total_score
        share = cost / result.welfare_total * 100 if result.welfare_total else 0.0
        lines.append(
            _(
                "stability costs {cost} score ({share} %) against the welfare optimum {welfare}"
            ).format(
                cost=f"{cost:.4f}", share=f"{share:.1f}", welfare=f"{result.welfare_total:.4f}"
            )
        )
    parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"
