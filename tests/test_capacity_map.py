"""The capacity map: counts against a plain count on the document, hand-checked
answers, the brokers against networkx, and `peermatch map` end to end."""

import json

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from typer.testing import CliRunner

from fixtures import load_demo_network
from fixtures.generator import generate_network
from matcher import default_taxonomy, help_graph, network_arrays
from matcher.brokers import adjacency_matrix
from matcher.capacity_map import (
    BROKER_SOURCES,
    EXPERT_LEVEL,
    GROUPINGS,
    NEED_LEVEL,
    NORTH_SOUTH,
    TOP_BROKERS,
    broker_scores,
    capacity_map,
)
from matcher.geo import REGIONS, country
from matcher.network import KINDS
from matcher.taxonomy import LABEL_LANGUAGES
from service.cli import app
from service.contract import validate_network
from service.documents.capacity_map import group_label
from service.translations import gettext_for
from tests.networks import hand_network, member, network_docs, reordered

runner = CliRunner()
TAX = default_taxonomy()


def arrays_of(doc):
    return network_arrays(validate_network(doc), TAX)


# --- a plain count on the document, one member at a time -------------------------------


def profile(m):
    """Region, side and levels of one member document, as the contract derives them."""
    place = country(m["country"]) if m["country"] else None
    return {
        "id": m["id"],
        "region": place.region if place else "international",
        "south": m["global_south"] if "global_south" in m else place.global_south,
        "kind": m["kind"],
        "langs": set(m["languages"]),
        "exp": m["expertise"],
        "need": m["needs"],
        "mentor": m["mentor_capacity"],
        "mentee": m["mentee_capacity"],
    }


def group_of(p, by):
    if by == "region":
        return p["region"]
    if by == "north_south":
        return "global_south" if p["south"] else "global_north"
    return p["kind"]


def is_expert(p, theme):
    return p["exp"].get(theme, 0) >= EXPERT_LEVEL and p["mentor"] > 0


def in_need(p, theme):
    return p["need"].get(theme, 0) >= NEED_LEVEL


def direct_counts(doc, theme, by):
    supply, demand = {}, {}
    for p in map(profile, doc["members"]):
        g = group_of(p, by)
        s, d = supply.setdefault(g, [0, 0]), demand.setdefault(g, [0, 0])
        if p["exp"].get(theme, 0) >= EXPERT_LEVEL:
            s[0] += 1
            s[1] += p["mentor"]
        if in_need(p, theme):
            d[0] += 1
            d[1] += p["mentee"]
    return supply, demand


def direct_unserved(doc, theme):
    """Members in need minus a maximum flow on the member-level graph."""
    people = [profile(m) for m in doc["members"]]
    graph = nx.DiGraph()
    wanting = [p for p in people if in_need(p, theme)]
    for p in wanting:
        graph.add_edge("source", ("need", p["id"]), capacity=1)
        for q in people:
            if q["id"] != p["id"] and is_expert(q, theme) and p["langs"] & q["langs"]:
                graph.add_edge(("need", p["id"]), ("expert", q["id"]), capacity=1)
                graph.add_edge(("expert", q["id"]), "sink", capacity=q["mentor"])
    if "sink" not in graph:
        return len(wanting)
    return len(wanting) - nx.maximum_flow_value(graph, "source", "sink")


def has_expert(p, people, theme, *, besides=None):
    return any(
        q["id"] not in (p["id"], besides) and is_expert(q, theme) and p["langs"] & q["langs"]
        for q in people
    )


def direct_gaps(doc):
    """(theme, language) -> (code, members, demand, experts, capacity), rows with members > 0."""
    people = [profile(m) for m in doc["members"]]
    rows = {}
    for theme in TAX.keys:
        for lang in sorted({lang for p in people for lang in p["langs"]}):
            speakers = [p for p in people if lang in p["langs"]]
            wanting = [p for p in speakers if in_need(p, theme)]
            experts = [p for p in speakers if is_expert(p, theme)]
            capacity = sum(p["mentor"] for p in experts)
            if capacity == 0:
                code = "no_expert"
                size = sum(1 for p in wanting if not has_expert(p, people, theme))
            else:
                code, size = "not_enough_capacity", max(0, len(wanting) - capacity)
            if size:
                rows[theme, lang] = (code, size, len(wanting), len(experts), capacity)
    return rows


def direct_single_points(doc):
    people = [profile(m) for m in doc["members"]]
    found = {}
    for theme in TAX.keys:
        for lang in sorted({lang for p in people for lang in p["langs"]}):
            experts = [p for p in people if lang in p["langs"] and is_expert(p, theme)]
            if len(experts) != 1:
                continue
            (x,) = experts
            dependents = [
                p for p in people if lang in p["langs"] and in_need(p, theme) and p["id"] != x["id"]
            ]
            if dependents:
                stranded = [
                    p for p in dependents if not has_expert(p, people, theme, besides=x["id"])
                ]
                found[theme, lang] = (x["id"], len(dependents), len(stranded))
    return found


def direct_south_south(doc):
    people = [profile(m) for m in doc["members"]]
    excluded = {frozenset(pair) for pair in doc.get("exclusions", [])}
    needs = met = 0
    for p in people:
        for theme in TAX.keys:
            if not (p["south"] and in_need(p, theme)):
                continue
            needs += 1
            met += any(
                q["south"]
                and q["id"] != p["id"]
                and is_expert(q, theme)
                and p["langs"] & q["langs"]
                and frozenset((p["id"], q["id"])) not in excluded
                for q in people
            )
    return needs, met


@settings(max_examples=60, deadline=None)
@given(doc=network_docs())
def test_counts_equal_a_plain_count_on_the_document(doc):
    arrays = arrays_of(doc)
    graph = help_graph(arrays)
    maps = {by: capacity_map(arrays, by=by, graph=graph) for by in GROUPINGS}
    for by, cmap in maps.items():
        assert cmap.by == by and cmap.members == len(doc["members"])
        for row in cmap.themes:
            supply, demand = direct_counts(doc, row.theme, by)
            for g in row.by_group:
                assert [g.supply_members, g.supply_capacity] == supply.get(g.group, [0, 0])
                assert [g.demand_members, g.demand_capacity] == demand.get(g.group, [0, 0])
            assert row.supply_members == sum(s[0] for s in supply.values())
            assert row.supply_capacity == sum(s[1] for s in supply.values())
            assert row.demand_members == sum(d[0] for d in demand.values())
            assert row.demand_capacity == sum(d[1] for d in demand.values())
            expected = row.supply_capacity / row.demand_members if row.demand_members else None
            assert row.coverage == expected
            sides_s, sides_d = direct_counts(doc, row.theme, "north_south")
            for g in row.north_south:
                assert [g.supply_members, g.supply_capacity] == sides_s.get(g.group, [0, 0])
                assert [g.demand_members, g.demand_capacity] == sides_d.get(g.group, [0, 0])
            assert row.no_expert <= row.unserved <= row.demand_members
        assert [g.group for g in cmap.themes[0].by_group] == list(cmap.groups)

    cmap = maps["region"]
    people = [profile(m) for m in doc["members"]]
    for row in cmap.themes:
        assert row.unserved == direct_unserved(doc, row.theme)
        no_expert = [
            p for p in people if in_need(p, row.theme) and not has_expert(p, people, row.theme)
        ]
        assert row.no_expert == len(no_expert)
    gaps = {
        (g.theme, g.language): (g.code, g.members, g.demand, g.experts, g.capacity)
        for g in cmap.unmet
    }
    assert gaps == direct_gaps(doc)
    keys = [(-g.members, -g.demand, g.theme, g.language) for g in cmap.unmet]
    assert keys == sorted(keys)
    spof = {
        (s.theme, s.language): (s.expert, s.dependents, s.stranded)
        for s in cmap.single_points_of_failure
    }
    assert spof == direct_single_points(doc)
    needs, met = direct_south_south(doc)
    assert (cmap.south_south.needs, cmap.south_south.met) == (needs, met)
    assert sum(t.needs for t in cmap.south_south.by_theme) == needs
    ranked = sorted(cmap.themes, key=lambda r: (-r.unserved, -r.demand_members, r.theme))
    assert cmap.themes_by_unmet_demand() == [r.theme for r in ranked]

    exact = nx.betweenness_centrality(graph)
    for b in cmap.brokers:
        assert b.score == pytest.approx(exact[b.member], abs=1e-12)
        assert (b.can_help, b.helped_by) == (graph.out_degree(b.member), graph.in_degree(b.member))
    positive = sorted((-round(s, 12), m) for m, s in exact.items() if round(s, 12) > 0)
    assert [b.member for b in cmap.brokers] == [m for _, m in positive[:TOP_BROKERS]]


@settings(max_examples=25, deadline=None)
@given(doc=network_docs(min_members=3))
def test_same_map_whatever_the_order_of_members(doc):
    order = list(reversed(range(len(doc["members"]))))
    assert capacity_map(arrays_of(doc)) == capacity_map(arrays_of(reordered(doc, order)))


# --- hand-checked answers ----------------------------------------------------------------


def test_hand_network_known_answers():
    cmap = capacity_map(arrays_of(hand_network()))
    digital = cmap.theme("digital_advocacy")
    # fr-ingo is the only expert (ph is at 2); sn (3) and ml (2) need it, ke and bf only at 1.
    assert (digital.supply_members, digital.supply_capacity) == (1, 1)
    assert (digital.demand_members, digital.demand_capacity) == (2, 2)
    assert digital.coverage == 0.5
    assert (digital.no_expert, digital.unserved) == (0, 1)  # one of sn / ml gets fr-ingo
    regions = {g.group: g for g in digital.by_group}
    assert regions["africa"].demand_members == 2 and regions["africa"].supply_members == 0
    assert regions["europe_north_america"].supply_members == 1
    south, north = digital.north_south
    assert (south.demand_members, south.supply_members) == (2, 0)
    assert (north.demand_members, north.supply_members) == (0, 1)

    fundraising = cmap.theme("fundraising")  # fr-ingo speaks fr/en; br pt/es and ye ar
    assert (fundraising.demand_members, fundraising.no_expert, fundraising.unserved) == (2, 2, 2)
    budget = cmap.theme("budget_tracking")  # ph (capacity 2) serves ke in English
    assert (budget.supply_capacity, budget.demand_members, budget.unserved) == (2, 1, 0)
    assert budget.coverage == 2.0
    assert cmap.theme("legal_action").unserved == 1  # ph speaks English, br pt/es
    assert cmap.theme("tax_justice").unserved == 1  # nobody knows tax justice
    assert cmap.theme("policy_research").coverage is None  # supply, no demand
    campaigning = cmap.theme("campaigning_mobilisation")  # sn 4, ke 3
    assert (campaigning.supply_members, campaigning.supply_capacity) == (2, 2)

    assert [(g.theme, g.language, g.code, g.members) for g in cmap.unmet] == [
        ("digital_advocacy", "fr", "not_enough_capacity", 1),
        ("fundraising", "ar", "no_expert", 1),
        ("fundraising", "es", "no_expert", 1),
        ("fundraising", "pt", "no_expert", 1),
        ("legal_action", "en", "no_expert", 1),
        ("tax_justice", "es", "no_expert", 1),
    ]  # ke's Swahili has no budget-tracking expert, but ph serves it in English
    assert cmap.themes_by_unmet_demand()[:5] == [
        "fundraising",
        "digital_advocacy",
        "legal_action",
        "tax_justice",
        "budget_tracking",
    ]
    assert len(cmap.themes_by_unmet_demand()) == len(TAX)
    # Southern needs: sn, ml (digital), ke (budget), ph (legal), br, ye (fundraising),
    # bo (tax); only ke has a Southern expert sharing a language (ph).
    assert (cmap.south_south.needs, cmap.south_south.met) == (7, 1)
    assert cmap.south_south.share == pytest.approx(1 / 7)


def test_single_points_of_failure():
    cmap = capacity_map(arrays_of(hand_network()))
    assert [
        (s.theme, s.language, s.expert, s.dependents, s.stranded)
        for s in cmap.single_points_of_failure
    ] == [
        ("digital_advocacy", "fr", "fr-ingo", 2, 2),  # sn and ml speak only French
        ("budget_tracking", "en", "ph", 1, 1),  # ke's Swahili has no expert
    ]
    # A second French-speaking expert removes the first; one taking no mentees does not.
    doc = hand_network()
    doc["members"].append(member("ci", "CI", ["fr"], expertise={"digital_advocacy": 3}, mentor=0))
    still = capacity_map(arrays_of(doc)).single_points_of_failure
    assert ("digital_advocacy", "fr") in {(s.theme, s.language) for s in still}
    doc["members"][-1]["mentor_capacity"] = 1
    fixed = capacity_map(arrays_of(doc))
    assert [s.theme for s in fixed.single_points_of_failure] == ["budget_tracking"]
    assert fixed.theme("digital_advocacy").unserved == 0


def test_south_south_potential_on_a_tiny_network():
    bt, media = "budget_tracking", "media_engagement"
    doc = {
        "schema_version": 1,
        "members": [
            member("a", "SN", ["fr"], needs={bt: 3}),  # met by b
            member("b", "ML", ["fr"], expertise={bt: 4}),
            member("c", "KE", ["en"], needs={bt: 2}),  # d takes no mentees, e is Northern
            member("d", "GH", ["en"], expertise={bt: 4}, mentor=0),
            member("e", "FR", ["en"], expertise={bt: 4}),
            member("f", "BR", ["pt"], needs={bt: 2}),  # its only Southern expert is excluded
            member("g", "AO", ["pt"], expertise={bt: 3}),
            member("h", "EG", ["ar"], needs={media: 2}),  # nobody knows media work
            member("i", "PE", ["es"], needs={bt: 2}, expertise={bt: 3}),  # only itself
            member("j", "NG", ["fr"], needs={bt: 1}),  # need 1 is not counted
        ],
        "exclusions": [["f", "g"]],
    }
    south = capacity_map(arrays_of(doc)).south_south
    assert (south.needs, south.met, south.share) == (5, 1, 0.2)
    assert [(t.theme, t.needs, t.met) for t in south.by_theme] == [(bt, 4, 1), (media, 1, 0)]


def test_bad_grouping_and_foreign_graph():
    arrays = arrays_of(hand_network())
    with pytest.raises(ValueError, match="by must be one of"):
        capacity_map(arrays, by="continent")
    with pytest.raises(ValueError, match="not the help graph"):
        capacity_map(arrays, graph=nx.DiGraph([("x", "y")]))


def test_empty_network():
    cmap = capacity_map(arrays_of({"schema_version": 1, "members": []}))
    assert cmap.members == 0 and cmap.brokers == () and cmap.unmet == ()
    assert cmap.south_south.share is None


# --- brokers ----------------------------------------------------------------------------


def test_brokers_are_exact_betweenness_on_the_demo():
    arrays = network_arrays(validate_network(load_demo_network()), TAX)
    graph = help_graph(arrays)
    cmap = capacity_map(arrays, graph=graph)
    assert cmap.broker_sources is None and len(cmap.brokers) == TOP_BROKERS
    assert cmap.help_graph_edges == graph.number_of_edges()
    exact = nx.betweenness_centrality(graph)
    scores, _ = broker_scores(adjacency_matrix(graph, arrays.ids))
    np.testing.assert_allclose(scores, [exact[m] for m in arrays.ids], atol=1e-12)
    ranked = sorted(exact, key=lambda m: (-round(exact[m], 12), m))
    assert [b.member for b in cmap.brokers] == ranked[:TOP_BROKERS]


def test_sampled_brokers_are_seeded_and_close():
    arrays = network_arrays(validate_network(generate_network(600, seed=3)), TAX)
    adjacency = adjacency_matrix(help_graph(arrays), arrays.ids)
    exact, sources = broker_scores(adjacency)
    assert sources is None
    first, sources = broker_scores(adjacency, exact_up_to=100)
    again, _ = broker_scores(adjacency, exact_up_to=100)
    assert sources == BROKER_SOURCES and np.array_equal(first, again)
    # An estimate: close in total, and the top brokers are mostly the same members.
    assert first.sum() == pytest.approx(exact.sum(), rel=0.2)
    top = set(np.argsort(-exact)[:20])
    assert len(top & set(np.argsort(-first)[:20])) >= 10


# --- the command line -------------------------------------------------------------------


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_map_demo_by_region_and_north_south():
    result = invoke("map", "--demo")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for text in (
        "Capacity map — Supply and demand by theme",
        "Latin America and the Caribbean",
        "International (no country)",
        "Unmet needs",
        "Single points of failure",
        "Brokers",
        "South–South potential",
    ):
        assert text in out
    sides = invoke("map", "--demo", "--by", "north_south")
    assert sides.exit_code == 0 and "Global South" in sides.stdout
    assert "Latin America and the Caribbean" not in sides.stdout
    kinds = invoke("map", "--demo", "--by", "kind")
    assert kinds.exit_code == 0 and "National coalitions" in kinds.stdout


def test_map_in_french():
    result = invoke("map", "--demo", "--lang", "fr")
    assert result.exit_code == 0
    for text in ("Offre et demande par thème", "Afrique", "Collecte de fonds", "Potentiel Sud–Sud"):
        assert text in result.stdout
    assert "Supply and demand" not in result.stdout


def test_map_json_document(tmp_path):
    result = invoke("map", "--demo", "--format", "json", "--by", "kind", "--lang", "es")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert list(doc)[:8] == [
        "schema_version",
        "by",
        "themes",
        "unmet",
        "single_points_of_failure",
        "brokers",
        "south_south_potential",
        "summary",
    ]
    assert doc["schema_version"] == 1 and doc["by"] == "kind"
    assert [t["theme"] for t in doc["themes"]] == list(TAX.keys)
    assert list(doc["themes"][0]["by_group"]) == list(KINDS)
    assert list(doc["themes"][0]["north_south"]) == ["global_south", "global_north"]
    assert doc["summary"]["members"] == 126 and len(doc["summary"]["input_sha256"]) == 64
    assert doc["labels"]["lang"] == "es"
    assert doc["labels"]["themes"]["budget_tracking"] == "Seguimiento del presupuesto educativo"
    assert doc["labels"]["groups"]["international_ngo"] == "ONG internacionales"
    assert len(doc["brokers"]) == TOP_BROKERS
    out = tmp_path / "map.json"
    written = invoke(
        "map", "--demo", "--format", "json", "--by", "kind", "--lang", "es", "--out", out
    )
    assert written.exit_code == 0 and written.stdout == ""
    assert out.read_text(encoding="utf-8") == result.stdout


def test_map_is_byte_identical_for_reordered_input(tmp_path):
    demo = load_demo_network()
    shuffled = reordered(demo, list(reversed(range(len(demo["members"])))))
    paths = []
    for name, doc in (("a.json", demo), ("b.json", shuffled)):
        paths.append(tmp_path / name)
        paths[-1].write_text(json.dumps(doc), encoding="utf-8")
    for fmt in ("json", "table"):
        a = invoke("map", paths[0], "--format", fmt)
        b = invoke("map", paths[1], "--format", fmt)
        assert a.exit_code == b.exit_code == 0
        assert a.stdout == b.stdout


def test_map_bad_input_exits_2_without_traceback(tmp_path):
    bad_by = invoke("map", "--demo", "--by", "continent")
    assert bad_by.exit_code == 2 and "continent" in bad_by.output
    missing = invoke("map", tmp_path / "nope.json")
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    broken = tmp_path / "broken.json"
    doc = hand_network()
    doc["members"][0]["needs"]["budget_traking"] = 2
    broken.write_text(json.dumps(doc), encoding="utf-8")
    invalid = invoke("map", broken)
    assert invalid.exit_code == 2 and "did you mean 'budget_tracking'" in invalid.stderr
    assert invoke("map", "--demo", "--lang", "de").exit_code == 2
    for result in (bad_by, missing, invalid):
        assert "Traceback" not in result.output and result.stdout == ""


@pytest.mark.parametrize("lang", LABEL_LANGUAGES)
def test_map_speaks_every_label_language(lang):
    # Placeholders and completeness are the catalogue check's (tests/test_translations.py).
    labels = [group_label(g, lang) for g in (*REGIONS, "international", *NORTH_SOUTH, *KINDS)]
    assert all(labels) and (lang == "en") == (labels[-1] == "International NGOs")
    result = invoke("map", "--demo", "--lang", lang, "--by", "kind")
    heading = gettext_for(lang).gettext("Supply and demand by theme")
    assert result.exit_code == 0 and heading in result.stdout
    assert group_label("national_coalition", lang) in result.stdout
