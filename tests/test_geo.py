import json
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import pycountry
import pytest

from matcher import geo
from matcher.geo import (
    COUNTRIES,
    LANGUAGE_NAMES,
    REGION_LABELS,
    REGIONS,
    Country,
    country,
    is_language,
    region_and_side,
    suggest_country,
    suggest_language,
)
from matcher.network import INTERNATIONAL

ARABIC = re.compile(r"[\u0600-\u06FF]")
# matcher.geo's answers when its tables were typed by hand (tests/data/geo_before.json).
BEFORE = json.loads(Path(__file__).with_name("data").joinpath("geo_before.json").read_text("utf-8"))
# Changed on purpose when the names came from pycountry: its ISO 639 names of `to`
# ("Tonga (Tonga Islands)") and `el` ("Modern Greek (1453-)") are now known names too.
# Before, "Tonga" suggested Tsonga (`ts`) and "Modern Greek" nothing.
CHANGED_LANGUAGE_SUGGESTIONS = {"Tonga": "to", "Modern Greek": "el"}
DATA = json.loads(Path(geo.__file__).with_name("data").joinpath("geo.json").read_text("utf-8"))


def test_regions_and_labels():
    assert REGIONS == (
        "africa",
        "arab_states",
        "asia_pacific",
        "europe_north_america",
        "latin_america_caribbean",
    )
    assert set(REGION_LABELS) == set(REGIONS)
    for region, labels in REGION_LABELS.items():
        assert set(labels) == {"en", "fr", "es", "pt", "ar"}, region
        assert all(labels.values()), region
        assert ARABIC.search(labels["ar"]), region
    assert REGION_LABELS["arab_states"]["fr"] == "États arabes"


def test_all_249_iso_codes():
    assert len(COUNTRIES) == 249
    for code, c in COUNTRIES.items():
        assert isinstance(c, Country)
        assert re.fullmatch(r"[A-Z]{2}", code) and c.code == code
        assert c.name and c.name.strip() == c.name
        assert c.region in REGIONS
        assert isinstance(c.global_south, bool)
    assert len({c.name for c in COUNTRIES.values()}) == 249
    # a few codes that are easy to forget
    for code in ("SS", "SX", "CW", "BQ", "MF", "AQ", "UM", "PS", "EH", "TW"):
        assert code in COUNTRIES
    assert "XK" not in COUNTRIES  # Kosovo: user-assigned, not officially assigned
    assert "UK" not in COUNTRIES and "EU" not in COUNTRIES


def test_every_region_used():
    counts = Counter(c.region for c in COUNTRIES.values())
    assert set(counts) == set(REGIONS)
    assert counts["arab_states"] == 21  # UNESCO's 20 Arab States + Western Sahara
    assert counts["africa"] >= 46


@pytest.mark.parametrize(
    ("code", "region", "south"),
    [
        ("KE", "africa", True),
        ("FR", "europe_north_america", False),
        ("JP", "asia_pacific", False),
        ("BR", "latin_america_caribbean", True),
        ("EG", "arab_states", True),
        ("MA", "arab_states", True),
        ("SD", "arab_states", True),
        ("SS", "africa", True),
        ("SO", "africa", True),
        ("IL", "europe_north_america", False),
        ("TR", "europe_north_america", False),
        ("CY", "europe_north_america", False),
        ("RU", "europe_north_america", False),
        ("GE", "europe_north_america", False),
        ("AM", "europe_north_america", False),
        ("AZ", "europe_north_america", False),
        ("US", "europe_north_america", False),
        ("CA", "europe_north_america", False),
        ("KZ", "asia_pacific", True),
        ("UZ", "asia_pacific", True),
        ("IR", "asia_pacific", True),
        ("FJ", "asia_pacific", True),
        ("AU", "asia_pacific", False),
        ("NZ", "asia_pacific", False),
        ("KR", "asia_pacific", False),
        ("SG", "asia_pacific", False),
        ("IN", "asia_pacific", True),
        ("HT", "latin_america_caribbean", True),
        ("PR", "latin_america_caribbean", True),
        ("RE", "africa", True),
        ("GL", "europe_north_america", False),
        ("NC", "asia_pacific", True),
    ],
)
def test_region_and_global_south(code, region, south):
    c = COUNTRIES[code]
    assert (c.region, c.global_south) == (region, south)


def test_global_south_rule_holds_everywhere():
    north_in_asia_pacific = {"AU", "NZ", "JP", "KR", "SG", "CX", "CC", "NF", "HM"}
    for c in COUNTRIES.values():
        if c.region == "europe_north_america":
            assert not c.global_south, c
        elif c.region == "asia_pacific":
            assert c.global_south == (c.code not in north_in_asia_pacific), c
        else:
            assert c.global_south, c


def test_country_lookup_is_case_insensitive():
    assert country("KE") == country("ke") == country(" Ke ") == COUNTRIES["KE"]
    assert country("KE").name == "Kenya"
    assert country("XX") is None
    assert country("KEN") is None
    assert country("") is None
    assert country(None) is None  # type: ignore[arg-type]


def test_language_table():
    assert len(LANGUAGE_NAMES) >= 180
    for code in ("en", "fr", "es", "pt", "ar", "sw"):
        assert code in LANGUAGE_NAMES
    assert LANGUAGE_NAMES["en"] == "English"
    assert LANGUAGE_NAMES["sw"] == "Swahili"
    assert LANGUAGE_NAMES["es"] == "Spanish"
    for code, name in LANGUAGE_NAMES.items():
        assert re.fullmatch(r"[a-z]{2}", code)
        assert name and ";" not in name, code
    assert len(set(LANGUAGE_NAMES.values())) == len(LANGUAGE_NAMES)


def test_is_language():
    assert is_language("en") and is_language("EN") and is_language("Ar")
    assert is_language("sw")
    assert not is_language("eng")
    assert not is_language("english")
    assert not is_language("xx")
    assert not is_language("")
    assert not is_language(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("KE", "KE"),
        ("ke", "KE"),
        ("Kenya", "KE"),
        ("kenya ", "KE"),
        ("KEN", "KE"),
        ("Kenia", "KE"),
        ("Tanzania, United Republic of", "TZ"),
        ("Cote d'Ivoire", "CI"),
        ("Ivory Coast", "CI"),
        ("UK", "GB"),
        ("USA", "US"),
        ("DRC", "CD"),
        ("Turkey", "TR"),
        ("St Lucia", "LC"),
        ("Saint Kitts", "KN"),
        ("Phillipines", "PH"),
        ("Brasil", "BR"),
        ("Sénégal", "SN"),
        ("Niger", "NE"),
        ("Nigeria", "NG"),
    ],
)
def test_suggest_country(query, expected):
    assert suggest_country(query) == expected


@pytest.mark.parametrize("query", ["", "  ", "Atlantis", "XX", "Korea", None])
def test_suggest_country_misses(query):
    assert suggest_country(query) is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("en", "en"),
        ("EN", "en"),
        ("english", "en"),
        ("English", "en"),
        ("eng", "en"),
        ("fre", "fr"),
        ("fra", "fr"),
        ("français", "fr"),
        ("Castellano", "es"),
        ("Portugese", "pt"),
        ("pt-BR", "pt"),
        ("fr_CA", "fr"),
        ("ara", "ar"),
        ("العربية", "ar"),
        ("Kiswahili", "sw"),
        ("swa", "sw"),
        ("Farsi", "fa"),
    ],
)
def test_suggest_language(query, expected):
    assert suggest_language(query) == expected


@pytest.mark.parametrize("query", ["", "xx", "xyz", "Klingonese", None])
def test_suggest_language_misses(query):
    assert suggest_language(query) is None


def test_tables_are_read_only():
    with pytest.raises(TypeError):
        COUNTRIES["ZZ"] = COUNTRIES["KE"]  # type: ignore[index]
    with pytest.raises(TypeError):
        LANGUAGE_NAMES["zz"] = "Zzz"  # type: ignore[index]
    with pytest.raises(AttributeError):
        COUNTRIES["KE"].region = "asia_pacific"  # type: ignore[misc]


# --- the same answers as the hand-typed tables -------------------------------------------


def test_tables_are_the_ones_typed_by_hand_before():
    assert {k: [c.name, c.region, c.global_south] for k, c in COUNTRIES.items()} == BEFORE[
        "countries"
    ]
    assert list(COUNTRIES) == list(BEFORE["countries"])  # sorted by code, as before
    assert list(LANGUAGE_NAMES.items()) == list(BEFORE["languages"].items())
    assert list(REGIONS) == BEFORE["regions"]
    assert {r: dict(labels) for r, labels in REGION_LABELS.items()} == BEFORE["region_labels"]


def test_suggestions_are_the_ones_given_before():
    countries = {q: suggest_country(q) for q in BEFORE["suggest_country"]}
    assert countries == BEFORE["suggest_country"]
    languages = {q: suggest_language(q) for q in BEFORE["suggest_language"]}
    assert languages == {**BEFORE["suggest_language"], **CHANGED_LANGUAGE_SUGGESTIONS}


# --- region and side -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("KE",), ("africa", True)),
        ((" jp ",), ("asia_pacific", False)),
        (("KE", "europe_north_america"), ("europe_north_america", True)),
        (("KE", None, False), ("africa", False)),
        (("FR", None, True), ("europe_north_america", True)),
        ((None,), (INTERNATIONAL, False)),
        (("",), (INTERNATIONAL, False)),
        (("XX",), (INTERNATIONAL, False)),  # unknown code: as if none
        ((None, "arab_states"), ("arab_states", False)),
        ((None, "arab_states", True), ("arab_states", True)),
        (("KE", ""), ("africa", True)),  # an empty region is no region
    ],
)
def test_region_and_side(args, expected):
    assert region_and_side(*args) == expected


def test_region_and_side_is_the_country_table():
    for code, c in COUNTRIES.items():
        assert region_and_side(code) == (c.region, c.global_south)
        assert region_and_side(code.lower(), global_south=not c.global_south) == (
            c.region,
            not c.global_south,
        )


# --- the data file and pycountry -------------------------------------------------------


def test_every_iso_code_has_one_region():
    placed = [code for spec in DATA["regions"].values() for code in spec["countries"]]
    assert len(placed) == len(set(placed)) == 249
    assert set(placed) == {c.alpha_2 for c in pycountry.countries}
    for spec in DATA["regions"].values():
        assert spec["countries"] == sorted(spec["countries"])


def test_data_file_has_no_dead_entries():
    """Every entry in matcher/data/geo.json changes something pycountry would give."""
    region_of = {code: r for r, spec in DATA["regions"].items() for code in spec["countries"]}
    for code, south in DATA["global_south_exceptions"].items():
        assert south != DATA["regions"][region_of[code]]["global_south"], code
    iso = {c.alpha_2: c for c in pycountry.countries}
    for code, name in DATA["country_names"].items():
        assert name != (getattr(iso[code], "common_name", None) or iso[code].name), code
    known = {geo._norm(c.name): c.code for c in COUNTRIES.values()}
    for c in iso.values():
        known.update(
            {geo._norm(n): c.alpha_2 for n in (c.name, getattr(c, "common_name", None)) if n}
        )
    for alias, code in DATA["country_aliases"].items():
        assert code in COUNTRIES and known.get(geo._norm(alias)) != code, alias
    languages = {lang.alpha_2: lang for lang in pycountry.languages if hasattr(lang, "alpha_2")}
    for code, name in DATA["language_names"].items():
        assert code in DATA["language_codes_added"] or name != geo._plain(languages[code].name)
    assert not set(DATA["language_codes_added"]) & set(languages)
    assert set(DATA["language_codes_removed"]) <= set(languages)
    for alias, code in DATA["language_aliases"].items():
        assert code in LANGUAGE_NAMES and geo._norm(alias) not in {
            geo._norm(LANGUAGE_NAMES[code]),
            geo._norm(geo._plain(languages[code].name)) if code in languages else None,
        }, alias


def test_accepted_languages_are_pycountrys_iso_639_1_with_two_exceptions():
    iso = {lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2")}
    assert set(LANGUAGE_NAMES) == (iso - {"sh"}) | {"bh"}
    assert len(LANGUAGE_NAMES) == 184
    assert is_language("bh") and suggest_language("bih") == "bh"
    assert not is_language("sh") and suggest_language("hbs") is None


def test_display_names_are_tidy():
    for name in (*LANGUAGE_NAMES.values(), *(c.name for c in COUNTRIES.values())):
        assert name == unicodedata.normalize("NFC", name) and "(macrolanguage)" not in name


def test_import_matcher_leaves_pycountry_unloaded():
    """The ISO tables load on first use, so `import matcher` stays as fast as before."""
    code = "import sys, matcher; print('pycountry' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
