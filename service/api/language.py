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
from service.translations import language_tag, negotiate

Lang = StrEnum("Lang", [(code, code) for code in LABEL_LANGUAGES])
"""The label languages: ``pt`` is Brazilian Portuguese."""


@dataclass(frozen=True)
class Language:
    """The language an answer's labels are in."""

    code: str
    """A label language (``matcher.taxonomy.LABEL_LANGUAGES``)."""

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Language": language_tag(self.code), "Vary": "Accept-Language"}


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
