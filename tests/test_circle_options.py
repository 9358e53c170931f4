"""What would place a need left without a circle: each offered change,
applied by hand and formed again with the same seed, places the member."""

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from fixtures import load_demo_network
from fixtures.generator import generate_network
from matcher import default_taxonomy, form_circles, network_arrays
from matcher.circles.relax import circle_options
from matcher.examples import circle_arrays
from service.contract import validate_network

TAX = default_taxonomy()


def formed_with(arrays, result, option):
    """The circles formed again with ``option`` applied, written out here
    independently of the module."""
    i = arrays.ids.index(option.member)
    size, most = result.size, result.max_per_member
    if option.kind == "accept_language":
        speaks = arrays.speaks.copy()
        speaks[i, arrays.languages.index(option.language)] = True
        arrays = replace(arrays, speaks=speaks)
    elif option.kind == "lift_exclusions":
        excluded = arrays.excluded.toarray()
        for member in option.members:
            j = arrays.ids.index(member)
            excluded[i, j] = excluded[j, i] = False
        arrays = replace(arrays, excluded=type(arrays.excluded)(excluded))
    elif option.kind == "larger_circles":
        size = option.size
    else:
        most = option.max_per_member
    return form_circles(
        arrays,
        themes=[*result.themes, *result.skipped_themes],
        size=size,
        max_per_member=most,
        seed=result.seed,
    )


def check(arrays, result):
    options = circle_options(arrays, result)
    left_out = {(x.member, x.theme) for x in result.left_out}
    for key, offered in options.items():
        assert key in left_out and offered
        for option in offered:
            again = formed_with(arrays, result, option)
            assert any(
                m.id == option.member and m.role == "learner" and c.theme == option.theme
                for c in again.circles
                for m in c.members
            ), option
    return options


def test_ml_would_join_in_english():
    arrays = circle_arrays()
    result = form_circles(arrays, themes=["budget_tracking"], seed=1)
    (option,) = check(arrays, result)[("ml", "budget_tracking")]
    assert (option.kind, option.language) == ("accept_language", "en")


def test_demo_network_options_hold():
    arrays = network_arrays(validate_network(load_demo_network()), TAX)
    options = check(arrays, form_circles(arrays, seed=1))
    kinds = {o.kind for offered in options.values() for o in offered}
    assert kinds == {"accept_language", "larger_circles", "more_circles"}


def test_lifting_exclusions_with_the_only_anchor():
    arrays = circle_arrays()
    ml = arrays.ids.index("ml")
    speaks = arrays.speaks.copy()
    speaks[ml, arrays.languages.index("en")] = True  # ml now speaks English, but ...
    excluded = arrays.excluded.toarray()
    ph = arrays.ids.index("ph")
    excluded[ml, ph] = excluded[ph, ml] = True  # ... is excluded with ph, the only anchor
    arrays = replace(arrays, speaks=speaks, excluded=type(arrays.excluded)(excluded))
    result = form_circles(arrays, themes=["budget_tracking"], seed=1)
    (option,) = check(arrays, result)[("ml", "budget_tracking")]
    assert (option.kind, option.members) == ("lift_exclusions", ("ph",))


@settings(max_examples=8, deadline=None)
@given(n=st.integers(30, 200), network_seed=st.integers(0, 10**6), seed=st.integers(0, 99))
def test_every_offered_option_places_the_member(n, network_seed, seed):
    arrays = network_arrays(validate_network(generate_network(n, seed=network_seed)), TAX)
    check(arrays, form_circles(arrays, seed=seed))


def test_the_cli_lists_options_only_when_asked():
    import json

    from typer.testing import CliRunner

    from service.cli import app as cli

    plain = json.loads(CliRunner().invoke(cli, ["circles", "--demo", "--format", "json"]).stdout)
    assert all("options" not in x for x in plain["left_out"])
    asked = CliRunner().invoke(cli, ["circles", "--demo", "--format", "json", "--options"])
    left_out = json.loads(asked.stdout)["left_out"]
    assert [x["member"] for x in left_out] == [x["member"] for x in plain["left_out"]]
    assert sum(bool(x["options"]) for x in left_out) >= 10
