"""`--lang`: every command that takes it writes its tables' headings and score
terms in that language, and refuses an unknown one before doing any work."""

import sys
import types

import pytest
import typer
from typer.testing import CliRunner

from matcher import default_taxonomy
from service.cli import app

runner = CliRunner()
TAX = default_taxonomy()


def lang_commands() -> list[str]:
    group = typer.main.get_command(app)
    return sorted(
        name
        for name, command in group.commands.items()
        if any("--lang" in param.opts for param in command.params)
    )


def test_these_commands_take_lang():
    # A new command with --lang is covered by the tests below once it is named here.
    assert lang_commands() == [
        "circles",
        "exchanges",
        "map",
        "match",
        "recommend",
        "report",
        "taxonomy",
    ]


@pytest.mark.parametrize("command", lang_commands())
def test_unknown_lang_is_refused_before_any_work(command, monkeypatch, tmp_path):
    def must_not_run(*args, **kwargs):
        raise AssertionError(f"{command} started working before --lang was checked")

    for name, module in list(sys.modules.items()):
        if name.startswith("service.cli"):
            for attribute in ("load_network", "default_taxonomy", "check_output"):
                if hasattr(module, attribute):
                    monkeypatch.setattr(module, attribute, must_not_run)
    # `report` imports its heavy modules (matplotlib, pandas) when it starts:
    # an empty stand-in fails that import if it happens.
    monkeypatch.setitem(sys.modules, "service.report", types.ModuleType("service.report"))
    missing = tmp_path / "no-such-network.json"
    # --lang last, after a network file that does not exist (and, for
    # recommend, without its required --member): the language is still what
    # is refused.
    args = [command] + ([] if command == "taxonomy" else [str(missing)]) + ["--lang", "xx"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.stderr == "error: --lang must be one of en, fr, es, pt, ar, got 'xx'\n"
    assert result.stdout == ""


def test_lang_is_checked_before_other_options():
    result = runner.invoke(app, ["match", "--demo", "--seed", "-1", "--lang", "de"])
    assert result.exit_code == 2 and "--lang must be one of en, fr, es, pt, ar" in result.stderr


CASES = {
    # command: {language: strings that must appear (headings, then score terms)}
    "recommend": (
        ["recommend", "--demo", "-m", "ke-coalition", "-k", "10"],
        {
            "en": ["why", "North→South bonus", TAX.label("digital_advocacy", "en")],
            "fr": ["pourquoi", "bonus Nord→Sud", TAX.label("digital_advocacy", "fr")],
            "ar": ["السبب", "مكافأة شمال←جنوب", TAX.label("digital_advocacy", "ar")],
        },
    ),
    "match": (
        ["match", "--demo"],
        {
            "en": ["why", "(welfare)", "South–South bonus", "same region"],
            "fr": ["pourquoi", "(score total maximal)", "bonus Sud–Sud", "même région"],
            "ar": ["السبب", "(أعلى مجموع نقاط)", "مكافأة جنوب–جنوب", "نفس المنطقة"],
        },
    ),
    "exchanges": (
        ["exchanges", "--demo"],
        {
            "en": ["a teaches b", "similar descriptions"],
            "fr": ["a enseigne à b", "descriptions proches"],
            "ar": ["a يعلّم b", "وصفان متقاربان"],
        },
    ),
    "circles": (
        ["circles", "--demo", "--seed", "1"],
        {
            # Why a need was left out stays the engine's English ("no anchor on …").
            "en": ["need covered", "learner", TAX.label("climate_education", "en")],
            "fr": ["besoin couvert", "apprenant", TAX.label("climate_education", "fr")],
            "ar": ["الاحتياج المُلبّى", "متعلّم", TAX.label("climate_education", "ar")],
        },
    ),
    "map": (
        ["map", "--demo"],
        {
            "en": ["theme", TAX.label("fundraising", "en")],
            "fr": ["thème", TAX.label("fundraising", "fr")],
            "ar": ["الموضوع", TAX.label("fundraising", "ar")],
        },
    ),
    "taxonomy": (
        ["taxonomy"],
        {
            "en": ["family", TAX.label("tax_justice", "en")],
            "fr": ["famille", TAX.label("tax_justice", "fr")],
            "ar": ["الفئة", TAX.label("tax_justice", "ar")],
        },
    ),
}


@pytest.mark.parametrize("lang", ["fr", "ar"])
@pytest.mark.parametrize("command", sorted(CASES))
def test_tables_headings_and_score_terms_are_in_lang(command, lang):
    args, expected = CASES[command]
    result = runner.invoke(app, [*args, "--lang", lang])
    assert result.exit_code == 0, result.output
    for translated, english in zip(expected[lang], expected["en"], strict=True):
        assert translated in result.stdout
        assert translated == english or english not in result.stdout
    english = runner.invoke(app, args)
    assert all(text in english.stdout for text in expected["en"])
