"""An empty list of recommendations says why, and says so exactly when it
is empty."""

from hypothesis import given, settings
from hypothesis import strategies as st

from matcher import default_taxonomy, empty_reason, make_network, network_arrays, recommend
from matcher.examples import example_arrays, example_network
from matcher.recommend import DIRECTIONS, EMPTY_CODES
from service.contract import validate_network
from tests.networks import network_docs

TAX = default_taxonomy()


def test_known_reasons_on_the_example_network():
    arrays = example_arrays()
    assert empty_reason(arrays, "fr-ngo").code == "no_needs"
    assert empty_reason(arrays, "pe-coalition").code == "no_shared_language"
    assert empty_reason(arrays, "pe-coalition", direction="exchanges").code == "no_shared_language"
    assert empty_reason(arrays, "ke-coalition") is None


def test_a_member_whose_only_mentor_is_excluded():
    network = example_network()
    arrays = network_arrays(
        make_network(
            network.members,
            exclusions=[("ke-coalition", "sn-coalition"), ("ke-coalition", "fr-ngo")],
        ),
        TAX,
    )
    assert recommend(arrays, "ke-coalition") == ()
    assert empty_reason(arrays, "ke-coalition").code == "all_excluded"


@settings(max_examples=80, deadline=None)
@given(doc=network_docs(max_members=8), direction=st.sampled_from(DIRECTIONS))
def test_a_reason_exactly_when_nothing_is_recommended(doc, direction):
    arrays = network_arrays(validate_network(doc), TAX)
    for member in arrays.ids:
        empty = recommend(arrays, member, k=3, direction=direction) == ()
        reason = empty_reason(arrays, member, direction=direction)
        assert empty == (reason is not None), (member, reason)
        assert reason is None or reason.code in EMPTY_CODES
