"""The recommendations memo survives a snapshot only where the new snapshot
would answer the same: after a change to some members' fields, every kept
answer equals a fresh computation on the new network."""

import dataclasses
from collections import OrderedDict

import pytest

from fixtures import load_demo_network
from matcher import ScoringPolicy, default_taxonomy, make_network, network_arrays, recommend
from matcher.scoring import BlockScorer
from service.contract import validate_network
from service.usecases.cache import IRRELEVANT_FIELDS, Snapshot, _still_valid

DIRECTIONS = sorted(IRRELEVANT_FIELDS)

NETWORK = validate_network(load_demo_network())
TAXONOMY = default_taxonomy()
THEMES = list(TAXONOMY.keys)
IDS = [m.id for m in NETWORK.members]
CHANGES = {
    # Each pushes the members it touches out of some answers, or into them.
    "needs": [{}, {"budget_tracking": 3, "tax_justice": 3}],
    "expertise": [{}, dict.fromkeys(THEMES, 4)],
    "mentor_capacity": [0, 5],
    "mentee_capacity": [0, 5],
    "name": ["Renamed"],
    "languages": [("ar",), ("en", "fr", "es", "pt", "ar")],
    "description": ["budget tracking tax justice"],
}


def snapshot(network, version):
    arrays = network_arrays(network, TAXONOMY)
    names = {m.id: m.name for m in network.members}
    scorer = BlockScorer(arrays, policy=ScoringPolicy())
    return Snapshot(version, network, arrays, frozenset(names), names, scorer)


def answers(snap, readers):
    return {
        (snap.version, member, 5, direction): recommend(
            snap.arrays, member, k=5, direction=direction, scorer=snap.scorer
        )
        for member in readers
        for direction in DIRECTIONS
    }


OLD = snapshot(NETWORK, 1)
READERS = IDS[::9]
MEMO = OrderedDict(answers(OLD, READERS))


# For each direction, a member named first in some answer of that direction:
# changing it is what a wrong rule would miss.
NAMED = sorted({next(f[0].member for k, f in MEMO.items() if k[3] == d and f) for d in DIRECTIONS})


@pytest.mark.parametrize(
    "field, value", [(field, value) for field, values in CHANGES.items() for value in values]
)
@pytest.mark.parametrize("who", NAMED)
def test_kept_answers_equal_fresh_ones(field, value, who):
    members = [
        dataclasses.replace(m, **{field: value}) if m.id == who else m for m in NETWORK.members
    ]
    new = snapshot(make_network(members, exclusions=NETWORK.exclusions,
                                locked=NETWORK.locked, history=NETWORK.history), 2)  # fmt: skip
    kept = _still_valid(MEMO, OLD, new)
    fresh = answers(new, READERS)
    assert [key for key, found in kept.items() if found != fresh[key]] == []
    if field == "needs":
        # A need level changes nothing for other members' mentors.
        assert {(m, d) for _, m, _, d in kept} >= {(m, "mentors") for m in READERS if m != who}


def test_nothing_is_kept_when_members_come_or_go():
    fewer = make_network(NETWORK.members[1:])
    assert _still_valid(MEMO, OLD, snapshot(fewer, 2)) == OrderedDict()
