"""Every problem of a document in one answer: documents combining every kind of
mistake give one answer naming each of them, in the document's order, through
the contract, the command line and HTTP (network JSON, CSV and JSON imports)."""

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from service.cli import app
from service.contract import MAX_LISTED, NetworkError, validate_network
from tests.api import CSV_HEADER, csv_import, json_import, problem
from tests.networks import hand_network, member
from tests.service_env import MEMBER


def base() -> dict:
    """The hand network plus three members locked together validly."""
    doc = hand_network()
    doc["members"] += [
        member("gh", "GH", ["en"], expertise={"budget_tracking": 4}),
        member("ng", "NG", ["en"], needs={"budget_tracking": 3}),
        member("za", "ZA", ["en"], needs={"budget_tracking": 2}),
    ]
    doc["locked"] = [{"mentor": "gh", "mentee": "ng"}]
    doc["history"] = []
    return doc


def label(doc: dict, member_id: str) -> str:
    k = next(k for k, m in enumerate(doc["members"]) if m.get("id") == member_id)
    return f"members[{k}] (id '{member_id}')"


def in_member(member_id: str, field: str, change):
    """A mistake in one member's field: ``change(member)`` makes it."""

    def edit(doc):
        change(next(m for m in doc["members"] if m["id"] == member_id))
        return [(label(doc, member_id), field)]

    return edit


def appended(section: str, entry, field: str):
    """A mistake that is a new entry of ``section``, reported at ``field``."""

    def edit(doc):
        doc[section].append(copy.deepcopy(entry))
        return [(f"{section}[{len(doc[section]) - 1}]", field)]

    return edit


def at_document(change, field: str):
    def edit(doc):
        change(doc)
        return [("document", field)]

    return edit


def duplicate_ye(doc):
    doc["members"].append(member("ye", "YE", ["ar"]))
    return [(f"members[{len(doc['members']) - 1}] (id 'ye')", "id")]


def over_capacity(doc):
    doc["locked"].append({"mentor": "gh", "mentee": "za"})
    return [("locked", "mentor")]


# Independent mistakes, in the order an answer lists them (the document's):
# top-level fields, members by position and field, exclusions, locked pairs,
# history, then fields the schema does not know.
MISTAKES = {
    "schema version as text": at_document(lambda d: d.update(schema_version="1"), "schema_version"),
    "other taxonomy": at_document(
        lambda d: d.update(taxonomy_version="1999.1"), "taxonomy_version"
    ),
    "level out of range": in_member(
        "sn",
        "expertise.campaigning_mobilisation",
        lambda m: m["expertise"].update(campaigning_mobilisation=9),
    ),
    "unknown theme in the same cell": in_member(
        "sn", "expertise.budget_traking", lambda m: m["expertise"].update(budget_traking=2)
    ),
    "language twice": in_member("ke", "languages.1", lambda m: m["languages"].__setitem__(1, "EN")),
    "unknown language": in_member("ke", "languages.2", lambda m: m["languages"].append("xx")),
    "name missing": in_member("ye", "name", lambda m: m.pop("name")),
    "unknown country": in_member("ye", "country", lambda m: m.update(country="XX")),
    "need out of range": in_member(
        "ye", "needs.fundraising", lambda m: m["needs"].update(fundraising=5)
    ),
    "unknown kind": in_member("bo", "kind", lambda m: m.update(kind="ngo")),
    "capacity too large": in_member(
        "bo", "mentor_capacity", lambda m: m.update(mentor_capacity=99)
    ),
    "control character": in_member("bo", "description", lambda m: m.update(description="a\x1bb")),
    "flag as text": in_member("bo", "global_south", lambda m: m.update(global_south="yes")),
    "unknown member field": in_member("bo", "colour", lambda m: m.update(colour="red")),
    "capacity as text": in_member("ml", "mentee_capacity", lambda m: m.update(mentee_capacity="2")),
    "duplicate id": duplicate_ye,
    "exclusion of nobody": appended("exclusions", ["bf", "nobody"], "1"),
    "exclusion of itself": appended("exclusions", ["br", "br"], ""),
    "exclusion of one": appended("exclusions", ["br"], ""),
    "lock of a ghost": appended("locked", {"mentor": "ghost", "mentee": "bf"}, "mentor"),
    "lock breaking a hard constraint": appended("locked", {"mentor": "ph", "mentee": "bf"}, ""),
    "lock twice": appended("locked", {"mentor": "gh", "mentee": "ng"}, ""),
    "locks beyond capacity": over_capacity,
    "history of itself": appended("history", {"mentor": "sn", "mentee": "sn"}, "mentee"),
    "history of nobody": appended("history", {"mentor": "nobody", "mentee": "ke"}, "mentor"),
    "history label too long": appended(
        "history", {"mentor": "br", "mentee": "bf", "round": "r" * 101}, "round"
    ),
    "unknown top-level field": at_document(lambda d: d.update(colour="red"), "colour"),
}


def with_mistakes(names) -> tuple[dict, list[tuple[str, str]]]:
    doc, expected = base(), []
    for name in MISTAKES:
        if name in names:
            expected += MISTAKES[name](doc)
    return doc, expected


def reported(doc) -> list[tuple[str, str]]:
    with pytest.raises(NetworkError) as info:
        validate_network(doc)
    return [(p.where, p.field) for p in info.value.problems]


def test_the_base_document_is_valid():
    assert len(validate_network(base()).members) == 12


def test_every_kind_of_mistake_at_once_in_one_answer():
    doc, expected = with_mistakes(MISTAKES)
    assert reported(doc) == expected


@settings(max_examples=60, deadline=None)
@given(st.sets(st.sampled_from(list(MISTAKES)), min_size=1))
def test_any_set_of_mistakes_is_reported_exactly(names):
    doc, expected = with_mistakes(names)
    assert reported(doc) == expected


def test_the_command_line_prints_them_all(tmp_path):
    doc, expected = with_mistakes(MISTAKES)
    path = tmp_path / "net.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("  - ")]
    assert len(lines) == len(expected)
    for line, (where, field) in zip(lines, expected, strict=True):
        assert line.startswith(f"  - {where}" + (f" · {field}" if field else ""))


def test_a_lock_of_a_broken_member_waits_for_it_the_others_do_not():
    doc = base()
    doc["members"][0]["languages"] = ["xx"]  # sn
    doc["locked"] += [
        {"mentor": "ph", "mentee": "sn"},  # no shared language, but sn's own is unknown
        {"mentor": "ph", "mentee": "ml"},  # both valid: no shared language
    ]
    assert reported(doc) == [("members[0] (id 'sn')", "languages.0"), ("locked[2]", "")]


def test_a_list_too_long_still_names_its_unknown_codes():
    doc = base()
    doc["members"][0]["languages"] = [
        "en",
        "fr",
        "es",
        "de",
        "it",
        "pt",
        "ar",
        "sw",
        "xx",
        "ru",
        "fr",
    ]
    sn = "members[0] (id 'sn')"
    assert reported(doc) == [(sn, "languages"), (sn, "languages.8"), (sn, "languages.10")]


def test_a_huge_broken_document_lists_the_first_problems_and_counts_the_rest():
    doc = base()
    for m in doc["members"]:
        m["expertise"]["budget_traking"] = 9  # two problems each: the key and the level
    doc["members"] += [
        member(f"m{k:03d}", "KE", ["en"], expertise={"budget_traking": 9}) for k in range(250)
    ]
    with pytest.raises(NetworkError) as info:
        validate_network(doc)
    assert len(info.value.problems) == 2 * 262
    printed = str(info.value).splitlines()
    assert printed[0] == "network: 524 problems"
    assert len(printed) == 1 + MAX_LISTED + 1
    assert printed[-1] == "  - …: and 324 more problems; fix these and check again"
    # Guesses are made for the listed problems only: past them, none.
    assert "did you mean 'budget_tracking'" in printed[1]
    assert "did you mean" not in str(info.value.problems[-2])


# Over HTTP: the imports combine the document's problems with those of the CSV
# cells and of the contacts.

CSV_MISTAKES = (
    CSV_HEADER.replace("\r\n", ",colour\r\n")
    + "a1,A,national_coalition,KE,en,budget_traking:2;campaigning_mobilisation:9,,,red\r\n"
    + "a2,B,national_coalition,KE,en;xx,budget_tracking=3,,not-an-email,\r\n"
    + "a3,C,national_coalition,KE,en\r\n"
    + "a1,D,ngo,XX,en,,fundraising:5,,\r\n"
    + "export,E,national_coalition,KE,en,,,,\r\n"
)


def test_a_csv_with_every_kind_of_mistake_gives_one_answer(svc):
    body = problem(csv_import(svc, CSV_MISTAKES), 422)
    found = [(e["where"], e.get("field", "")) for e in body["errors"]]
    assert found == [
        ("line 1", "colour"),
        ("line 2 (id 'a1')", "expertise.budget_traking"),
        ("line 2 (id 'a1')", "expertise.campaigning_mobilisation"),
        ("line 3 (id 'a2')", "languages.1"),
        ("line 3 (id 'a2')", "expertise"),
        ("line 3 (id 'a2')", "contact_email"),
        ("line 4", ""),
        ("line 5 (id 'a1')", "id"),
        ("line 5 (id 'a1')", "kind"),
        ("line 5 (id 'a1')", "country"),
        ("line 5 (id 'a1')", "needs.fundraising"),
        ("line 6 (id 'export')", "id"),
    ]
    assert body["detail"] == "12 problems in the CSV; nothing was written"
    assert svc.client.get("/v1/members", headers=svc.as_("admin")).json()["total"] == 126


def test_a_json_import_with_every_kind_of_mistake_gives_one_answer(svc):
    doc, expected = with_mistakes(MISTAKES)
    sn = "members[0] (id 'sn')"
    doc["members"][0]["contact_email"] = "not-an-email"
    doc["members"].append(member("export", "KE", ["en"]))  # reserved
    last_of_sn = max(k for k, (where, _) in enumerate(expected) if where == sn)
    expected.insert(last_of_sn + 1, (sn, "contact_email"))
    expected.insert(
        expected.index(("members[12] (id 'ye')", "id")) + 1, ("members[13] (id 'export')", "id")
    )
    body = problem(json_import(svc, doc), 422)
    assert [(e["where"], e.get("field", "")) for e in body["errors"]] == expected
    assert svc.client.get("/v1/members/gh", headers=svc.as_("admin")).status_code == 404


def test_a_patch_names_a_null_and_a_bad_value_together(svc):
    admin = svc.as_("admin")
    body = problem(
        svc.client.patch(
            f"/v1/members/{MEMBER}",
            json={"name": None, "expertise": {"budget_traking": 9}},
            headers=admin,
        ),
        422,
    )
    fields = [e["field"] for e in body["errors"]]
    assert fields == ["name", "expertise.budget_traking.[key]", "expertise.budget_traking"]
