"""`peermatch report`: one self-contained HTML file whose numbers are the CLI's."""

import base64
import json
import os
import pty
import re
import struct
import subprocess
import sys
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fixtures import demo_network_path, load_demo_history, load_demo_network
from matcher import default_taxonomy
from matcher.flow import flow_map
from matcher.history import FORMATS
from matcher.outcomes import outcome_analysis
from service import report
from service.cli import app
from service.contract import parse_network
from service.translations import gettext_for
from service.translations.formats import format_number
from service.usecases.history import to_history

TITLE = "Peer learning across the network"

runner = CliRunner()
SECTIONS = [
    "key-figures",
    "capacity-map",
    "mentoring-round",
    "learning-circles",
    "help-graph",
    "what-works",
    "knowledge-flow",
]
NO_HISTORY = "There is no history yet"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


class Page(HTMLParser):
    """What the tests read from a report: sections, images, key figures and
    the ``data-*`` rows of each section's tables."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.root: dict[str, str] = {}
        self.sections: list[str] = []
        self.images: list[dict[str, str]] = []
        self.figures: dict[str, str] = {}
        self.rows: dict[str, list[dict[str, str]]] = {}
        self._field: str | None = None
        self._in_value = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.root = a
        elif tag == "section":
            self.sections.append(a["id"])
        elif tag == "img":
            self.images.append(a)
        elif tag == "li" and "data-field" in a:
            self._field = a["data-field"]
        elif tag == "span" and a.get("class") == "value" and self._field:
            self._in_value = True
        elif tag in ("tr", "li") and any(k.startswith("data-") for k in a):
            row = {k[5:]: v for k, v in a.items() if k.startswith("data-")}
            self.rows.setdefault(self.sections[-1], []).append(row)

    def handle_data(self, data):
        if self._in_value:
            self.figures[self._field] = data

    def handle_endtag(self, tag):
        if tag == "span":
            self._in_value = False
        elif tag == "li":
            self._field = None


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The demo report in English and Arabic, and the CLI's JSON documents."""
    where = tmp_path_factory.mktemp("report")
    out = {}
    for lang in ("en", "ar"):
        path = where / f"report-{lang}.html"
        result = invoke("report", "--demo", "--out", path, "--lang", lang)
        assert result.exit_code == 0, result.output
        out[lang] = (path.read_text(encoding="utf-8"), result.stderr)
    for lang in ("en", "ar"):  # the demo network without its history
        path = where / f"report-{lang}-no-history.html"
        result = invoke("report", demo_network_path(), "--out", path, "--lang", lang)
        assert result.exit_code == 0, result.output
        out[f"{lang}-no-history"] = (path.read_text(encoding="utf-8"), result.stderr)
    docs = {}
    for command in ("match", "map"):
        result = invoke(command, "--demo", "--format", "json")
        assert result.exit_code == 0
        docs[command] = json.loads(result.stdout)
    return out, docs


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_report_has_every_section_and_embedded_pngs(built, lang):
    html, _ = built[0][lang]
    page = Page(html)
    assert page.root == {"lang": lang, "dir": "rtl" if lang == "ar" else "ltr"}
    assert page.sections == SECTIONS
    # heatmap, round, help graph; flow between regions, the last round's flow graph
    assert len(page.images) == 5
    for image in page.images:
        assert image["alt"]
        prefix = "data:image/png;base64,"
        assert image["src"].startswith(prefix)
        png = base64.b64decode(image["src"][len(prefix) :], validate=True)
        assert png.startswith(PNG_SIGNATURE) and len(png) > 10_000
        width, height = struct.unpack(">II", png[16:24])  # IHDR
        assert width > 400 and height > 200
        assert b"Software" not in png  # no metadata that differs between installs


@pytest.mark.parametrize("lang", ["en", "ar", "en-no-history", "ar-no-history"])
def test_report_is_self_contained(built, lang):
    html, _ = built[0][lang]
    # The outcomes figure is inline SVG: its namespace names are never fetched.
    for namespace in (
        'xmlns="http://www.w3.org/2000/svg"',
        'xmlns:xlink="http://www.w3.org/1999/xlink"',
    ):
        html = html.replace(namespace, "")
    for outside in ("http://", "https://", "//cdn", "<script", "<link", "@import"):
        assert outside not in html, outside
    # Its clip paths point into the page itself (url(#id)), nothing else.
    assert not re.search(r"url\((?!#)", html)


def test_report_numbers_are_the_cli_numbers(built):
    (html, _), docs = built[0]["en"], built[1]
    page = Page(html)
    match, cmap = docs["match"], docs["map"]
    summary = match["summary"]
    assert page.figures["members"] == str(summary["members"]) == "126"
    assert page.figures["mentees_matched"] == str(summary["mentees_matched"])
    assert page.figures["pairs"] == str(summary["pairs"])
    assert page.figures["unserved"] == str(cmap["summary"]["unserved"])
    spof = cmap["summary"]["single_points_of_failure"]
    assert page.figures["single_points_of_failure"] == str(spof)
    south = cmap["south_south_potential"]
    assert page.figures["south_south_share"] == f"{south['share']:.0%}"

    pairs = page.rows["mentoring-round"]
    listed = [r for r in pairs if "mentor" in r]
    assert [(r["mentee"], r["mentor"], float(r["score"])) for r in listed] == [
        (p["mentee"], p["mentor"], p["score"]) for p in match["pairs"]
    ]
    unmatched = [r for r in pairs if "code" in r]
    assert [(r["member"], r["code"]) for r in unmatched] == [
        (u["member"], u["code"]) for u in match["unmatched"]
    ]

    capacity = page.rows["capacity-map"]
    unmet = [r for r in capacity if "code" in r]
    assert [(r["theme"], r["language"], r["code"], int(r["members"])) for r in unmet] == [
        (g["theme"], g["language"], g["code"], g["members"]) for g in cmap["unmet"][:10]
    ]
    points = [r for r in capacity if "expert" in r]
    assert [(r["theme"], r["language"], r["expert"], int(r["dependents"])) for r in points] == [
        (s["theme"], s["language"], s["expert"], s["dependents"])
        for s in cmap["single_points_of_failure"][:10]
    ]
    brokers = [r for r in page.rows["help-graph"] if "score" in r]
    assert [(r["member"], float(r["score"])) for r in brokers] == [
        (b["member"], b["score"]) for b in cmap["brokers"]
    ]


def test_report_circles_and_exchanges_are_the_cli_ones(built):
    page = Page(built[0]["en"][0])
    circles = json.loads(invoke("circles", "--demo", "--format", "json").stdout)
    assert [
        (r["theme"], r["language"], r["members"].split()) for r in page.rows["learning-circles"]
    ] == [
        (c["theme"], c["language"], [m["member"] for m in c["members"]]) for c in circles["circles"]
    ]
    exchanges = json.loads(invoke("exchanges", "--demo", "--format", "json").stdout)
    assert [(r["a"], r["b"]) for r in page.rows["help-graph"] if "a" in r] == [
        (p["a"], p["b"]) for p in exchanges["pairs"]
    ]


def test_arabic_report_uses_arabic_labels(built):
    html, _ = built[0]["ar"]
    tax = default_taxonomy()
    assert f"<h1>{gettext_for('ar').gettext(TITLE)}</h1>" in html
    cmap = built[1]["map"]
    for gap in cmap["unmet"][:3]:
        assert tax.label(gap["theme"], "ar") in html
    assert "Capacity map" not in html and "Mentoring round" not in html


def test_progress_goes_to_stderr(built):
    _, stderr = built[0]["en"]
    steps = [line for line in stderr.splitlines() if line.startswith("report: ")]
    assert "report: mentoring round…" in steps and "report: drawing the help graph…" in steps
    assert stderr.rstrip().endswith(".html")  # "wrote …" last


def test_same_input_same_bytes(built, tmp_path):
    path = tmp_path / "again.html"
    assert invoke("report", "--demo", "--out", path).exit_code == 0
    assert path.read_text(encoding="utf-8") == built[0]["en"][0]


@pytest.mark.slow
def test_every_language_renders():
    network = parse_network(json.dumps(load_demo_network()))
    history = to_history(network, load_demo_history())
    analysis = report.analyse(network, taxonomy=default_taxonomy(), history=history)
    tax = default_taxonomy()
    for lang, tag in (("fr", "fr"), ("es", "es"), ("pt", "pt-BR")):
        html = report.render_report(analysis, lang=lang)
        assert f'<html lang="{tag}" dir="ltr">' in html
        t = gettext_for(lang).gettext
        for title in (TITLE, "What works", "How knowledge flowed"):
            assert t(title) != title and f">{escape(t(title))}</h" in html
        assert escape(tax.label(analysis.circles.themes[0], lang)) in html


def test_bad_network_exit_2_and_nothing_written(tmp_path):
    doc = load_demo_network()
    doc["members"][0]["needs"] = {"budget_traking": 2}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / "report.html"
    result = invoke("report", bad, "--out", out)
    assert result.exit_code == 2
    assert "budget_traking" in result.stderr and "did you mean 'budget_tracking'" in result.stderr
    assert "nothing was computed" in result.stderr
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--demo", "--lang", "de"], "--lang must be one of en, fr, es, pt, ar, got 'de'"),
        (["missing.json"], "missing.json: no such file"),
        ([], "give either a NETWORK.json path or --demo"),
    ],
)
def test_bad_options_exit_2_and_nothing_written(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = invoke("report", *args, "--out", tmp_path / "report.html")
    assert result.exit_code == 2
    assert message in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_missing_output_directory_exit_2(tmp_path):
    result = invoke("report", "--demo", "--out", tmp_path / "nowhere" / "report.html")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_missing_output_directory_is_found_before_any_work(tmp_path):
    result = invoke("report", "--demo", "--out", tmp_path / "nowhere" / "report.html")
    assert "report: " not in result.stderr  # no step started


def test_refuses_to_print_html_to_a_terminal(tmp_path):
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-c", "from service.cli import app; app()", "report", "--demo"],
            stdout=follower,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
            timeout=60,
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 2
    assert b"--out report.html" in done.stderr and b"report: " not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_stdout_still_takes_the_report_when_it_is_not_a_terminal(built):
    assert invoke("report", "--demo").stdout == built[0]["en"][0]


def test_cut_tables_say_how_many_there_are(built):
    (html, _), cmap = built[0]["en"], built[1]["map"]
    section = html[html.index('id="capacity-map"') : html.index('id="mentoring-round"')]
    for total in (len(cmap["unmet"]), len(cmap["single_points_of_failure"])):
        assert total > report.TABLE_ROWS  # the demo network shows the note
        note = f"The first {report.TABLE_ROWS} of {total}; all of them: "
        assert note in section
    assert "peermatch map --format json" in section
    assert "unserved column" not in section and "bar beside the heatmap" in section


def test_arabic_lists_use_arabic_punctuation(built):
    html, _ = built[0]["ar"]
    section = html[html.index('id="mentoring-round"') : html.index('id="learning-circles"')]
    assert "؛ " in section and "; " not in section
    assert "تبادلًا في الاتجاهين" in html and "أخرى" not in html


def test_french_numbers_have_a_decimal_comma():
    network = parse_network(json.dumps(load_demo_network()))
    analysis = report.analyse(network, taxonomy=default_taxonomy())
    html = report.render_report(analysis, lang="fr")
    page = Page(html)
    share = analysis.capacity.south_south.share
    # CLDR's French percent: a no-break space before the sign.
    assert page.figures["south_south_share"] == f"{share:.0%}".replace("%", "\u00a0%")
    total = format_number(analysis.round.total_score, "fr", 2)
    assert "," in total and f"Score total {total}" in html
    assert format_number(136.361, "ar", 2) == "136.36"  # Latin digits, decimal point


def _section(html: str, section: str) -> str:
    start = html.index(f'<section id="{section}">')
    return html[start : html.index("</section>", start)]


def demo_flow():
    network = parse_network(json.dumps(load_demo_network()))
    history = to_history(network, load_demo_history())
    return network, history, flow_map(history)


def test_flow_section_numbers_are_the_flow_maps(built):
    page = Page(built[0]["en"][0])
    network, history, fmap = demo_flow()
    rows = page.rows["knowledge-flow"]
    rounds = [r for r in rows if "round" in r]
    assert [(r["round"], int(r["flows"]), int(r["ties"])) for r in rounds] == [
        *((str(r.round_id), r.indicators.flows, r.indicators.ties) for r in fmap.rounds),
        ("all", fmap.cumulative.flows, fmap.cumulative.ties),
    ]
    # Every flow of the demo history counted once, in six archived rounds.
    assert len(rounds) == 6 + 1
    assert int(rounds[-1]["flows"]) == sum(len(rel.flows) for rel in history.relations) > 0
    statuses = {r["status"]: int(r["count"]) for r in rows if "status" in r}
    assert statuses == {
        "never_reached": len(fmap.status["never_reached"]),
        "only_receiving": len(fmap.status["only_receiving"]),
        "only_giving": len(fmap.status["only_giving"]),
        "needs_unmet": len(fmap.needs_unmet),
    }
    assert [r["region"] for r in rows if "region" in r and "theme" not in r] == list(fmap.regions)
    brokers = [r for r in rows if "score" in r]
    assert [(r["member"], float(r["score"])) for r in brokers] == [
        (b.member, b.score) for b in fmap.brokers[:10]
    ]
    # Members are named as the mentoring round names them: a few per list.
    section = _section(built[0]["en"][0], "knowledge-flow")
    names = {m.id: m.name for m in network.members}
    for member in fmap.status["only_giving"][:5]:
        assert f"<bdi>{escape(names[member])}</bdi>" in section
    assert "Round 6 · Learning circles" in section  # the latest round's graph
    assert "From the 6 rounds published so far: what worked" in built[0]["en"][0]  # the lede


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_without_history_the_sections_say_how_to_give_one(built, lang):
    html, stderr = built[0][f"{lang}-no-history"]
    page = Page(html)
    assert page.sections == SECTIONS
    assert len(page.images) == 3  # no flow figures
    t = gettext_for(lang).gettext
    for section in ("what-works", "knowledge-flow"):
        text = _section(html, section)
        assert '<code dir="ltr">--history FILE</code>' in text
        assert "<table" not in text
    sentence = t(
        "There is no history yet: this report was made from the network alone. Give the "
        "past rounds and their feedback with {option} (a history document; {check} checks "
        "one), or see it on the demo with {demo}."
    )
    before = escape(sentence.split("{option}")[0])
    assert before in html and (lang == "en") == (NO_HISTORY in html)
    assert "knowledge flow" not in stderr and "outcomes" not in stderr  # nothing computed
    assert "<svg" not in html
    lede = t("From the {rounds} rounds published so far: what worked, and how knowledge flowed.")
    assert escape(lede.split("{rounds}")[-1]) not in html


def test_arabic_flow_section_is_in_arabic(built):
    section = _section(built[0]["ar"][0], "knowledge-flow")
    t = gettext_for("ar").gettext
    for words in ("How knowledge flowed", "Round by round", "Members the flow did not reach"):
        assert t(words) != words and f">{escape(t(words))}</h" in section
    assert "Round 1" not in section and "flowed" not in section


def test_what_works_numbers_are_the_outcome_analysis(built):
    page = Page(built[0]["en"][0])
    _network, history, _fmap = demo_flow()
    analysis = outcome_analysis(history)
    rows = page.rows["what-works"]
    overall = {r["key"]: r for r in rows if r.get("grouping") == "format"}
    # The relations of each format, counted from the history itself.
    assert {k: int(r["relations"]) for k, r in overall.items()} == {
        f: sum(rel.format == f for rel in history.relations) for f in FORMATS
    }
    assert sum(int(r["relations"]) for r in overall.values()) == len(history.relations) > 0
    for f in analysis.formats:
        assert int(overall[f.format]["answers"]) == f.overall.answers
        for grouping, groups in f.groups.items():
            shown = [
                (r["key"], int(r["relations"]), r["enough"])
                for r in rows
                if r.get("grouping") == grouping and r in _format_rows(page, f.format)
            ]
            assert shown == [
                (g.key, g.relations, str(g.enough).lower()) for g in groups if g.relations
            ]
    assert [(r["first"], r["second"]) for r in rows if "first" in r] == [
        (d.first, d.second) for d in analysis.differences
    ]


def _format_rows(page, fmt):
    """The rows of one format's table (they follow its overall row)."""
    rows = page.rows["what-works"]
    start = next(
        k for k, r in enumerate(rows) if r.get("key") == fmt and r.get("grouping") == "format"
    )
    end = next(
        (k for k, r in enumerate(rows) if k > start and r.get("grouping") == "format"), len(rows)
    )
    return rows[start:end]


def test_too_few_to_tell_is_said_in_words_and_never_given_a_figure(built):
    html = built[0]["en"][0]
    section = _section(html, "what-works")
    rows = [r for r in Page(html).rows["what-works"] if r.get("enough") == "false"]
    assert rows, "the demo history has groups with too few answers"
    assert section.count(
        '<td colspan="4" class="verdict">Too few answers to tell (fewer than 5).'
    ) + (section.count('<td colspan="4" class="verdict">No answer yet.')) == len(rows)
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in section and 'role="img"' in section
    assert "too few to tell" in section  # in the figure too


def test_arabic_what_works_is_in_arabic_and_mirrored(built):
    section = _section(built[0]["ar"][0], "what-works")
    t = gettext_for("ar").gettext
    for words in ("What works", "Differences between formats", "Mentoring pairs"):
        assert t(words) != words and f">{escape(t(words))}</h" in section
    assert t("Too few answers to tell (fewer than {n}).").format(n="5") in section
    assert "Too few" not in section and "Mentoring" not in section
    assert "\u2067" in section  # right-to-left words isolated in the figure
