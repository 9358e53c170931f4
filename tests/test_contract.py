"""The network document: every problem reported at once, with where and how to fix."""

import dataclasses
import json

import jsonschema
import pytest

from service.contract import (
    NetworkError,
    Problem,
    canonical_document,
    input_sha256,
    network_json_schema,
    parse_network,
    validate_network,
)
from tests.networks import hand_network, member, reordered


def problems_of(doc) -> list[str]:
    with pytest.raises(NetworkError) as info:
        validate_network(doc)
    return [str(p) for p in info.value.problems]


def test_hand_network_is_valid_and_sorted():
    network = validate_network(hand_network())
    assert list(network.ids) == sorted(network.ids)
    sn = network.member("sn")
    assert (sn.region, sn.global_south) == ("africa", True)
    assert network.member("fr-ingo").global_south is False
    assert network.is_excluded("fr-ingo", "ml")


def test_defaults_and_overrides():
    doc = {
        "schema_version": 1,
        "members": [
            {"id": "a", "name": "A", "kind": "international_ngo", "languages": ["EN"]},
            {
                "id": "b",
                "name": "B",
                "kind": "regional_network",
                "country": "fr",
                "languages": ["fr"],
                "region": "africa",
                "global_south": True,
            },
        ],
    }
    net = validate_network(doc)
    a, b = net.members
    assert (a.mentor_capacity, a.mentee_capacity, a.description) == (1, 1, "")
    assert a.region == "international" and a.global_south is False
    assert a.languages == ("en",)
    assert (b.country, b.region, b.global_south) == ("FR", "africa", True)


def test_every_problem_is_reported_at_once():
    doc = hand_network()
    doc["members"][0]["expertise"]["budget_traking"] = 3
    doc["members"][1]["needs"]["digital_advocacy"] = 5
    doc["members"][2]["languages"] = ["english"]
    doc["members"][3]["country"] = "XX"
    doc["members"][4]["id"] = "sn"
    doc["members"][5]["colour"] = "blue"
    doc["exclusions"].append(["ke", "nobody"])
    doc["history"] = [{"mentor": "ghost", "mentee": "ke", "round": "2025-A"}]
    doc["locked"] = [{"mentor": "ph", "mentee": "kee"}]
    found = problems_of(doc)
    text = "\n".join(found)
    assert len(found) == 9, text
    assert "members[0] (id 'sn') · expertise" in text and "did you mean 'budget_tracking'" in text
    assert "needs.digital_advocacy = 5" in text and "less than or equal to 3" in text
    assert "members[2] (id 'ke') · languages" in text and "did you mean 'en'" in text
    assert "members[3] (id 'ph') · country = \"XX\"" in text
    assert "members[4] (id 'sn') · id = \"sn\": duplicate id" in text
    assert "colour" in text and "remove it" in text
    assert 'exclusions[1] · 1 = "nobody": no member has this id' in text
    assert 'history[0] · mentor = "ghost"' in text
    assert "locked[0] · mentee = \"kee\": no member has this id (did you mean 'ke'?)" in text


@pytest.mark.parametrize(
    ("lock", "expected"),
    [
        ({"mentor": "br", "mentee": "ph"}, "they share no working language"),
        ({"mentor": "fr-ingo", "mentee": "ml"}, "the pair is in exclusions"),
        ({"mentor": "bo", "mentee": "br"}, "bo has mentor_capacity 0"),
        ({"mentor": "ke", "mentee": "ph"}, "ke is not stronger than ph on any of its needs"),
        ({"mentor": "ph", "mentee": "fr-ingo"}, "fr-ingo has no needs"),
    ],
)
def test_locked_pair_breaking_a_hard_constraint(lock, expected):
    doc = hand_network()
    doc["locked"] = [lock]
    found = problems_of(doc)
    assert any(p.startswith("locked[0]") and expected in p for p in found), found


def test_a_broken_lock_is_named_by_its_place_in_the_document():
    doc = hand_network()
    # Sorted, ("br", "ph") would come first; the document lists it second.
    doc["locked"] = [{"mentor": "fr-ingo", "mentee": "sn"}, {"mentor": "br", "mentee": "ph"}]
    (problem,) = problems_of(doc)
    assert problem.startswith("locked[1]") and "share no working language" in problem


def test_locked_pairs_beyond_capacity():
    doc = hand_network()
    doc["locked"] = [{"mentor": "fr-ingo", "mentee": "sn"}, {"mentor": "fr-ingo", "mentee": "bf"}]
    (problem,) = problems_of(doc)
    assert "fr-ingo" in problem and "mentor_capacity is 1" in problem


def test_self_exclusion_and_same_lock_twice():
    doc = hand_network()
    doc["exclusions"] = [["sn", "sn"]]
    doc["locked"] = [{"mentor": "ph", "mentee": "ke"}] * 2
    found = problems_of(doc)
    assert any("cannot exclude itself" in p for p in found)
    assert any("locked twice" in p for p in found)


def test_history_of_a_member_with_itself():
    doc = hand_network()
    doc["history"] = [{"mentor": "sn", "mentee": "sn", "round": "2025-A"}]
    (problem,) = problems_of(doc)
    assert problem.startswith('history[0] · mentee = "sn": a member cannot have mentored itself')


def test_pairs_naming_lists_or_deep_values_are_problems_not_crashes():
    deep: list = []
    for _ in range(700):
        deep = [deep]
    doc = hand_network()
    doc["exclusions"] = [[deep, deep]]
    doc["locked"] = [{"mentor": ["ph"], "mentee": "ke"}] * 2
    doc["history"] = [{"mentor": "ph", "mentee": "ke", "round": deep}]
    assert problems_of(doc) == [
        "exclusions[0] · 0: Input should be a valid string",
        "exclusions[0] · 1: Input should be a valid string",
        "locked[0] · mentor: Input should be a valid string",
        "locked[1] · mentor: Input should be a valid string",
        "history[0] · round: Input should be a valid string",
    ]


def test_a_problem_echoes_only_the_start_of_a_large_value():
    value = {"k": [[1, [2]], *range(9)], "long": "x" * 1000, **{f"f{i}": i for i in range(9)}}
    echoed = Problem("members[0]", "f", value, "bad").value
    assert echoed == {
        "k": ["…", 0, 1, 2, 3, "…"],
        "long": "x" * 300 + "…",
        "f0": 0,
        "f1": 1,
        "f2": 2,
        "…": "6 more",
    }
    again = dataclasses.replace(Problem("members[0]", "f", value, "bad"), message="other")
    assert again.value == echoed


def test_bad_json_names_line_and_column():
    with pytest.raises(NetworkError) as info:
        parse_network('{\n  "schema_version": 1,\n  "members": [,]\n}')
    (problem,) = info.value.problems
    assert (problem.line, problem.column) == (3, 15)
    assert str(problem).startswith("line 3, column 15")


def test_not_an_object_and_wrong_version():
    assert problems_of([]) == ["document: must be a JSON object with a 'members' list"]
    found = problems_of({"schema_version": 2, "taxonomy_version": "2019.1", "members": []})
    assert any("schema_version" in p for p in found)
    assert any("taxonomy 2026.1" in p for p in found)


def test_missing_fields_are_named():
    found = problems_of({"schema_version": 1, "members": [{"id": "x"}]})
    assert {p.split(" · ")[1].split(":")[0] for p in found} == {"name", "kind", "languages"}


def test_json_schema_accepts_valid_and_rejects_invalid():
    schema = network_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(hand_network(), schema)
    bad = hand_network()
    bad["members"][0]["needs"] = {"budget_traking": 2}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_canonical_form_ignores_order():
    doc = hand_network()
    again = reordered(doc, list(reversed(range(len(doc["members"])))))
    a, b = validate_network(doc), validate_network(again)
    assert canonical_document(a) == canonical_document(b)
    assert input_sha256(a) == input_sha256(b)
    changed = json.loads(json.dumps(doc))
    changed["members"][0]["needs"]["digital_advocacy"] = 2
    assert input_sha256(validate_network(changed)) != input_sha256(a)


def test_member_helper_matches_contract():
    doc = {"schema_version": 1, "members": [member("x", "KE", ["en"])]}
    assert validate_network(doc).members[0].id == "x"


# Each a way to disguise a name or steer a terminal: OSC 52 (clipboard write),
# a C1 control sequence introducer, and a right-to-left override.
TERMINAL_TRICKS = ["A\u001b]52;c;aGk=\u0007B", "A\u009b31mB", "evil\u202egnp.exe"]


@pytest.mark.parametrize("name", TERMINAL_TRICKS)
def test_single_line_text_refuses_control_and_bidi_characters(name):
    doc = hand_network()
    doc["members"][0]["name"] = name
    doc["history"] = [{"mentor": "sn", "mentee": "ke", "round": "2025\u2067x"}]
    found = problems_of(doc)
    assert any("· name" in p and "U+" in p and "remove it" in p for p in found), found
    assert any("history" in p and "· round" in p and "U+2067" in p for p in found), found
    # The echoed bad value never carries the raw character to a terminal.
    assert not any(ch in "".join(found) for ch in "\u001b\u009b\u202e\u2067")


def test_descriptions_keep_line_feeds_and_tabs_but_no_other_control():
    doc = hand_network()
    doc["members"][0]["description"] = "line one\r\n\tline two"
    assert validate_network(doc).member(doc["members"][0]["id"]).description == (
        "line one\n\tline two"
    )
    doc["members"][0]["description"] = "bell\u0007"
    assert any("U+0007 (BEL)" in p for p in problems_of(doc))
