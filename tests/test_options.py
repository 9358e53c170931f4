"""What would include a mentee left out: known answers, and every offered
option re-solved alone (same seed) pairs the mentee in a proven optimum."""

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixtures.generator import generate_network
from matcher import ScoringPolicy, default_taxonomy, mentoring_round, network_arrays
from matcher.examples import example_network
from matcher.options import verify_option
from service.contract import validate_network
from tests.networks import hand_network, network_docs

TAX = default_taxonomy()
POLICY = ScoringPolicy()


def options_of(result):
    return {
        u.member: [(o.kind, o.language, o.mentors) for o in u.options] for u in result.unmatched
    }


def test_example_network_pe_coalition_would_be_matched_in_english_or_french():
    result = mentoring_round(example_network(), taxonomy=TAX)
    (unmatched,) = result.unmatched
    assert unmatched.code == "no_shared_language"
    assert [(o.kind, o.language, o.best, o.score) for o in unmatched.options] == [
        ("accept_language", "en", "fr-ngo", pytest.approx(1.1)),
        ("accept_language", "fr", "fr-ngo", pytest.approx(1.1)),
    ]


def test_hand_network_options():
    result = mentoring_round(validate_network(hand_network()), taxonomy=TAX)
    assert options_of(result) == {
        # fr-ingo is full with sn: one more slot there, or ph in English.
        "bf": [("extra_slot", None, ("fr-ingo",)), ("accept_language", "en", ("ph",))],
        # Lifting ml's exclusion alone would not: fr-ingo prefers sn.
        "ml": [("accept_language", "en", ("ph",))],
        # br is free and strong on legal action, in Portuguese and Spanish.
        "ph": [("accept_language", "es", ("br",)), ("accept_language", "pt", ("br",))],
        # ye ties with sn for fr-ingo (1.1 each): a tie is not offered.
        "ye": [],
        "br": [],
        "bo": [],
    }
    bf = next(u for u in result.unmatched if u.member == "bf")
    assert bf.options[0].text == (
        "one more mentor slot at fr-ingo, for it, would match it (score 0.43; loses nothing else)"
    )


def test_lifting_an_exclusion_with_a_mentor_who_has_room():
    """za, the only French speaker strong on legal action, is excluded with bf."""
    doc = hand_network()
    (bf,) = (m for m in doc["members"] if m["id"] == "bf")
    bf["needs"]["legal_action"] = 2
    doc["members"].append(
        {
            "id": "za",
            "name": "ZA test member",
            "kind": "national_coalition",
            "country": "ZA",
            "languages": ["fr"],
            "expertise": {"legal_action": 4},
            "needs": {},
            "mentor_capacity": 1,
            "mentee_capacity": 0,
        }
    )
    doc["exclusions"].append(["bf", "za"])
    result = mentoring_round(validate_network(doc), taxonomy=TAX)
    (bf,) = (u for u in result.unmatched if u.member == "bf")
    assert ("lift_exclusion", None, ("za",)) in options_of(result)["bf"]
    (lift,) = (o for o in bf.options if o.kind == "lift_exclusion")
    assert verify_option(network_arrays(validate_network(doc), TAX), lift, policy=POLICY)


def test_a_stable_round_offers_no_options():
    result = mentoring_round(example_network(), taxonomy=TAX, objective="stable")
    assert [u.options for u in result.unmatched] == [()]


def test_options_can_be_turned_off():
    result = mentoring_round(example_network(), taxonomy=TAX, options=0)
    assert [u.options for u in result.unmatched] == [()]


def check_every_option(doc, *, coverage_first, seed, max_candidates="auto"):
    network = validate_network(doc)
    arrays = network_arrays(network, TAX)
    result = mentoring_round(
        network,
        taxonomy=TAX,
        coverage_first=coverage_first,
        seed=seed,
        arrays=arrays,
        max_candidates=max_candidates,
    )
    assert result.optimal
    index = network.index()
    locked = tuple((index[mentee], index[mentor]) for mentor, mentee in network.locked)
    for unmatched in result.unmatched:
        for option in unmatched.options:
            assert option.member == unmatched.member and option.best == option.mentors[0]
            assert verify_option(
                arrays,
                option,
                policy=POLICY,
                locked=locked,
                coverage_first=coverage_first,
                seed=seed,
            ), option
    return Counter(o.kind for u in result.unmatched for o in u.options)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    doc=network_docs(max_members=14),
    coverage_first=st.booleans(),
    seed=st.one_of(st.none(), st.integers(0, 2**31 - 1)),
)
def test_every_option_of_a_small_network_holds_when_re_solved(doc, coverage_first, seed):
    check_every_option(doc, coverage_first=coverage_first, seed=seed)


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(5, 200),
    network_seed=st.integers(0, 10**6),
    coverage_first=st.booleans(),
    seed=st.integers(0, 2**31 - 1),
    max_candidates=st.sampled_from(["auto", 2]),
)
def test_every_option_of_a_generated_network_holds_when_re_solved(
    n, network_seed, coverage_first, seed, max_candidates
):
    """``max_candidates=2`` prices the round as at scale: the options then
    come from a residual graph over the candidates only."""
    check_every_option(
        generate_network(n, seed=network_seed),
        coverage_first=coverage_first,
        seed=seed,
        max_candidates=max_candidates,
    )


def test_generated_networks_do_offer_options():
    """The property above is not vacuous: networks of this size leave
    mentees out and offer ways to include them."""
    offered = check_every_option(generate_network(200, seed=3), coverage_first=False, seed=1)
    assert {kind for kind, count in offered.items() if count >= 5} == {
        "extra_slot",
        "accept_language",
        "mentor_slot",
    }
