"""Over HTTP: a round's view says what would match each mentee left out
(the CLI's options, one builder), and an empty list of recommendations says
why."""

import json

from typer.testing import CliRunner

from service.cli import app as cli


def test_the_round_view_offers_the_cli_options_for_each_unmatched_mentee(svc):
    created = svc.client.post(
        "/v1/rounds", json={"kind": "mentoring", "seed": 3}, headers=svc.as_("admin")
    )
    assert created.status_code == 201, created.text
    view = svc.client.get(f"/v1/rounds/{created.json()['id']}", headers=svc.as_("admin")).json()
    out = CliRunner().invoke(cli, ["match", "--demo", "--seed", "3", "--format", "json"])
    unmatched = json.loads(out.stdout)["unmatched"]
    assert view["summary"]["unmatched"] == unmatched
    sy = next(u for u in unmatched if u["member"] == "sy-coalition")
    assert sy["options"][0]["kind"] == "accept_language"
    assert sy["options"][0]["best"] in sy["options"][0]["mentors"]


def test_a_circles_round_offers_the_cli_options_for_each_need_left_out(svc):
    created = svc.client.post(
        "/v1/rounds", json={"kind": "circles", "seed": 3}, headers=svc.as_("admin")
    )
    assert created.status_code == 201, created.text
    left_out = created.json()["summary"]["left_out"]
    args = ["circles", "--demo", "--seed", "3", "--options", "--format", "json"]
    out = CliRunner().invoke(cli, args)
    assert left_out == json.loads(out.stdout)["left_out"]
    assert any(x["options"] for x in left_out)


def test_empty_recommendations_say_why(svc):
    empty = svc.client.get(
        "/v1/members/sy-coalition/recommendations", headers=svc.as_("admin")
    ).json()
    assert empty["recommendations"] == []
    assert empty["empty_reason"] == {
        "code": "no_stronger_peer",
        "text": "no member sharing a working language (ar) is stronger on its needs",
    }
    full = svc.client.get(
        "/v1/members/ke-coalition/recommendations", headers=svc.as_("admin")
    ).json()
    assert full["recommendations"] and "empty_reason" not in full
