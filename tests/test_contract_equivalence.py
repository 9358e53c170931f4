"""The quick paths of the network contract give exactly what the plain definitions give:
the same members, the same problems, the same input hash."""

import hashlib
import json
from types import MappingProxyType

import pytest

from fixtures.generator import generate_network
from matcher import geo
from matcher.network import HistoryEntry, Member, make_network
from matcher.taxonomy import default_taxonomy
from service.contract import (
    MemberDoc,
    NetworkError,
    canonical_document,
    input_sha256,
    validate_network,
)
from tests.networks import hand_network, member

# Stored rounds are identified by this hash: it must never change for a given input.
PINNED = {
    "schema_version": 1,
    "members": [
        member("b", "ke", ["SW", "en"], expertise={"teachers": 3, "budget_tracking": 0}),
        member("a", None, ["fr"], kind="international_ngo", needs={"fundraising": 2}),
    ],
    "exclusions": [["b", "a"]],
    "history": [{"mentor": "a", "mentee": "b", "round": "2025-A"}],
}
PINNED_SHA256 = "e80055808660a86fb78ca1d8f112438cc8d7e44b72350e5026d6993e966dbfb3"


def plain_sha256(network) -> str:
    text = json.dumps(
        canonical_document(network), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_pinned_hash():
    assert input_sha256(validate_network(PINNED)) == PINNED_SHA256


@pytest.mark.parametrize("n", [1, 2, 49, 50, 51, 100, 149])
def test_hash_is_that_of_the_whole_canonical_text(n):
    network = validate_network(generate_network(n, seed=n))
    assert input_sha256(network) == plain_sha256(network)


def test_hash_of_networks_built_by_hand():
    def m(member_id, **kw):
        fields = {"name": 'Nâme "q"', "kind": "national_coalition", "region": "africa"}
        return Member(id=member_id, languages=("fr", "en"), global_south=True, **fields | kw)

    networks = [
        make_network([]),
        make_network(
            [m("b", expertise={"z": 1, "a": 2}), m("a", needs=MappingProxyType({"y": 3, "b": 1}))],
            exclusions=[("b", "a")],
            locked=[("b", "a")],
            history=[HistoryEntry("b", "a", "r2"), HistoryEntry("a", "b", "r1")],
            taxonomy_version="9",
        ),
    ]
    for network in networks:
        assert input_sha256(network) == plain_sha256(network)


def member_doc(**fields):
    return MemberDoc.model_validate(member("x", "KE", ["en"]) | fields)


def reason(**fields) -> str:
    with pytest.raises(ValueError) as info:
        member_doc(**fields)
    return str(info.value)


@pytest.mark.parametrize(
    "codes",
    [["EN", "fr"], ["ki", "\u212ai"], ["en\x1c"], ["en", "EN"], ["eng", "xx", "en"], ["pt-BR"]],
)
def test_languages_as_geo_defines_them(codes):
    lowered = [c.lower() for c in codes]
    if not all(geo.is_language(c) for c in codes):
        assert "unknown ISO 639-1 language code" in reason(languages=codes)
    elif len(set(lowered)) < len(lowered):
        assert "a language is listed twice" in reason(languages=codes)
    else:
        assert member_doc(languages=codes).languages == lowered


@pytest.mark.parametrize("code", ["KE", "ke", "Fr", "\ufb01\x1f", "XX", None])
def test_countries_as_geo_defines_them(code):
    if code is not None and geo.country(code) is None:
        assert "unknown ISO 3166-1 alpha-2 country code" in reason(country=code)
    else:
        assert member_doc(country=code).country == (code and code.upper())


def test_theme_levels_and_hints():
    levels = {"teachers": 0, "fundraising": 2, "budget_traking": 1, "zzz": 3}
    message = reason(expertise=levels)
    hint = "unknown theme key (did you mean 'budget_tracking'?)"
    assert f"expertise.budget_traking.[key]\n  {hint}" in message
    assert "expertise.zzz.[key]\n  unknown theme key; `peermatch taxonomy`" in message
    known = {k: v for k, v in levels.items() if k in default_taxonomy()}
    assert member_doc(expertise=known).expertise == {"fundraising": 2}


def test_each_repeated_id_is_reported_with_its_position():
    doc = hand_network()
    doc["members"] += [dict(doc["members"][0]), dict(doc["members"][0])]
    doc["members"][1]["id"] = 7
    with pytest.raises(NetworkError) as info:
        validate_network(doc)
    found = [(p.where, p.field, p.value) for p in info.value.problems]
    assert found == [
        ("members[1]", "id", 7),
        ("members[9] (id 'sn')", "id", "sn"),
        ("members[10] (id 'sn')", "id", "sn"),
        ("exclusions[0]", "1", "fr-ingo"),
    ]
