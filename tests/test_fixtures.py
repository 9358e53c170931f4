"""The synthetic network generator and the bundled demo network."""

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from fixtures import demo_network_path, load_demo_network
from fixtures.generator import COUNTRIES, REGIONS, THEMES, generate_network

# Taxonomy 2026.1, as listed in the network format brief.
THEME_KEYS = """
early_childhood primary_secondary tvet_higher_education skills_for_work equity_inclusion
youth_adult_literacy global_citizenship school_environments scholarships teachers
education_financing tax_justice debt_austerity privatisation_commercialisation
gender_equality disability_inclusion education_in_emergencies refugee_migrant_education
climate_education digital_education right_to_education_law youth_participation
mother_tongue_education policy_research budget_tracking digital_advocacy media_engagement
campaigning_mobilisation coalition_governance fundraising sdg4_monitoring legal_action
human_rights_mechanisms parliamentary_engagement local_education_groups donor_engagement
mel knowledge_sharing
""".split()
KINDS = {"national_coalition", "regional_network", "international_ngo"}
WORKING = {"en", "fr", "es", "pt", "ar"}
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def big() -> dict:
    return generate_network(5000, seed=11)


@pytest.fixture(scope="module")
def demo() -> dict:
    return load_demo_network()


def check_document(doc: dict) -> None:
    """Everything the input contract asks of a network document."""
    assert doc["schema_version"] == 1 and doc["taxonomy_version"] == "2026.1"
    members = doc["members"]
    ids = [m["id"] for m in members]
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
    by_id = {m["id"]: m for m in members}
    for m in members:
        assert SLUG.match(m["id"]) and len(m["id"]) <= 64, m["id"]
        assert m["name"].strip()
        assert m["kind"] in KINDS
        country = m["country"]
        if country is None:
            assert isinstance(m["global_south"], bool)
        else:
            assert re.fullmatch(r"[A-Z]{2}", country) and country in COUNTRIES
        if m["kind"] == "regional_network":
            assert country is None and m["region"] in REGIONS
        else:
            assert "region" not in m
        if m["kind"] == "national_coalition":
            assert country is not None
        langs = m["languages"]
        assert langs and len(set(langs)) == len(langs)
        assert all(re.fullmatch(r"[a-z]{2}", code) for code in langs)
        assert langs[0] in WORKING
        assert all(k in THEME_KEYS for k in m["expertise"])
        assert all(k in THEME_KEYS for k in m["needs"])
        assert all(isinstance(v, int) and 1 <= v <= 4 for v in m["expertise"].values())
        assert all(isinstance(v, int) and 1 <= v <= 3 for v in m["needs"].values())
        assert 3 <= len(m["expertise"]) <= 6 and len(m["needs"]) <= 5
        assert not [t for t in m["needs"] if m["expertise"].get(t, 0) >= 3]
        assert 0 <= m["mentor_capacity"] <= 3 and 1 <= m["mentee_capacity"] <= 2
        assert 20 < len(m["description"]) < 600
    for a, b in doc["exclusions"]:
        assert a in by_id and b in by_id and a != b
    for h in doc["history"]:
        assert h["mentor"] in by_id and h["mentee"] in by_id and h["mentor"] != h["mentee"]
        assert h["round"] in ("2025-A", "2025-B")
    excluded = {frozenset(pair) for pair in doc["exclusions"]}
    for pair in doc["locked"]:
        mentor, mentee = by_id[pair["mentor"]], by_id[pair["mentee"]]
        assert mentor is not mentee and mentor["mentor_capacity"] >= 1
        assert set(mentor["languages"]) & set(mentee["languages"])
        assert frozenset((mentor["id"], mentee["id"])) not in excluded
        assert any(
            mentor["expertise"].get(t, 0) > max(level, mentee["expertise"].get(t, 0))
            for t, level in mentee["needs"].items()
        )


# --- the generator --------------------------------------------------------------------


def test_theme_keys_are_taxonomy_2026_1():
    assert list(THEMES) == THEME_KEYS


def test_deterministic():
    assert generate_network(300, seed=5) == generate_network(300, seed=5)


def test_different_seeds_differ():
    a, b = generate_network(300, seed=5), generate_network(300, seed=6)
    assert a["members"] != b["members"]
    assert [m["expertise"] for m in a["members"]] != [m["expertise"] for m in b["members"]]


@pytest.mark.parametrize("n", [1, 2, 3, 7, 50, 126, 999])
def test_member_count_exact_and_document_valid(n):
    doc = generate_network(n, seed=n)
    assert len(doc["members"]) == n
    check_document(doc)


@pytest.mark.parametrize("bad", [0, -3])
def test_rejects_non_positive_sizes(bad):
    with pytest.raises(ValueError):
        generate_network(bad, seed=1)


def test_large_network_is_valid(big):
    check_document(big)
    assert len(big["locked"]) == 1
    assert 40 <= len(big["exclusions"]) <= 50
    assert 400 <= len(big["history"]) <= 500


def test_proportions(big):
    members = big["members"]
    n = len(members)
    kinds = Counter(m["kind"] for m in members)
    assert kinds == {"national_coalition": 4000, "international_ngo": 600, "regional_network": 400}

    coalitions = [COUNTRIES[m["country"]] for m in members if m["kind"] == "national_coalition"]
    regions = Counter(c.region for c in coalitions)
    expected = {"africa": 0.35, "asia_pacific": 0.20, "latin_america_caribbean": 0.20,
                "arab_states": 0.10, "europe_north_america": 0.15}  # fmt: skip
    for region, share in expected.items():
        assert regions[region] / len(coalitions) == pytest.approx(share, abs=0.01)
    south = sum(c.global_south for c in coalitions) / len(coalitions)
    assert 0.78 <= south <= 0.86  # a clear majority of Global South coalitions

    ingos = [m for m in members if m["kind"] == "international_ngo"]
    northern = [m for m in ingos if not m.get("global_south", False)]
    assert 0.75 <= len(northern) / len(ingos) <= 0.95
    assert all(m["country"] is None or not COUNTRIES[m["country"]].global_south for m in ingos)
    assert sum("en" in m["languages"] for m in ingos) / len(ingos) > 0.95

    no_mentoring = sum(m["mentor_capacity"] == 0 for m in members) / n
    assert 0.24 <= no_mentoring <= 0.36
    needs = Counter(len(m["needs"]) for m in members)
    assert 0 < needs[0] / n < 0.08
    assert sum(needs[k] for k in range(2, 6)) / n > 0.75

    campaign = sum(bool(set(m["languages"]) & {"en", "fr", "es"}) for m in members) / n
    assert campaign > 0.8
    assert any(m["languages"] == ["ar"] for m in members)
    assert any(m["languages"] == ["es"] for m in members)
    assert any("pt" in m["languages"] for m in members)
    assert any(set(m["languages"]) - WORKING for m in members)  # local languages too


def mean_level(members, field, theme):
    return sum(m[field].get(theme, 0) for m in members) / max(1, len(members))


def test_profiles_follow_the_archetypes(big):
    members = big["members"]

    def coalitions_in(region, south=True):
        return [
            m for m in members if m["kind"] == "national_coalition"
            and COUNTRIES[m["country"]].region == region
            and COUNTRIES[m["country"]].global_south == south
        ]  # fmt: skip

    southern = [
        m for m in members
        if m["kind"] == "national_coalition" and COUNTRIES[m["country"]].global_south
    ]  # fmt: skip
    northern_ingos = [
        m for m in members
        if m["kind"] == "international_ngo" and not m.get("global_south", False)
    ]  # fmt: skip
    regional = [m for m in members if m["kind"] == "regional_network"]
    latin = coalitions_in("latin_america_caribbean")
    asian = coalitions_in("asia_pacific")
    arab = coalitions_in("arab_states")

    for theme in ("policy_research", "fundraising", "donor_engagement", "mel"):
        assert mean_level(northern_ingos, "expertise", theme) > 2 * mean_level(
            southern, "expertise", theme
        )
    for theme in ("campaigning_mobilisation", "local_education_groups"):
        assert mean_level(southern, "expertise", theme) > mean_level(
            northern_ingos, "expertise", theme
        )
    for theme in ("digital_advocacy", "budget_tracking", "fundraising"):
        assert mean_level(southern, "needs", theme) > mean_level(northern_ingos, "needs", theme)
    for theme in ("right_to_education_law", "legal_action", "privatisation_commercialisation"):
        assert mean_level(latin, "expertise", theme) > 2 * mean_level(asian, "expertise", theme)
    for theme in ("budget_tracking", "tax_justice", "youth_adult_literacy"):
        assert mean_level(asian, "expertise", theme) > mean_level(latin, "expertise", theme)
    assert mean_level(arab, "expertise", "refugee_migrant_education") > mean_level(
        latin, "expertise", "refugee_migrant_education"
    )
    for theme in ("coalition_governance", "human_rights_mechanisms", "knowledge_sharing"):
        assert mean_level(regional, "expertise", theme) > 2 * mean_level(
            southern, "expertise", theme
        )


def test_languages_fit_the_country(big):
    for m in big["members"]:
        if m["kind"] == "national_coalition":
            assert m["languages"][0] == COUNTRIES[m["country"]].main_language


def test_descriptions_are_in_the_main_language(big):
    arabic = re.compile(r"[\u0600-\u06FF]")
    markers = {"en": "experience", "fr": "expérience", "es": "experiencia",
               "pt": "experiência", "ar": "بخبرة"}  # fmt: skip
    seen = set()
    for m in big["members"]:
        main = m["languages"][0]
        seen.add(main)
        assert markers[main] in m["description"], m["description"]
        assert bool(arabic.search(m["description"])) == (main == "ar")
    assert seen == WORKING


@pytest.mark.slow
def test_twenty_thousand_members_have_distinct_ids():
    # How long it takes is a benchmark figure (bench/RESULTS.md), not a test.
    doc = generate_network(20_000, seed=1)
    assert len(doc["members"]) == 20_000
    assert len({m["id"] for m in doc["members"]}) == 20_000


# --- the bundled demo -----------------------------------------------------------------


def test_demo_has_126_members_and_matches_the_file(demo):
    assert len(demo["members"]) == 126
    path = demo_network_path()
    assert path.is_file() and path.name == "demo_network.json"
    assert json.loads(path.read_text(encoding="utf-8")) == demo
    check_document(demo)


def test_demo_is_the_generator_output_byte_for_byte(demo):
    text = demo_network_path().read_text(encoding="utf-8")
    assert demo == generate_network(126, seed=2026)
    assert text == json.dumps(demo, indent=2, ensure_ascii=False) + "\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-m", "fixtures.generator", "--members", "126", "--seed", "2026"],
        capture_output=True, check=True, cwd=ROOT, env=env,
    )  # fmt: skip
    assert out.stdout.decode("utf-8") == text


def test_demo_is_believable(demo):
    members = demo["members"]
    coalitions = [m["country"] for m in members if m["kind"] == "national_coalition"]
    assert len(coalitions) == len(set(coalitions))  # each country at most once
    kinds = Counter(m["kind"] for m in members)
    assert kinds == {"national_coalition": 101, "international_ngo": 15, "regional_network": 10}
    regions = Counter(COUNTRIES[c].region for c in coalitions)
    assert 30 <= regions["africa"] <= 38
    assert 18 <= regions["asia_pacific"] <= 24 and 18 <= regions["latin_america_caribbean"] <= 24
    assert 9 <= regions["arab_states"] <= 14 and 12 <= regions["europe_north_america"] <= 18
    assert any(m["languages"] == ["ar"] for m in members)
    assert any(m["languages"] == ["es"] for m in members)
    assert sum("pt" in m["languages"] for m in members) >= 3
    assert len(demo["locked"]) == 1 and demo["exclusions"] and demo["history"]


def test_load_demo_network_returns_a_fresh_copy():
    a = load_demo_network()
    a["members"].clear()
    assert len(load_demo_network()["members"]) == 126


# --- agreement with the rest of peermatch ------------------------------------------------


def test_themes_match_the_taxonomy_module():
    taxonomy = pytest.importorskip("matcher.taxonomy")
    assert THEMES == taxonomy.default_taxonomy().keys


def test_countries_match_the_geo_table():
    geo = pytest.importorskip("matcher.geo")
    for code, info in COUNTRIES.items():
        ref = geo.COUNTRIES[code]
        assert (info.region, info.global_south) == (ref.region, ref.global_south), code
    assert REGIONS == geo.REGIONS
    languages = {code for info in COUNTRIES.values() for code, _ in info.other_languages}
    assert all(geo.is_language(code) for code in languages)


@pytest.mark.parametrize("n, seed", [(126, 2026), (3, 1), (2000, 4)])
def test_documents_pass_the_network_validator(n, seed):
    contract = pytest.importorskip("service.contract")
    network = contract.validate_network(generate_network(n, seed=seed))
    assert len(network.members) == n


def test_the_profile_names_only_what_peermatch_defines():
    from fixtures.tables import PROFILE
    from matcher import geo
    from matcher.network import KINDS as MATCHER_KINDS

    assert set(PROFILE["kinds"]) == set(MATCHER_KINDS)
    assert set(PROFILE["coalitions"]["region_shares"]) == set(geo.REGIONS)
    assert set(PROFILE["regional_networks"]["regions"]) == set(geo.REGIONS)
    working = PROFILE["working_languages"]
    specs = [
        *PROFILE["coalitions"]["countries"].values(),
        *(net for r in PROFILE["regional_networks"]["regions"].values() for net in r["networks"]),
    ]
    for spec in specs:
        assert spec["main"] in working and spec["main"] not in spec["others"], spec
        assert all(geo.is_language(code) for code in spec["others"]), spec
    assert set(PROFILE["ingos"]["languages"]) <= set(working)
    assert set(PROFILE["ingos"]["head_offices"]) <= set(PROFILE["coalitions"]["countries"])
    assert set(PROFILE["coalitions"]["countries"]) <= set(geo.COUNTRIES)
    archetypes = PROFILE["archetypes"]
    for name, spec in archetypes.items():
        for field in ("expertise_weights", "need_weights"):
            assert set(spec[field]) - {"extends"} <= set(THEMES), (name, field)
        assert sum(spec["expertise_count"]) == pytest.approx(1)
        assert sum(spec["need_count"]) == pytest.approx(1)
    for table in ("shared_expertise_weights", "shared_need_weights"):
        assert all(set(w) <= set(THEMES) for w in PROFILE["themes"][table].values())
    assert {
        *PROFILE["coalitions"]["archetype_south_by_region"].values(),
        *PROFILE["capacities"]["big_archetypes"],
    } <= set(archetypes)
    shares = [PROFILE["kinds"], PROFILE["coalitions"]["region_shares"]]
    shares.append({r: s["share"] for r, s in PROFILE["regional_networks"]["regions"].items()})
    assert all(sum(s.values()) == pytest.approx(1) for s in shares)


def test_the_words_cover_every_theme_in_every_working_language():
    from fixtures import wording
    from fixtures.tables import PROFILE

    working = set(PROFILE["working_languages"])
    assert set(wording._TEXT["themes"]) == working == set(wording.COALITION_NAMES)
    for lang, phrases in wording._TEXT["themes"].items():
        assert list(phrases) == list(THEMES), lang
