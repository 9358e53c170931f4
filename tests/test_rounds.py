"""Mentoring rounds over networks: the hand-checked answer, reasons for the
unmatched, locked pairs, the stable mode and determinism."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher import (
    ScoringPolicy,
    blocking_pairs,
    candidate_matrix,
    default_taxonomy,
    mentoring_round,
    network_arrays,
)
from service.contract import validate_network
from service.documents.encoding import dumps
from service.documents.mentoring import round_document
from tests.networks import hand_network, network_docs, reordered

TAX = default_taxonomy()


def run(doc, **options):
    network = validate_network(doc)
    return network, mentoring_round(network, taxonomy=TAX, **options)


def test_hand_network_round():
    _, result = run(hand_network())
    assert {(p.mentee, p.mentor) for p in result.pairs} == {("sn", "fr-ingo"), ("ke", "ph")}
    assert result.optimal
    assert {u.member: u.code for u in result.unmatched} == {
        "bf": "capacity",
        "ml": "all_excluded",
        "bo": "no_stronger_mentor",
        "ph": "no_stronger_mentor",
        "ye": "no_shared_language",
        "br": "no_shared_language",
    }
    reasons = {u.member: u.reason for u in result.unmatched}
    assert reasons["ye"] == "no mentor shares a working language (ar)"
    assert "tax_justice" in reasons["bo"]
    assert result.mentees_with_needs == 8 and result.mentees_matched == 2
    assert result.total_score == pytest.approx(sum(p.score for p in result.pairs))
    for pair in result.pairs:
        assert abs(sum(r.contribution for r in pair.reasons) - pair.score) <= 1e-9


@pytest.mark.parametrize("objective", ["welfare", "stable"])
def test_a_round_of_an_empty_network_pairs_nobody(objective):
    result = mentoring_round(
        validate_network({"schema_version": 1, "members": []}),
        taxonomy=default_taxonomy(),
        objective=objective,
    )
    assert (result.pairs, result.unmatched, result.members) == ((), (), 0)


def test_locked_pair_is_kept_even_when_worse():
    doc = hand_network()
    doc["locked"] = [{"mentor": "fr-ingo", "mentee": "bf"}]
    _, result = run(doc)
    pairs = {(p.mentee, p.mentor) for p in result.pairs}
    assert ("bf", "fr-ingo") in pairs and ("sn", "fr-ingo") not in pairs
    assert {u.member: u.code for u in result.unmatched}["sn"] == "capacity"


def test_stable_round_reports_cost_of_stability():
    network, result = run(hand_network(), objective="stable")
    assert not result.optimal
    assert result.welfare_total is not None and result.welfare_total >= result.total_score - 1e-9
    arrays = network_arrays(network, TAX)
    benefit = candidate_matrix(arrays, policy=ScoringPolicy())
    idx = network.index()
    pairs = np.array([[idx[p.mentee], idx[p.mentor]] for p in result.pairs])
    assert len(blocking_pairs(pairs, benefit, arrays.mentor_capacity, arrays.mentee_capacity)) == 0


@settings(max_examples=40, deadline=None)
@given(
    doc=network_docs(max_members=8),
    data=st.data(),
    objective=st.sampled_from(["welfare", "stable"]),
)
def test_same_output_whatever_the_member_order(doc, data, objective):
    order = data.draw(st.permutations(range(len(doc["members"]))))
    outputs = []
    for variant in (doc, reordered(doc, list(order))):
        network, result = run(variant, objective=objective, seed=7)
        outputs.append(dumps(round_document(result, network, seed=7)))
    assert outputs[0] == outputs[1]


@settings(max_examples=40, deadline=None)
@given(doc=network_docs(max_members=9))
def test_round_respects_hard_constraints_and_capacities(doc):
    network, result = run(doc)
    members = {m.id: m for m in network.members}
    per_mentor, per_mentee = {}, {}
    for p in result.pairs:
        a, b = members[p.mentee], members[p.mentor]
        assert p.mentee != p.mentor and set(a.languages) & set(b.languages)
        assert not network.is_excluded(p.mentee, p.mentor)
        assert p.score == pytest.approx(sum(r.contribution for r in p.reasons), abs=1e-9)
        per_mentor[p.mentor] = per_mentor.get(p.mentor, 0) + 1
        per_mentee[p.mentee] = per_mentee.get(p.mentee, 0) + 1
    assert all(per_mentor[j] <= members[j].mentor_capacity for j in per_mentor)
    assert all(per_mentee[i] <= members[i].mentee_capacity for i in per_mentee)
    unmatched = {u.member for u in result.unmatched}
    wanting = {m.id for m in network.members if m.has_needs and m.mentee_capacity > 0}
    assert unmatched == wanting - set(per_mentee)
