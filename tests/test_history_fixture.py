"""The synthetic history: the generator, the bundled demo history and the
history document's contract (every mistake reported at once, with where)."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from fixtures import demo_history_path, load_demo_history, load_demo_network
from fixtures.generator import generate_network
from fixtures.history import AUTHOR, ENGINE_LIMIT, generate_history
from matcher.history import FORMATS
from service.contract import NetworkError, validate_network
from service.contract.history import parse_history
from service.usecases.history import FORMAT_OF_KIND, to_history

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo_net():
    return validate_network(load_demo_network())


@pytest.fixture(scope="module")
def demo_history():
    return load_demo_history()


def _relations(doc):
    return [rel for r in doc["rounds"] for rel in r["relations"]]


# --- the bundled demo history -----------------------------------------------------------


def test_demo_history_is_the_generator_output_byte_for_byte(demo_history):
    text = demo_history_path().read_text(encoding="utf-8")
    assert demo_history == generate_history(load_demo_network(), rounds=6, seed=2026)
    assert text == json.dumps(demo_history, indent=2, ensure_ascii=False) + "\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-m", "fixtures.history", "--rounds", "6", "--seed", "2026"],
        capture_output=True, check=True, cwd=ROOT, env=env,
    )  # fmt: skip
    assert out.stdout.decode("utf-8") == text


def test_demo_history_has_two_archived_rounds_of_each_format(demo_history):
    rounds = demo_history["rounds"]
    assert [r["kind"] for r in rounds] == ["mentoring", "exchanges", "circles"] * 2
    assert {r["status"] for r in rounds} == {"archived"}
    times = [r["published_at"] for r in rounds]
    assert times == sorted(times) and times[-1] < "2025-12"
    # The counts fixtures/README.md states.
    kinds = Counter(rel["kind"] for rel in _relations(demo_history))
    assert kinds == {"pair": 197, "exchange": 43, "circle": 40}
    assert len(demo_history["feedback"]) == 348
    assert {f["author"] for f in demo_history["feedback"]} == {AUTHOR}


def test_demo_history_is_valid_and_reads_as_a_history(demo_net, demo_history):
    parsed = parse_history(demo_history, network=demo_net)
    history = to_history(demo_net, parsed)
    assert {r.format for r in history.rounds} == set(FORMATS)
    assert len(history.relations) == 485 and len(history.answers) == 348
    answered = {a.relation for a in history.answers}
    by_format = Counter(r.format for r in history.relations)
    done = Counter(r.format for r in history.relations if r.key in answered)
    rates = {f: done[f] / by_format[f] for f in FORMATS}
    assert all(0.5 <= rate <= 0.8 for rate in rates.values()), rates
    assert sum(done.values()) == 293  # the README's response rate: 293 of 485


def test_relations_carry_the_engines_themes_and_roles(demo_net, demo_history):
    members = {m.id: m for m in demo_net.members}
    for rel in _relations(demo_history):
        if rel["kind"] == "pair":
            mentor, mentee = members[rel["mentor"]], members[rel["mentee"]]
            assert rel["themes"] and all(t in mentee.needs for t in rel["themes"])
            assert set(rel["languages"]) <= set(mentor.languages) & set(mentee.languages)
        elif rel["kind"] == "exchange":
            assert rel["a_teaches"] and rel["b_teaches"]
            assert all(t in members[rel["b"]].needs for t in rel["a_teaches"])
            assert all(t in members[rel["a"]].needs for t in rel["b_teaches"])
        else:
            roles = Counter(m["role"] for m in rel["members"])
            assert roles["anchor"] >= 1 and roles["learner"] >= 1


def test_answers_come_from_the_relations_members_in_their_language(demo_history):
    by_id = {rel["id"]: rel for rel in _relations(demo_history)}
    langs = {m["id"]: m["languages"][0] for m in load_demo_network()["members"]}
    phrases = json.loads((ROOT / "fixtures" / "generator_text.json").read_text("utf-8"))
    comments = phrases["feedback_comments"]
    for f in demo_history["feedback"]:
        rel = by_id[f["relation"]]
        sides = {rel.get("mentor"), rel.get("mentee"), rel.get("a"), rel.get("b")}
        sides |= {m["member"] for m in rel.get("members", [])}
        assert f["member"] in sides
        assert 1 <= f["usefulness"] <= 5
        if f["comment"]:
            starts = [
                p.split("{theme}")[0]
                for tone in comments[langs[f["member"]]].values()
                for p in tone
            ]
            assert any(f["comment"].startswith(s) for s in starts), f["comment"]
    assert Counter(langs[f["member"]] for f in demo_history["feedback"] if f["comment"]).keys() >= {
        "en",
        "fr",
        "es",
        "ar",
    }


# --- the generator ----------------------------------------------------------------------


def test_every_format_appears_from_three_rounds_and_rounds_differ():
    net = generate_network(80, seed=3)
    doc = generate_history(net, rounds=3, seed=5)
    assert [FORMAT_OF_KIND[r["kind"]] for r in doc["rounds"]] == list(FORMATS)
    four = generate_history(net, rounds=4, seed=5)
    pairs = [{(x["mentor"], x["mentee"]) for x in r["relations"]} for r in four["rounds"][::3]]
    assert pairs[0] != pairs[1]  # each round draws its own members
    assert generate_history(net, rounds=3, seed=6) != doc
    ids = [rel["id"] for rel in _relations(four)]
    assert ids == list(range(1, len(ids) + 1))


@pytest.mark.parametrize("bad", [0, -1, 121, True, 2.0])
def test_refuses_a_bad_number_of_rounds(bad):
    with pytest.raises(ValueError, match="rounds"):
        generate_history(generate_network(10, seed=1), rounds=bad, seed=1)


def test_large_network_uses_the_sampler_and_stays_valid():
    # 2,000 members × 10 rounds: the sampler (above ENGINE_LIMIT), as the
    # analysis bench uses it at 10,000.
    document = generate_network(2000, seed=11)
    assert len(document["members"]) > ENGINE_LIMIT
    doc = generate_history(document, rounds=10, seed=11)
    assert [r["kind"] for r in doc["rounds"]][:4] == [
        "mentoring",
        "exchanges",
        "circles",
        "mentoring",
    ]
    kinds = Counter(rel["kind"] for rel in _relations(doc))
    assert kinds["pair"] > 1000 and kinds["exchange"] > 50 and kinds["circle"] > 50
    net = validate_network(document)
    history = to_history(net, parse_history(doc, network=net))
    assert len(history.rounds) == 10 and history.answers
    assert doc == generate_history(document, rounds=10, seed=11)


# --- the contract: every mistake at once ------------------------------------------------


def _mistakes(demo_history, demo_net):
    doc = copy.deepcopy(demo_history)
    rounds = doc["rounds"]
    first_pair = rounds[0]["relations"][0]
    first_pair["mentee"] = first_pair["mentee"] + "x"  # a typo
    rounds[0]["relations"][1]["themes"] = ["fundraisng"]
    rounds[1]["relations"][0]["a_teaches"] = ["no_such_theme_at_all_here"]
    rounds[1]["relations"][1]["id"] = rounds[0]["relations"][2]["id"]  # a repeat
    rounds[2]["relations"][0]["members"][0]["role"] = "teacher"
    rounds[2]["relations"][1]["colour"] = "red"
    rounds[3]["published_at"] = "2020-01-01T00:00:00+00:00"  # before round 2
    rounds[4]["kind"] = "mentoring"  # holds exchanges
    rounds[5]["status"] = "draft"
    feedback = doc["feedback"]
    feedback[0]["relation"] = 999_999
    # A member of the network, but not of the relation answered on.
    feedback[1]["member"] = next(
        m.id for m in demo_net.members if m.id not in str(doc["rounds"][0]["relations"][1])
    )
    feedback[2]["usefulness"] = 6
    feedback[3]["met"] = "yes"
    feedback[4]["themes_learned"] = ["budget-tracking"]
    feedback[5]["member"] = "nobody"
    feedback[6]["at"] = 20250101
    return doc


def test_a_catalogue_of_mistakes_is_reported_at_once_with_where(demo_net, demo_history):
    doc = _mistakes(demo_history, demo_net)
    with pytest.raises(NetworkError) as caught:
        parse_history(doc, network=demo_net, source="history.json")
    found = {(p.where, p.field): p for p in caught.value.problems}
    expected = {
        ("rounds[0].relations[0]", "mentee"): "no member of the network has this id; did you mean",
        ("rounds[0].relations[1]", "themes[0]"): "did you mean 'fundraising'?",
        ("rounds[1].relations[0]", "a_teaches[0]"): "not a theme of the taxonomy",
        ("rounds[1].relations[1]", "id"): "another relation has this id",
        ("rounds[2].relations[0]", "members[0].role"): "'anchor' or 'learner'",
        ("rounds[2].relations[1]", "colour"): "remove it",
        ("rounds[3]", "published_at"): "list rounds oldest published first",
        ("rounds[4].relations[0]", "kind"): "a mentoring round holds only 'pair' relations",
        ("rounds[5]", "status"): "'published' or 'archived'",
        ("feedback[0]", "relation"): "no relation of any round has this id",
        ("feedback[1]", "member"): "not part of relation",
        ("feedback[2]", "usefulness"): "less than or equal to 5",
        ("feedback[3]", "met"): "true or false",
        ("feedback[4]", "themes_learned[0]"): "did you mean 'budget_tracking'?",
        ("feedback[5]", "member"): "no member of the network has this id",
        ("feedback[6]", "at"): "ISO 8601",
    }
    for key, words in expected.items():
        assert key in found, (key, sorted(found))
        assert words in found[key].message, (key, found[key].message)
    # In the document's order: rounds first, each by position, then feedback.
    wheres = [p.where for p in caught.value.problems]
    assert wheres.index("rounds[5]") < wheres.index("feedback[0]") < wheres.index("feedback[6]")
    assert str(caught.value).startswith("history.json: ")


def test_the_shape_is_checked_too(demo_net):
    for bad, where in (
        ([], "document"),
        ({"rounds": [], "feedback": [], "extra": 1}, "document"),
        ({"rounds": [{"id": 1}]}, "rounds[0]"),
        ('{"rounds": [', "document"),
    ):
        with pytest.raises(NetworkError) as caught:
            parse_history(bad, network=demo_net)
        assert caught.value.problems[0].where == where


def test_an_empty_history_is_valid(demo_net):
    assert parse_history({"rounds": [], "feedback": []}, network=demo_net) == {
        "rounds": [],
        "feedback": [],
    }


def test_parse_history_reads_json_text(demo_net):
    parsed = parse_history(demo_history_path().read_bytes(), network=demo_net)
    assert len(parsed["rounds"]) == 6
