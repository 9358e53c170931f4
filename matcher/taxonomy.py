"""The peermatch theme taxonomy: what members work on and what they can share.

Every member profile, request and offer is tagged with theme keys from this taxonomy. The
themes fall into three families:

* ``sdg4_target`` -- the ten targets of Sustainable Development Goal 4 (4.1-4.7, 4.a-4.c);
* ``policy`` -- the policy issues coalitions campaign on (financing, tax justice,
  privatisation, gender, emergencies, ...);
* ``advocacy_capacity`` -- the skills and practices members can teach or want to learn
  (budget tracking, media work, UN human rights mechanisms, MEL, ...).

Each theme has a label in the network's five working languages (en, fr, es, pt, ar),
kept with the family labels in ``matcher/data/taxonomy-<version>.json``: translators edit
that file, not this code. Portuguese labels are Brazilian Portuguese, as in the service's
catalogues; Arabic SDG target labels number targets the UN Arabic way ("4-1", "4-أ").

Keys are stable identifiers stored in member data: a key is never renamed or removed.
A new taxonomy version may only add keys (and polish labels); ``TAXONOMY_VERSION`` names
the version in force.

Stdlib only; the one file read is that package data file (through importlib.resources,
so it works from a wheel or a zip too), once.
"""

import difflib
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType

from matcher.suggest import closest

__all__ = [
    "FAMILIES",
    "LABEL_LANGUAGES",
    "TAXONOMY_VERSION",
    "Taxonomy",
    "Theme",
    "default_taxonomy",
]

LABEL_LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "pt", "ar")
TAXONOMY_VERSION = "2026.1"
FAMILIES: tuple[str, ...] = ("sdg4_target", "policy", "advocacy_capacity")


@cache
def _labels() -> dict:
    """The label file of ``TAXONOMY_VERSION``: family labels and, in taxonomy order, each
    theme's key, family and labels by language (read once, then shared)."""
    source = f"data/taxonomy-{TAXONOMY_VERSION}.json"
    return json.loads(resources.files("matcher").joinpath(source).read_text(encoding="utf-8"))


def _check_lang(lang: str) -> str:
    if lang not in LABEL_LANGUAGES:
        raise ValueError(
            f"unsupported label language {lang!r}; supported: {', '.join(LABEL_LANGUAGES)}"
        )
    return lang


def _norm(text: str) -> str:
    """Fold case and accents; spaces, hyphens and punctuation all become "_"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[\W_]+", "_", text).strip("_")


_TARGET_PREFIX = re.compile(r"^4[.\-]\S+\s+")


@dataclass(frozen=True)
class Theme:
    """One theme: a stable ``key``, its ``family`` and ``labels`` by language.

    >>> default_taxonomy()["tax_justice"].label("fr")
    'Justice fiscale'
    """

    key: str
    family: str
    labels: Mapping[str, str] = field(hash=False)

    def label(self, lang: str = "en") -> str:
        """Label in ``lang`` (one of ``LABEL_LANGUAGES``).

        >>> default_taxonomy()["teachers"].label("es")
        '4.c Docentes'
        """
        return self.labels[_check_lang(lang)]


@dataclass(frozen=True)
class Taxonomy:
    """An ordered, versioned set of themes.

    >>> tax = default_taxonomy()
    >>> len(tax), tax.version, tax.keys[0]
    (38, '2026.1', 'early_childhood')
    """

    version: str
    themes: tuple[Theme, ...]
    _by_key: Mapping[str, int] = field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )
    _lookup: Mapping[str, str] = field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        themes = tuple(self.themes)
        object.__setattr__(self, "themes", themes)
        by_key: dict[str, int] = {}
        for i, theme in enumerate(themes):
            if theme.key in by_key:
                raise ValueError(f"duplicate theme key {theme.key!r}")
            if theme.family not in FAMILIES:
                raise ValueError(f"theme {theme.key!r} has unknown family {theme.family!r}")
            missing = [lang for lang in LABEL_LANGUAGES if not theme.labels.get(lang)]
            if missing:
                raise ValueError(f"theme {theme.key!r} lacks labels for {', '.join(missing)}")
            by_key[theme.key] = i
        # Normalised key / label -> key, for suggest(). Keys win over labels.
        lookup: dict[str, str] = {}
        for theme in themes:
            for lang in LABEL_LANGUAGES:
                text = theme.labels[lang]
                lookup.setdefault(_norm(text), theme.key)
                bare = _TARGET_PREFIX.sub("", text)  # "4.2 Early childhood ..." -> "Early ..."
                lookup.setdefault(_norm(bare), theme.key)
        lookup.update({_norm(t.key): t.key for t in themes})
        object.__setattr__(self, "_by_key", MappingProxyType(by_key))
        object.__setattr__(self, "_lookup", MappingProxyType(lookup))

    @property
    def keys(self) -> tuple[str, ...]:
        """Theme keys in taxonomy order.

        >>> default_taxonomy().keys[-1]
        'knowledge_sharing'
        """
        return tuple(t.key for t in self.themes)

    def __len__(self) -> int:
        return len(self.themes)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self._by_key

    def __getitem__(self, key: str) -> Theme:
        return self.themes[self.index(key)]

    def index(self, key: str) -> int:
        """Position of ``key`` in :attr:`keys`; ``KeyError`` if unknown.

        >>> default_taxonomy().index("primary_secondary")
        1
        """
        try:
            return self._by_key[key]
        except (KeyError, TypeError):
            hint = self.suggest(key) if isinstance(key, str) else None
            extra = f"; did you mean {hint!r}?" if hint else ""
            raise KeyError(f"unknown theme key {key!r}{extra}") from None

    def label(self, key: str, lang: str = "en") -> str:
        """Label of theme ``key`` in ``lang``.

        >>> default_taxonomy().label("budget_tracking", "pt")
        'Monitoramento do orçamento da educação'
        """
        _check_lang(lang)
        return self[key].label(lang)

    def family_label(self, family: str, lang: str = "en") -> str:
        """Label of a theme family in ``lang``; ``KeyError`` for an unknown family.

        >>> default_taxonomy().family_label("advocacy_capacity", "es")
        'Capacidades de incidencia'
        """
        _check_lang(lang)
        try:
            return _labels()["families"][family][lang]
        except KeyError:
            raise KeyError(
                f"unknown theme family {family!r}; known: {', '.join(FAMILIES)}"
            ) from None

    def suggest(self, key: str) -> str | None:
        """Closest known key for a misspelt key or a label in any language, else ``None``.

        Matching ignores case, accents, spaces, hyphens and punctuation. Tried in turn: an
        exact key or label; words found in one theme only ("UPR"); a close misspelling of
        a whole key or label; a close misspelling of the start of one ("privatization").
        Anything ambiguous ("education") gives ``None``.

        >>> tax = default_taxonomy()
        >>> tax.suggest("budget_traking"), tax.suggest("Justice fiscale")
        ('budget_tracking', 'tax_justice')
        >>> tax.suggest("underwater basket weaving") is None
        True
        """
        if not isinstance(key, str):
            return None
        query = _norm(key)
        if not query:
            return None
        hit = self._lookup.get(query)
        if hit is not None:
            return hit
        # 1. whole words inside one theme's key or labels: "UPR", "EdTech", "gender".
        if len(query) >= 3:
            inside = {k for text, k in self._lookup.items() if f"_{query}_" in f"_{text}_"}
            if len(inside) == 1:
                return inside.pop()
        # 2. a misspelling of a whole key or label: "budget_traking".
        close = closest(query, self._lookup)
        if close is not None:
            return self._lookup[close]
        # 3. a (misspelt) beginning of one theme's key or label: "privatization".
        if len(query) >= 4:
            best, found = 0.0, set()
            for text, k in self._lookup.items():
                if len(text) > len(query):
                    score = difflib.SequenceMatcher(None, query, text[: len(query)]).ratio()
                    if score > best:
                        best, found = score, {k}
                    elif score == best:
                        found.add(k)
            if best >= 0.85 and len(found) == 1:
                return found.pop()
        return None

    def to_dict(self) -> dict:
        """Plain, JSON-ready form, themes in key order.

        >>> d = default_taxonomy().to_dict()
        >>> d["version"], d["themes"][0]["key"], sorted(d["themes"][0]["labels"])
        ('2026.1', 'early_childhood', ['ar', 'en', 'es', 'fr', 'pt'])
        """
        return {
            "version": self.version,
            "themes": [
                {
                    "key": t.key,
                    "family": t.family,
                    "labels": {lang: t.labels[lang] for lang in LABEL_LANGUAGES},
                }
                for t in self.themes
            ],
        }


@cache
def default_taxonomy() -> Taxonomy:
    """The built-in taxonomy, version ``TAXONOMY_VERSION`` (built once, then shared).

    >>> default_taxonomy() is default_taxonomy()
    True
    """
    themes = tuple(
        Theme(
            key=row["key"],
            family=row["family"],
            # A missing label becomes "" so that Taxonomy names the theme and language.
            labels=MappingProxyType(
                {lang: row["labels"].get(lang, "") for lang in LABEL_LANGUAGES}
            ),
        )
        for row in _labels()["themes"]
    )
    return Taxonomy(version=TAXONOMY_VERSION, themes=themes)
