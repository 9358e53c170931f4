"""Small networks for tests: a hand-checked one and a hypothesis strategy."""

from __future__ import annotations

import copy

from hypothesis import strategies as st


def member(id, country, languages, *, expertise=None, needs=None, mentor=1, mentee=1, **extra):
    doc = {
        "id": id,
        "name": f"{id.upper()} test member",
        "kind": extra.pop("kind", "national_coalition"),
        "country": country,
        "languages": list(languages),
        "expertise": dict(expertise or {}),
        "needs": dict(needs or {}),
        "mentor_capacity": mentor,
        "mentee_capacity": mentee,
    }
    doc.update(extra)
    return doc


def hand_network() -> dict:
    """Eight members whose best round is worked out by hand:

    - sn ← fr-ingo (the only French-speaking mentor; sn's need 3 beats bf's 1)
    - ke ← ph (budget tracking, in English)
    - bf: capacity (fr-ingo is taken); ml: all_excluded (its only candidate is
      excluded); bo, ph: no_stronger_mentor; ye, br: no_shared_language.
    """
    members = [
        member(
            "sn",
            "SN",
            ["fr"],
            expertise={"campaigning_mobilisation": 4},
            needs={"digital_advocacy": 3},
        ),
        member(
            "fr-ingo",
            "FR",
            ["fr", "en"],
            kind="international_ngo",
            expertise={"digital_advocacy": 4, "policy_research": 4, "fundraising": 4},
        ),
        member(
            "ke",
            "KE",
            ["en", "sw"],
            expertise={"campaigning_mobilisation": 3},
            needs={"budget_tracking": 3, "digital_advocacy": 1},
        ),
        member(
            "ph",
            "PH",
            ["en"],
            expertise={"budget_tracking": 4, "digital_advocacy": 2},
            needs={"legal_action": 2},
            mentor=2,
        ),
        member("br", "BR", ["pt", "es"], expertise={"legal_action": 4}, needs={"fundraising": 2}),
        member("ye", "YE", ["ar"], needs={"fundraising": 3}),
        member("bo", "BO", ["es"], needs={"tax_justice": 2}, mentor=0),
        member("ml", "ML", ["fr"], needs={"digital_advocacy": 2}),
        member("bf", "BF", ["fr"], needs={"digital_advocacy": 1}),
    ]
    return {
        "schema_version": 1,
        "taxonomy_version": "2026.1",
        "members": members,
        "exclusions": [["ml", "fr-ingo"]],
    }


THEMES = ["budget_tracking", "digital_advocacy", "fundraising", "legal_action", "teachers"]
COUNTRIES = ["KE", "SN", "FR", "BR", "JP", "EG", None]


@st.composite
def network_docs(draw, *, min_members=2, max_members=9):
    """Random valid network documents over a few themes and languages."""
    n = draw(st.integers(min_members, max_members))
    members = []
    for k in range(n):
        country = draw(st.sampled_from(COUNTRIES))
        extra = {
            "description": draw(
                st.sampled_from(
                    [
                        "",
                        "budget work with parliament",
                        "digital campaigns and budget",
                        "teachers union",
                    ]
                )
            )
        }
        if country is None:
            extra["kind"] = "international_ngo"
            extra["global_south"] = draw(st.booleans())
        members.append(
            member(
                f"m{k:02d}",
                country,
                draw(
                    st.lists(
                        st.sampled_from(["en", "fr", "es"]), min_size=1, max_size=2, unique=True
                    )
                ),
                expertise=draw(
                    st.dictionaries(st.sampled_from(THEMES), st.integers(0, 4), max_size=3)
                ),
                needs=draw(st.dictionaries(st.sampled_from(THEMES), st.integers(0, 3), max_size=3)),
                mentor=draw(st.integers(0, 2)),
                mentee=draw(st.integers(0, 2)),
                **extra,
            )
        )
    ids = [m["id"] for m in members]
    pairs = st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda p: p[0] != p[1])
    exclusions = draw(st.lists(pairs, max_size=3, unique=True))
    history = draw(st.lists(pairs, max_size=3, unique=True))
    return {
        "schema_version": 1,
        "members": members,
        "exclusions": [list(p) for p in exclusions],
        "history": [{"mentor": a, "mentee": b, "round": "2025-A"} for a, b in history],
    }


def reordered(doc: dict, order: list[int]) -> dict:
    """The same network with members (and pair lists) listed in another order."""
    out = copy.deepcopy(doc)
    out["members"] = [out["members"][k] for k in order]
    for key in ("exclusions", "history"):
        out[key] = list(reversed(out.get(key, [])))
    return out
