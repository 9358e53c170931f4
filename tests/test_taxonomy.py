import json
import re
from types import MappingProxyType

import pytest

from matcher.taxonomy import (
    FAMILIES,
    LABEL_LANGUAGES,
    TAXONOMY_VERSION,
    Taxonomy,
    Theme,
    default_taxonomy,
)

SDG4 = (
    "early_childhood",
    "primary_secondary",
    "tvet_higher_education",
    "skills_for_work",
    "equity_inclusion",
    "youth_adult_literacy",
    "global_citizenship",
    "school_environments",
    "scholarships",
    "teachers",
)
POLICY = (
    "education_financing",
    "tax_justice",
    "debt_austerity",
    "privatisation_commercialisation",
    "gender_equality",
    "disability_inclusion",
    "education_in_emergencies",
    "refugee_migrant_education",
    "climate_education",
    "digital_education",
    "right_to_education_law",
    "youth_participation",
    "mother_tongue_education",
)
CAPACITY = (
    "policy_research",
    "budget_tracking",
    "digital_advocacy",
    "media_engagement",
    "campaigning_mobilisation",
    "coalition_governance",
    "fundraising",
    "sdg4_monitoring",
    "legal_action",
    "human_rights_mechanisms",
    "parliamentary_engagement",
    "local_education_groups",
    "donor_engagement",
    "mel",
    "knowledge_sharing",
)
TARGETS = dict(
    zip(SDG4, ("4.2", "4.1", "4.3", "4.4", "4.5", "4.6", "4.7", "4.a", "4.b", "4.c"), strict=True)
)
ARABIC = re.compile(r"[\u0600-\u06FF]")


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return default_taxonomy()


def test_version_and_singleton(tax):
    assert TAXONOMY_VERSION == "2026.1"
    assert tax.version == TAXONOMY_VERSION
    assert default_taxonomy() is tax
    assert LABEL_LANGUAGES == ("en", "fr", "es", "pt", "ar")
    assert FAMILIES == ("sdg4_target", "policy", "advocacy_capacity")


def test_keys_exact_order_unique_snake_case(tax):
    assert tax.keys == SDG4 + POLICY + CAPACITY
    assert len(tax) == len(set(tax.keys)) == 38
    for key in tax.keys:
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", key), key


def test_families(tax):
    for keys, family in (
        (SDG4, "sdg4_target"),
        (POLICY, "policy"),
        (CAPACITY, "advocacy_capacity"),
    ):
        assert [tax[k].family for k in keys] == [family] * len(keys)


def test_every_label_present_and_arabic_in_arabic_script(tax):
    for theme in tax.themes:
        assert set(theme.labels) == set(LABEL_LANGUAGES), theme.key
        for lang in LABEL_LANGUAGES:
            label = theme.label(lang)
            assert label.strip() == label and label, (theme.key, lang)
        assert ARABIC.search(theme.label("ar")), theme.key
        assert not ARABIC.search(theme.label("fr")), theme.key


def test_labels_are_translated_not_copied(tax):
    for theme in tax.themes:
        assert theme.label("ar") != theme.label("en")
    for lang in ("fr", "es", "pt"):
        same = [t.key for t in tax.themes if t.label(lang) == t.label("en")]
        assert not same, (lang, same)


def test_sdg4_labels_carry_target_number(tax):
    for key, target in TARGETS.items():
        for lang in ("en", "fr", "es", "pt"):
            assert tax.label(key, lang).startswith(target + " "), (key, lang)
        number, letter = target.split(".")
        arabic_letter = {"a": "أ", "b": "ب", "c": "ج"}.get(letter, letter)
        assert tax.label(key, "ar").startswith(f"{number}-{arabic_letter} "), key
    assert "4.7" in tax.label("global_citizenship")
    assert "citizenship" in tax.label("global_citizenship").lower()


def test_family_labels(tax):
    for family in FAMILIES:
        labels = [tax.family_label(family, lang) for lang in LABEL_LANGUAGES]
        assert all(labels) and len(set(labels)) == len(labels)
        assert ARABIC.search(tax.family_label(family, "ar"))
    assert tax.family_label("sdg4_target", "fr") == "Cibles de l'ODD 4"
    with pytest.raises(KeyError):
        tax.family_label("nope")


def test_lookup_index_and_contains(tax):
    assert tax.index("early_childhood") == 0
    assert tax.index("knowledge_sharing") == len(tax) - 1
    for i, key in enumerate(tax.keys):
        assert tax.index(key) == i
        assert tax[key].key == key
        assert key in tax
    assert "budget_traking" not in tax
    assert 3 not in tax
    with pytest.raises(KeyError, match="budget_tracking"):
        tax.index("budget_traking")  # the error carries the suggestion
    with pytest.raises(KeyError):
        tax["nope"]


def test_label_defaults_to_english(tax):
    assert tax.label("tax_justice") == "Tax justice"
    assert tax["tax_justice"].label() == "Tax justice"
    assert tax.label("tax_justice", "fr") == "Justice fiscale"
    assert tax.label("tax_justice", "ar") == "العدالة الضريبية"


@pytest.mark.parametrize("lang", ["de", "EN", "", "english"])
def test_unknown_language_raises_value_error(tax, lang):
    for call in (
        lambda: tax.label("mel", lang),
        lambda: tax["mel"].label(lang),
        lambda: tax.family_label("policy", lang),
    ):
        with pytest.raises(ValueError, match="en, fr, es, pt, ar"):
            call()


def test_to_dict_shape(tax):
    d = tax.to_dict()
    assert set(d) == {"version", "themes"}
    assert d["version"] == "2026.1"
    assert [t["key"] for t in d["themes"]] == list(tax.keys)
    for entry, theme in zip(d["themes"], tax.themes, strict=True):
        assert set(entry) == {"key", "family", "labels"}
        assert entry["family"] == theme.family
        assert list(entry["labels"]) == list(LABEL_LANGUAGES)
        assert type(entry["labels"]) is dict
    # plain JSON round trip, non-ASCII intact
    assert json.loads(json.dumps(d, ensure_ascii=False)) == d


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("budget_traking", "budget_tracking"),
        ("budget_tracking", "budget_tracking"),
        ("Budget-Tracking", "budget_tracking"),
        ("  MEL ", "mel"),
        ("Justice fiscale", "tax_justice"),  # French label
        ("suivi budgetaire de l'education", "budget_tracking"),  # French, accents dropped
        ("Suivi budgétaire", "budget_tracking"),  # start of a French label
        ("Incidencia parlamentaria", "parliamentary_engagement"),  # Spanish
        ("Captação e mobilização de recursos", "fundraising"),  # Portuguese
        ("تمويل التعليم", "education_financing"),  # Arabic
        ("Early childhood care and education", "early_childhood"),  # label minus "4.2"
        ("4.c", "teachers"),
        ("privatization", "privatisation_commercialisation"),
        ("UPR", "human_rights_mechanisms"),
        ("teacher", "teachers"),
    ],
)
def test_suggest_hits(tax, query, expected):
    assert tax.suggest(query) == expected


@pytest.mark.parametrize("query", ["", "   ", "xyz", "quantum chromodynamics", "education", 42])
def test_suggest_misses_and_ambiguity(tax, query):
    assert tax.suggest(query) is None


def test_themes_are_immutable(tax):
    theme = tax["mel"]
    with pytest.raises(AttributeError):
        theme.key = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        theme.labels["en"] = "x"  # type: ignore[index]
    hash(theme)
    hash(tax)


def test_custom_taxonomy_validation():
    labels = MappingProxyType({lang: f"Label {lang}" for lang in LABEL_LANGUAGES})
    one = Theme("a_theme", "policy", labels)
    small = Taxonomy("test", (one,))
    assert small.keys == ("a_theme",) and small.index("a_theme") == 0
    with pytest.raises(ValueError, match="duplicate"):
        Taxonomy("test", (one, one))
    with pytest.raises(ValueError, match="family"):
        Taxonomy("test", (Theme("b", "nope", labels),))
    with pytest.raises(ValueError, match="ar"):
        Taxonomy("test", (Theme("c", "policy", {"en": "C", "fr": "C", "es": "C", "pt": "C"}),))
