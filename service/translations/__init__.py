"""Translations of the text the service shows people: the report, the capacity
map, the command line's tables.

English in the code is the source text (the gettext msgid); the other four
label languages live in gettext catalogues next to this file,
``<locale>/LC_MESSAGES/messages.po``, compiled to the ``.mo`` files read here.
Both are committed: an editable install does not reliably run build hooks, so
nothing may depend on compiling at install time. ``python -m
service.translations update|compile|check`` maintains them (see
:mod:`service.translations.catalogues`). Theme labels are not here: they are
matcher's data (``matcher/data/taxonomy-*.json``), as are region names
(``matcher.geo``).

Portuguese is Brazilian Portuguese (``pt_BR``) throughout.
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources

from babel import Locale
from babel.support import NullTranslations, Translations

from matcher.taxonomy import LABEL_LANGUAGES

SOURCE_LANGUAGE = "en"
DEFAULT_LANGUAGE = "en"
"""The language of a reader who asks for none of the label languages."""
DOMAIN = "messages"
LOCALES = {"en": "en", "fr": "fr", "es": "es", "pt": "pt_BR", "ar": "ar"}
"""Label language (``--lang``) → the locale of its catalogue and of its numbers."""
RIGHT_TO_LEFT = frozenset({"ar"})
"""The label languages written right to left."""


def language_tag(lang: str) -> str:
    """The BCP 47 tag of label language ``lang`` (``Content-Language``,
    HTML's ``lang``).

    >>> language_tag("pt"), language_tag("ar")
    ('pt-BR', 'ar')
    """
    return LOCALES[lang].replace("_", "-")


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue where it is only looked up later
    (tables of codes → messages): extraction finds it, nothing is translated."""
    return message


def _locale_name(lang: str) -> str:
    try:
        return LOCALES[lang]
    except KeyError:
        raise ValueError(
            f"lang must be one of {', '.join(LABEL_LANGUAGES)}, got {lang!r}"
        ) from None


@cache
def locale_for(lang: str) -> Locale:
    """The Babel locale of label language ``lang``."""
    return Locale.parse(_locale_name(lang))


@cache
def gettext_for(lang: str) -> NullTranslations:
    """The translations of label language ``lang`` (``.gettext``,
    ``.pgettext``); English gives every message back as it is written."""
    locale = _locale_name(lang)
    if lang == SOURCE_LANGUAGE:
        return NullTranslations()
    # Read as package data; a missing catalogue is an error, not a silent
    # fallback to English.
    compiled = resources.files(__package__).joinpath(f"{locale}/LC_MESSAGES/{DOMAIN}.mo")
    return Translations(io.BytesIO(compiled.read_bytes()), domain=DOMAIN)


def negotiate(header: str | None) -> str:
    """The label language ``Accept-Language: header`` prefers (RFC 9110
    §12.5.4: the highest ``q``, then the first listed; a range matches its
    language and its regional forms), or English when it names none of them.

    >>> negotiate("pt-BR,pt;q=0.9,en;q=0.5"), negotiate("de, fr-CA;q=0.8, en;q=0.7")
    ('pt', 'fr')
    >>> negotiate("es;q=0, ar;q=0.2"), negotiate("de"), negotiate(None), negotiate("*")
    ('ar', 'en', 'en', 'en')
    """
    choices = []
    for position, part in enumerate((header or "").split(",")):
        tag, *params = [x.strip() for x in part.split(";")]
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0  # unreadable: not a preference
        code = tag.split("-")[0].lower()
        if q > 0 and code in LABEL_LANGUAGES:
            choices.append((-q, position, code))
    return min(choices)[2] if choices else DEFAULT_LANGUAGE
