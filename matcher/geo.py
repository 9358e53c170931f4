"""Countries, regions and languages: ISO data from pycountry, peermatch's choices from a file.

The ISO 3166-1 countries (249 officially assigned alpha-2 codes, their alpha-3 codes and
ISO names) and the ISO 639-1 languages (with their ISO 639-2 codes) come from
``pycountry``. What no package has is kept in ``matcher/data/geo.json``, with its
sources and rules in ``matcher/data/README.md``:

* ``REGIONS`` -- UNESCO's five regional groupings (as in GEM Report / UIS regional
  tables), each country and territory's region, and the regions' names in the five
  working languages (``REGION_LABELS``);
* the Global South rule: by region, with a short list of exceptions (Australia, Japan,
  New Zealand, South Korea, Singapore and Australia's external territories are the
  Northern part of Asia-Pacific);
* short display names where the ISO name is not the one an NGO writes ("Brunei", not
  "Brunei Darussalam"), and other spellings people type ("UK", "Ivory Coast",
  "Allemagne", "Kiswahili");
* the accepted ISO 639-1 set's two departures from pycountry's: ``bh`` (Bihari,
  deprecated in 2021) is still accepted, ``sh`` (Serbo-Croatian) is not.

``COUNTRIES`` and ``LANGUAGE_NAMES`` are read-only mappings built on first use, so that
``import matcher`` does not parse pycountry's tables:

>>> from matcher import geo
>>> geo.COUNTRIES["TZ"]
Country(code='TZ', name='Tanzania', region='africa', global_south=True)
>>> len(geo.COUNTRIES), geo.LANGUAGE_NAMES["sw"], geo.REGION_LABELS["arab_states"]["fr"]
(249, 'Swahili', 'États arabes')
"""

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, NamedTuple

from matcher.network import INTERNATIONAL
from matcher.suggest import closest

__all__ = [
    "COUNTRIES",
    "LANGUAGE_NAMES",
    "REGIONS",
    "REGION_LABELS",
    "Country",
    "country",
    "is_language",
    "region_and_side",
    "suggest_country",
    "suggest_language",
]

# 9 KB read at import; pycountry's tables (900 KB of JSON) wait until first use.
_DATA: dict[str, Any] = json.loads(
    resources.files("matcher").joinpath("data", "geo.json").read_bytes()
)

REGIONS: tuple[str, ...] = tuple(_DATA["regions"])

REGION_LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {region: MappingProxyType(spec["labels"]) for region, spec in _DATA["regions"].items()}
)

COUNTRIES: Mapping[str, "Country"]  # code -> Country, sorted by code (see __getattr__)
LANGUAGE_NAMES: Mapping[str, str]  # ISO 639-1 code -> English name, sorted by code


@dataclass(frozen=True)
class Country:
    """One ISO 3166-1 country or territory.

    >>> country("KE")
    Country(code='KE', name='Kenya', region='africa', global_south=True)
    """

    code: str
    name: str
    region: str
    global_south: bool


def _norm(text: str) -> str:
    """Fold case and accents, turn punctuation into spaces, expand "St"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ")
    words = re.sub(r"[\W_]+", " ", text).split()
    words = ["saint" if w == "st" else w for w in words]
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def _plain(iso_name: str) -> str:
    """An ISO 639 name without its trailing qualifier: "Swahili (macrolanguage)" -> "Swahili"."""
    return re.sub(r" \([^)]*\)$", "", iso_name)


class _Table(NamedTuple):
    by_code: Mapping[str, Any]  # code -> Country (countries) or English name (languages)
    by_alpha3: Mapping[str, str]  # ISO alpha-3 (countries) or ISO 639-2 code -> code
    by_name: Mapping[str, str]  # normalised name or other spelling -> code


@cache
def _countries() -> _Table:
    import pycountry  # here, not at the top: its import and JSON parsing cost milliseconds

    region_of = {code: r for r, spec in _DATA["regions"].items() for code in spec["countries"]}
    south_of = {r: spec["global_south"] for r, spec in _DATA["regions"].items()}
    exceptions, names = _DATA["global_south_exceptions"], _DATA["country_names"]
    iso = {c.alpha_2: c for c in pycountry.countries}
    if set(iso) != set(region_of):  # after a pycountry upgrade: place (or drop) by hand
        odd = sorted(set(iso) ^ set(region_of))
        raise LookupError(f"matcher/data/geo.json and pycountry disagree on codes {odd}")
    table, by_name = {}, {_norm(alias): code for alias, code in _DATA["country_aliases"].items()}
    for code in sorted(iso):
        c = iso[code]
        common = getattr(c, "common_name", None)
        region = region_of[code]
        table[code] = Country(
            code=code,
            name=names.get(code, common or c.name),
            region=region,
            global_south=exceptions.get(code, south_of[region]),
        )
        by_name.update({_norm(n): code for n in (c.name, common) if n})
    by_name.update({_norm(c.name): code for code, c in table.items()})
    alpha3 = {c.alpha_3: code for code, c in iso.items()}
    return _Table(MappingProxyType(table), alpha3, by_name)


@cache
def _languages() -> _Table:
    import pycountry

    removed = set(_DATA["language_codes_removed"])
    iso = {
        lang.alpha_2: lang
        for lang in pycountry.languages
        if hasattr(lang, "alpha_2") and lang.alpha_2 not in removed
    }
    # Codes ISO 639-3 no longer lists (``bh``) are named by their ISO 639-2/5 group.
    for code, alpha3 in _DATA["language_codes_added"].items():
        iso[code] = pycountry.language_families.get(alpha_3=alpha3)
    overrides = _DATA["language_names"]
    names = {code: overrides.get(code, _plain(iso[code].name)) for code in sorted(iso)}
    alpha3 = {
        a3: code
        for code, lang in iso.items()
        for a3 in (lang.alpha_3, getattr(lang, "bibliographic", None))
        if a3
    }
    by_name = {_norm(alias): code for alias, code in _DATA["language_aliases"].items()}
    by_name.update({_norm(_plain(lang.name)): code for code, lang in iso.items()})
    by_name.update({_norm(name): code for code, name in names.items()})
    return _Table(MappingProxyType(names), alpha3, by_name)


def __getattr__(name: str) -> Any:
    # PEP 562: COUNTRIES and LANGUAGE_NAMES are built when first asked for.
    if name == "COUNTRIES":
        return _countries().by_code
    if name == "LANGUAGE_NAMES":
        return _languages().by_code
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), "COUNTRIES", "LANGUAGE_NAMES"})


def _lookup(query: str, by_name: Mapping[str, str]) -> str | None:
    hit = by_name.get(query)
    if hit is not None:
        return hit
    # A unique leading-words match: "saint kitts" -> "saint kitts and nevis".
    starts = {code for name, code in by_name.items() if name.startswith(query + " ")}
    if len(starts) == 1:
        return starts.pop()
    close = closest(query, by_name)
    return by_name[close] if close is not None else None


def country(code: str) -> Country | None:
    """Look up a country by ISO 3166-1 alpha-2 code, case-insensitively.

    >>> country("ke").region
    'africa'
    >>> country("XX") is None
    True
    """
    if not isinstance(code, str):
        return None
    return _countries().by_code.get(code.strip().upper())


def region_and_side(
    country: str | None, region: str | None = None, global_south: bool | None = None
) -> tuple[str, bool]:
    """A member's region and Global South flag: what it states, else what its country implies.

    ``country`` is an ISO alpha-2 code; an unknown code counts as none. Without a
    country the region is ``"international"`` and the side Northern, unless stated.

    >>> region_and_side("KE"), region_and_side("fr")
    (('africa', True), ('europe_north_america', False))
    >>> region_and_side("US", global_south=True), region_and_side(None, "asia_pacific")
    (('europe_north_america', True), ('asia_pacific', False))
    >>> region_and_side(None)
    ('international', False)
    """
    found = _countries().by_code.get(country.strip().upper()) if country else None
    return (
        region or (found.region if found else INTERNATIONAL),
        global_south if global_south is not None else bool(found and found.global_south),
    )


def is_language(code: str) -> bool:
    """True if ``code`` is an ISO 639-1 two-letter language code (case-insensitive).

    >>> is_language("SW"), is_language("eng")
    (True, False)
    """
    return isinstance(code, str) and code.strip().lower() in _languages().by_code


def suggest_country(code: str) -> str | None:
    """Best-guess ISO alpha-2 code for a code, alpha-3 code or (misspelt) country name.

    >>> suggest_country("Kenya"), suggest_country("KEN"), suggest_country("Tanzanie")
    ('KE', 'KE', 'TZ')
    >>> suggest_country("Atlantis") is None
    True
    """
    if not isinstance(code, str) or not code.strip():
        return None
    table = _countries()
    raw = code.strip()
    upper = raw.upper()
    if len(raw) == 2 and upper in table.by_code:
        return upper
    if len(raw) == 3 and upper in table.by_alpha3:
        return table.by_alpha3[upper]
    query = _norm(raw)
    if not query:
        return None
    return _lookup(query, table.by_name)


def suggest_language(code: str) -> str | None:
    """Best-guess ISO 639-1 code for a code, ISO 639-2 code, locale tag or language name.

    >>> suggest_language("english"), suggest_language("eng"), suggest_language("pt-BR")
    ('en', 'en', 'pt')
    >>> suggest_language("Klingonese") is None
    True
    """
    if not isinstance(code, str) or not code.strip():
        return None
    table = _languages()
    raw = code.strip()
    lower = raw.lower()
    if lower in table.by_code:
        return lower
    if lower in table.by_alpha3:
        return table.by_alpha3[lower]
    primary = re.split(r"[-_]", lower, maxsplit=1)[0]
    if primary != lower:  # a locale tag such as "pt-BR", "fr_CA" or "ara-EG"
        if primary in table.by_code:
            return primary
        if primary in table.by_alpha3:
            return table.by_alpha3[primary]
    query = _norm(raw)
    if not query:
        return None
    return _lookup(query, table.by_name)
