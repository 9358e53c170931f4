"""Synthetic histories on the command line: `generate --rounds --history`,
`validate-history` and `report --history`."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from fixtures import demo_history_path, demo_network_path, load_demo_history
from fixtures.history import generate_history
from service.cli import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_generate_writes_the_networks_history_and_keeps_stdout_the_network(tmp_path):
    out = tmp_path / "history.json"
    plain = invoke("generate", "--members", 80, "--seed", 3)
    result = invoke("generate", "--members", 80, "--seed", 3, "--rounds", 3, "--history", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == plain.stdout  # stdout is still the network document
    network = json.loads(result.stdout)
    assert json.loads(out.read_text("utf-8")) == generate_history(network, rounds=3, seed=3)
    network_file = tmp_path / "net.json"
    network_file.write_text(result.stdout, encoding="utf-8")
    checked = invoke("validate-history", out, "--network", network_file)
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.startswith("ok: 3 rounds, ")


@pytest.mark.parametrize("args", [["--rounds", 3], ["--history", "h.json"]])
def test_rounds_and_history_go_together(args):
    result = invoke("generate", "--members", 10, *args)
    assert result.exit_code == 2
    assert "--rounds and --history go together" in result.stderr


def test_validate_history_prints_every_problem_with_where(tmp_path):
    doc = load_demo_history()
    doc["feedback"][3]["usefulness"] = 9
    doc["rounds"][0]["relations"][2]["mentor"] = "ke-coalitoin"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    result = invoke("validate-history", bad, "--network", demo_network_path())
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("  - ")]
    assert len(lines) == 2
    assert (
        "rounds[0].relations[2] · mentor" in lines[0] and "did you mean 'ke-coalition'" in lines[0]
    )
    assert "feedback[3] · usefulness = 9" in lines[1]
    assert invoke("validate-history", demo_history_path(), "--network", demo_network_path()).stdout


def test_report_reads_the_history_into_the_analysis(tmp_path, monkeypatch):
    import service.report

    seen = {}

    class Stop(Exception):
        pass

    def analyse(network, *, taxonomy, progress=None, history=None):
        seen["history"] = history
        raise Stop

    monkeypatch.setattr(service.report, "analyse", analyse)
    out = tmp_path / "r.html"
    result = invoke("report", "--demo", "--out", out)
    assert isinstance(result.exception, Stop)
    assert len(seen["history"].rounds) == 6 and seen["history"].answers
    doc = load_demo_history()
    doc["feedback"][0]["relation"] = 424242
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    result = invoke("report", "--demo", "--history", bad, "--out", out)
    assert result.exit_code == 2 and "feedback[0] · relation = 424242" in result.stderr
