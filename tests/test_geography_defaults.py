"""Members without a country (regional networks, international NGOs) take
their region and North/South side from explicit fields; one left to the
default (region 'international', Global North) is imported, and the import
answer and the CLI say so with how to fix it."""

import json

import pytest
from typer.testing import CliRunner

from fixtures import demo_network_path
from matcher import default_taxonomy, mentoring_round
from service.cli import app as cli
from service.contract import geography_warnings, validate_network
from tests.api import csv_import, json_import

CLADE = {
    "id": "clade",
    "name": "Campaña Latinoamericana por el Derecho a la Educación",
    "kind": "regional_network",
    "languages": ["es"],
    "expertise": {"policy_research": 4},
    "mentor_capacity": 1,
    "mentee_capacity": 0,
}
MENTEE = {
    "id": "pe-coalition",
    "name": "Campaña Peruana por el Derecho a la Educación",
    "kind": "national_coalition",
    "country": "PE",
    "languages": ["es"],
    "needs": {"policy_research": 3},
}
LATIN_AMERICA = {"region": "latin_america_caribbean", "global_south": True}


def reason_kinds(clade):
    network = validate_network({"schema_version": 1, "members": [clade, MENTEE]})
    (pair,) = mentoring_round(network, taxonomy=default_taxonomy(), seed=1).pairs
    assert (pair.mentor, pair.mentee) == ("clade", "pe-coalition")
    return {r.kind for r in pair.reasons}


def test_explicit_fields_set_the_bonuses_of_a_member_without_country():
    # Left to the default, a regional network of the South counts as the
    # North and its pair gets a North→South bonus it should not.
    assert "north_south" in reason_kinds(CLADE)
    explicit = reason_kinds({**CLADE, **LATIN_AMERICA})
    assert "north_south" not in explicit
    assert {"south_south", "same_region"} <= explicit


def test_a_json_import_warns_about_each_default_and_still_imports(svc):
    ngo = {**MENTEE, "id": "global-ngo", "kind": "international_ngo", "country": None}
    explicit = {**CLADE, "id": "clade-explicit", **LATIN_AMERICA}
    answer = json_import(svc, {"schema_version": 1, "members": [CLADE, explicit, ngo]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["created"] == 3
    warnings = answer.json()["warnings"]
    assert [(w["where"], w["field"]) for w in warnings] == [
        ("members[0] (id 'clade')", "region"),
        ("members[0] (id 'clade')", "global_south"),
        ("members[2] (id 'global-ngo')", "global_south"),
    ]
    assert "latin_america_caribbean" in warnings[0]["message"]
    assert "set global_south to true or false" in warnings[1]["message"]
    stored = svc.client.get("/v1/members/clade-explicit", headers=svc.as_("admin")).json()
    assert (stored["region"], stored["global_south"]) == ("latin_america_caribbean", True)
    defaulted = svc.client.get("/v1/members/clade", headers=svc.as_("admin")).json()
    assert (defaulted["region"], defaulted["global_south"]) == ("international", False)


def test_a_csv_import_names_the_line(svc):
    header = "id,name,kind,languages,expertise,region,global_south\r\n"
    rows = "clade,CLADE,regional_network,es,policy_research:4,,\r\n"
    rows += "ancefa,ANCEFA,regional_network,fr,policy_research:4,africa,true\r\n"
    answer = csv_import(svc, header + rows)
    assert answer.status_code == 200, answer.text
    assert [(w["where"], w["field"]) for w in answer.json()["warnings"]] == [
        ("line 2 (id 'clade')", "region"),
        ("line 2 (id 'clade')", "global_south"),
    ]
    # A later CSV without those columns keeps what is stored: no warning.
    again = csv_import(svc, "id,name,kind,languages\r\nancefa,ANCEFA,regional_network,fr\r\n")
    assert again.status_code == 200 and again.json()["warnings"] == []


@pytest.mark.parametrize("command", [["validate"], ["match", "--seed", "1"]])
def test_the_cli_prints_the_warnings(tmp_path, command):
    path = tmp_path / "network.json"
    path.write_text(json.dumps({"schema_version": 1, "members": [CLADE, MENTEE]}))
    result = CliRunner().invoke(cli, [*command, str(path)])
    assert result.exit_code == 0, result.output
    assert "warning: members[0] (id 'clade') · region" in result.stderr
    assert "warning: members[0] (id 'clade') · global_south" in result.stderr
    assert "warning" not in result.stdout


def test_no_demo_member_is_left_to_a_default():
    members = json.loads(demo_network_path().read_bytes())["members"]
    assert [m for m in members if not m.get("country")], "the demo has members without one"
    assert geography_warnings(members) == []
