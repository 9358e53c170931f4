"""The language of an answer's labels: ``lang=`` if given, else the best
supported language of the ``Accept-Language`` header, else English.

Every route whose answer carries labels (themes, reasons) takes
:data:`LanguageDep`; its answer says the language in ``Content-Language``
and that it depends on ``Accept-Language`` (``Vary``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, Header, Query, Response

from matcher.taxonomy import LABEL_LANGUAGES

Lang = StrEnum("Lang", [(code, code) for code in LABEL_LANGUAGES])
"""The label languages: ``pt`` is Brazilian Portuguese."""

DEFAULT = "en"
_TAGS = {"pt": "pt-BR"}
"""A label language's BCP 47 tag, where it is not the code itself."""


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
    return min(choices)[2] if choices else DEFAULT


@dataclass(frozen=True)
class Language:
    """The language an answer's labels are in."""

    code: str
    """A label language (``matcher.taxonomy.LABEL_LANGUAGES``)."""

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Language": _TAGS.get(self.code, self.code), "Vary": "Accept-Language"}


async def _language(
    response: Response,
    lang: Annotated[
        Lang | None,
        Query(description="the language of labels; without it, the best of Accept-Language"),
    ] = None,
    accept_language: Annotated[
        str | None,
        Header(description="used without `lang`; no supported language: English"),
    ] = None,
) -> Language:
    chosen = Language(lang.value if lang is not None else negotiate(accept_language))
    response.headers.update(chosen.headers)
    return chosen


LanguageDep = Annotated[Language, Depends(_language)]
