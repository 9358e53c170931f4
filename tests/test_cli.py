"""The command line, end to end, on the demo network and on broken files."""

import json

import pytest
from typer.testing import CliRunner

from fixtures import load_demo_network
from service.cli import app
from tests.networks import hand_network, reordered

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def write(tmp_path):
    def _write(doc, name="net.json"):
        path = tmp_path / name
        path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
        return path

    return _write


def test_match_demo_prints_a_table():
    result = invoke("match", "--demo")
    assert result.exit_code == 0, result.output
    assert "Mentoring round (welfare)" in result.stdout
    assert "proven optimal" in result.stdout
    assert "Left without a mentor" in result.stdout


def test_match_demo_json_document():
    result = invoke("match", "--demo", "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["schema_version"] == 1 and doc["objective"] == "welfare"
    summary = doc["summary"]
    assert summary["members"] == 126 and summary["optimal"] is True
    assert summary["pairs"] == len(doc["pairs"]) > 0
    assert summary["mentees_matched"] + len(doc["unmatched"]) == summary["mentees_with_needs"]
    assert len(summary["input_sha256"]) == 64 and summary["taxonomy_version"] == "2026.1"
    for pair in doc["pairs"]:
        assert abs(sum(r["contribution"] for r in pair["reasons"]) - pair["score"]) <= 1e-9
        assert pair["languages"]
    assert {u["code"] for u in doc["unmatched"]} <= {
        "no_shared_language",
        "no_stronger_mentor",
        "all_excluded",
        "capacity",
    }


def test_match_is_byte_identical_for_reordered_input(write, tmp_path):
    demo = load_demo_network()
    shuffled = reordered(demo, list(reversed(range(len(demo["members"])))))
    a = invoke("match", write(demo, "a.json"), "--format", "json", "--seed", 3)
    b = invoke("match", write(shuffled, "b.json"), "--format", "json", "--seed", 3)
    assert a.exit_code == b.exit_code == 0
    assert a.stdout == b.stdout


def test_match_stable_reports_stability_cost():
    result = invoke("match", "--demo", "--objective", "stable")
    assert result.exit_code == 0
    assert "stability costs" in result.stdout
    doc = json.loads(invoke("match", "--demo", "--objective", "stable", "--format", "json").stdout)
    assert doc["summary"]["stability_cost"] >= -1e-9


def test_match_out_writes_the_file(tmp_path):
    out = tmp_path / "round.json"
    result = invoke("match", "--demo", "--format", "json", "--out", out)
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["members"] == 126
    assert [p.name for p in tmp_path.iterdir()] == ["round.json"]


def test_validate_ok(write):
    result = invoke("validate", write(hand_network()))
    assert result.exit_code == 0 and result.stdout.strip() == "ok: 9 members"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda d: d["members"][0]["expertise"].update(budget_traking=2),
            "did you mean 'budget_tracking'",
        ),
        (lambda d: d["members"][1].update(id="sn"), "duplicate id"),
        (
            lambda d: d["members"][0]["needs"].update(digital_advocacy=9),
            "needs.digital_advocacy = 9",
        ),
        (lambda d: d["members"][0]["expertise"].update(teachers=-1), "expertise.teachers = -1"),
        (
            lambda d: d["members"][0].update(languages=["xx"]),
            'languages.0 = "xx": unknown ISO 639-1 language code',
        ),
        (lambda d: d["members"][0].update(country="ZZ"), "unknown ISO 3166-1 alpha-2 country code"),
        (lambda d: d["exclusions"].append(["sn", "nobody"]), 'exclusions[1] · 1 = "nobody"'),
        (
            lambda d: d.update(locked=[{"mentor": "ghost", "mentee": "sn"}]),
            'locked[0] · mentor = "ghost"',
        ),
        (
            lambda d: d.update(history=[{"mentor": "sn", "mentee": "ghost"}]),
            'history[0] · mentee = "ghost"',
        ),
        (
            lambda d: d.update(locked=[{"mentor": "br", "mentee": "ph"}]),
            "they share no working language",
        ),
    ],
)
def test_validation_errors_exit_2_without_traceback(write, edit, expected):
    doc = hand_network()
    edit(doc)
    for command in ("validate", "match", "recommend"):
        args = [command, write(doc)] + (["--member", "sn"] if command == "recommend" else [])
        result = invoke(*args)
        assert result.exit_code == 2, result.output
        assert expected in result.stderr
        assert "Traceback" not in result.output
        assert result.stdout == ""


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d["members"][0].update(mentor_capacity="2"), 'mentor_capacity = "2"'),
        (lambda d: d["members"][0]["needs"].update(budget_tracking=True), "needs.budget_tracking"),
        (lambda d: d["members"][0]["expertise"].update(teachers=2.0), "expertise.teachers = 2.0"),
        (lambda d: d["members"][0].update(global_south="yes"), "write true or false"),
        (lambda d: d.update(schema_version=True), "write the integer 1"),
        (lambda d: d["members"][1].update(id="sn "), "duplicate id"),
        (
            lambda d: d.update(history=[{"mentor": "sn", "mentee": "sn"}]),
            "cannot have mentored itself",
        ),
        (lambda d: d.update(locked=[{"mentor": ["sn"], "mentee": "ke"}]), "locked[0] · mentor"),
    ],
    ids=["quoted", "boolean", "float", "yes", "version", "spaced-id", "history-self", "list-id"],
)
def test_wrong_types_and_odd_ids_exit_2(write, edit, expected):
    doc = hand_network()
    edit(doc)
    result = invoke("validate", write(doc))
    assert result.exit_code == 2, result.output
    assert expected in result.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"schema_version": 1, "members": [{"mentor_capacity": ' + "9" * 5000 + "}]}", "too long"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
    ids=["huge-number", "deep"],
)
def test_unreadable_json_exits_2(write, text, expected):
    result = invoke("validate", write(text))
    assert result.exit_code == 2 and expected in result.stderr, result.output


def test_empty_network_matches_nobody(write):
    result = invoke("match", write({"schema_version": 1, "members": []}), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["pairs"] == 0


@pytest.mark.parametrize(
    "args",
    [
        ["match", "--demo", "--seed", "-1"],
        ["match", "--demo", "--south-south-bonus", "inf"],
        ["match", "--demo", "--north-south-bonus", "1e308"],
        ["taxonomy", "--lang", "xx", "--json"],
        ["generate", "--members", "5", "--seed", "-3"],
        ["circles", "--demo", "--size", "2-99999999999999999999"],
        ["circles", "--demo", "--max-per-member", "99999999999999999999"],
    ],
)
def test_out_of_range_options_exit_2(args):
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_out_never_replaces_the_input_a_directory_or_a_device(write, tmp_path):
    network = write(hand_network())
    before = network.read_bytes()
    for out, expected in ((network, "is the input file"), (tmp_path, "is a directory")):
        result = invoke("match", network, "--out", out)
        assert result.exit_code == 2 and expected in result.stderr, result.output
    assert network.read_bytes() == before
    result = invoke("match", network, "--out", "/dev/null")
    assert result.exit_code == 2 and "not a regular file" in result.stderr


def test_out_refuses_a_symlink(write, tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep", encoding="utf-8")
    link = tmp_path / "round.json"
    link.symlink_to(target)
    result = invoke("match", write(hand_network()), "--out", link)
    assert result.exit_code == 2 and "symbolic link" in result.stderr, result.output
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "keep"


def test_bad_json_and_missing_file(write, tmp_path):
    result = invoke("validate", write('{"schema_version": 1,\n "members": [}'))
    assert result.exit_code == 2 and "line 2, column 14" in result.stderr
    result = invoke("match", tmp_path / "nope.json")
    assert result.exit_code == 2 and "no such file" in result.stderr
    result = invoke("match")
    assert result.exit_code == 2 and "--demo" in result.stderr


def test_recommend(write):
    result = invoke("recommend", write(hand_network()), "--member", "ke", "--json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert [r["member"] for r in doc["recommendations"]] == ["ph", "fr-ingo"]
    table = invoke("recommend", "--demo", "--member", load_demo_network()["members"][0]["id"])
    assert table.exit_code == 0 and "Top mentors" in table.stdout
    unknown = invoke("recommend", write(hand_network()), "--member", "kee")
    assert unknown.exit_code == 2 and "did you mean 'ke'" in unknown.stderr
    mentees = invoke(
        "recommend", write(hand_network()), "-m", "fr-ingo", "--direction", "mentees", "--json"
    )
    assert [r["member"] for r in json.loads(mentees.stdout)["recommendations"]][:2] == ["sn", "bf"]


def test_taxonomy_and_schema():
    doc = json.loads(invoke("taxonomy", "--json").stdout)
    assert doc["version"] == "2026.1" and 30 <= len(doc["themes"]) <= 45
    assert set(doc["themes"][0]) == {"key", "family", "labels"}
    assert set(doc["themes"][0]["labels"]) == {"en", "fr", "es", "pt", "ar"}
    french = invoke("taxonomy", "--lang", "fr")
    assert french.exit_code == 0 and "budget_tracking" in french.stdout
    assert invoke("taxonomy", "--lang", "de").exit_code == 2
    schema = json.loads(invoke("schema").stdout)
    assert schema["properties"]["schema_version"]["const"] == 1


def test_generate_is_valid_and_seeded(write):
    a = invoke("generate", "--members", 300, "--seed", 5)
    b = invoke("generate", "--members", 300, "--seed", 5)
    assert a.exit_code == 0 and a.stdout == b.stdout
    assert invoke("validate", write(a.stdout)).stdout.strip() == "ok: 300 members"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("PEERMATCH_DATABASE_URL", "bogus://", "PEERMATCH_DATABASE_URL cannot be used"),
        (
            "PEERMATCH_DATABASE_URL",
            "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "cannot open the database",
        ),
        ("PEERMATCH_MAX_BODY_BYTES", "abc", "PEERMATCH_MAX_BODY_BYTES"),
        ("PEERMATCH_DATABASE_URL", "mysql://nobody@127.0.0.1/none", "cannot be used"),
        ("PEERMATCH_DATABASE_URL", "sqlite:///{tmp}/not-a-database.db", "cannot open"),
    ],
)
def test_a_bad_setting_exits_2(monkeypatch, tmp_path, variable, value, expected):
    (tmp_path / "not-a-database.db").write_text("plain text, not SQLite", encoding="utf-8")
    value = value.format(tmp=tmp_path)
    from service.config import get_settings

    monkeypatch.setenv("PEERMATCH_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PEERMATCH_DATABASE_URL", raising=False)
    monkeypatch.setenv(variable, value)
    get_settings.cache_clear()
    try:
        result = invoke("keys", "list")
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2, result.output
    assert expected in result.stderr


def test_lang_is_case_insensitive():
    result = invoke("taxonomy", "--lang", "FR")
    assert result.exit_code == 0, result.output
    assert "Protection et éducation de la petite enfance" in result.stdout


def test_text_output_escapes_control_characters_left_in_data(monkeypatch, write):
    # Stored before the contract refused them, or echoed from bad input: the
    # terminal must see them written out, not run them.
    from service.documents import encoding, tables

    osc52, csi = "A\u001b]52;c;aGk=\u0007B", "C\u009b31mD\u202e"
    table = tables.render_table(["name"], [[osc52], [csi]])
    assert "\u001b" not in table and "\u009b" not in table and "\u202e" not in table
    assert "A\\u001b]52;c;aGk=\\u0007B" in table and "\\u202e" in table
    dumped = encoding.dumps({"name": csi})
    assert "\u009b" not in dumped and json.loads(dumped) == {"name": csi}
    doc = hand_network()
    doc["members"][0]["name"] = osc52
    result = invoke("validate", write(doc))
    assert result.exit_code == 2 and "U+001B (ESC)" in result.output
    assert "\u001b" not in result.output and "\u0007" not in result.output
