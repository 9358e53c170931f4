"""A member, declared once.

:class:`MemberDoc` declares the profile (fields, types, bounds) as the network
document writes it and :class:`Contact` the contact person; everything else is
derived from those two, as in the FastAPI full-stack template's
Base / Create / Update / Public family: the HTTP bodies and answers here, the
field lists the use cases, the CSV columns and the export use, and the
database table (``service.store.models.Member``, checked against
:data:`MEMBER_FIELDS` by the tests).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    create_model,
    field_validator,
)

from matcher import geo
from matcher.network import KINDS
from matcher.taxonomy import default_taxonomy
from service.contract.fields import MAX_CAPACITY, MemberId, MultiLine, SingleLine

_THEME_KEYS = frozenset(default_taxonomy().keys)


_LANGUAGE_CODES = frozenset(geo.LANGUAGE_NAMES)


class MemberDoc(BaseModel):
    """One member organisation, as written in a network document."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: MemberId
    name: Annotated[SingleLine, Field(min_length=1, max_length=200)]
    kind: Literal[KINDS]  # type: ignore[valid-type]
    country: Annotated[str, Field(min_length=2, max_length=2)] | None = Field(
        default=None, description="ISO 3166-1 alpha-2; null for international members"
    )
    languages: Annotated[list[str], Field(min_length=1, max_length=10)] = Field(
        description="ISO 639-1 working languages, at least one"
    )
    expertise: dict[str, Annotated[StrictInt, Field(ge=0, le=4)]] = Field(
        default_factory=dict, description="theme key -> level 0-4 (4 = can train others)"
    )
    needs: dict[str, Annotated[StrictInt, Field(ge=0, le=3)]] = Field(
        default_factory=dict, description="theme key -> need 0-3 (0 = none)"
    )
    mentor_capacity: Annotated[StrictInt, Field(ge=0, le=MAX_CAPACITY)] = Field(
        default=1, description="most mentees it takes in a round (0 = never mentors)"
    )
    mentee_capacity: Annotated[StrictInt, Field(ge=0, le=MAX_CAPACITY)] = Field(
        default=1, description="most mentors it wants in a round (0 = not this round)"
    )
    description: Annotated[MultiLine, Field(max_length=5000)] = ""
    region: Literal[geo.REGIONS] | None = Field(  # type: ignore[valid-type]
        default=None, description="overrides the region derived from country"
    )
    global_south: StrictBool | None = Field(
        default=None, description="overrides the North/South side derived from country"
    )

    @field_validator("country")
    @classmethod
    def _known_country(cls, code: str | None) -> str | None:
        # Most documents already write the canonical upper-case code.
        if code is None or code in geo.COUNTRIES:
            return code
        if geo.country(code) is None:
            guess = geo.suggest_country(code)
            hint = f"did you mean '{guess}'? " if guess else ""
            raise ValueError(f"unknown ISO 3166-1 alpha-2 country code; {hint}use null for none")
        return code.upper()

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, codes: list[str]) -> list[str]:
        lowered = [c.lower() for c in codes]
        # A code whose lower case is a known code passes `geo.is_language` too (it has no
        # whitespace for that to strip), so only the others need the slower look, with hints.
        if not _LANGUAGE_CODES.issuperset(lowered):
            bad = [c for c in codes if not geo.is_language(c)]
            if bad:
                hints = [
                    f"'{c}'" + (f" (did you mean '{g}'?)" if (g := geo.suggest_language(c)) else "")
                    for c in bad
                ]
                raise ValueError(f"unknown ISO 639-1 language code {', '.join(hints)}")
        if len(set(lowered)) != len(lowered):
            raise ValueError("a language is listed twice")
        return lowered

    @field_validator("expertise", "needs")
    @classmethod
    def _known_themes(cls, levels: dict[str, int]) -> dict[str, int]:
        if not _THEME_KEYS.issuperset(levels):
            taxonomy = default_taxonomy()
            hints = []
            for key in levels:
                if key not in _THEME_KEYS:
                    guess = taxonomy.suggest(key)
                    hints.append(f"'{key}'" + (f" (did you mean '{guess}'?)" if guess else ""))
            raise ValueError(
                f"unknown theme key {', '.join(hints)}; `peermatch taxonomy` lists the keys"
            )
        return {key: level for key, level in levels.items() if level > 0}


EMAIL = r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$"


class Contact(BaseModel):
    """The member's contact person: personal data, shown only to the
    secretariat, the member itself and its published partners."""

    # Stripped like MemberDoc, so what this validated is what is stored.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    contact_name: Annotated[SingleLine, Field(min_length=1, max_length=200)] | None = Field(
        default=None, description="personal data"
    )
    contact_email: Annotated[SingleLine, Field(pattern=EMAIL, max_length=254)] | None = Field(
        default=None, description="personal data"
    )


MemberCreate = create_model(
    "MemberCreate",
    __base__=MemberDoc,
    __doc__="A member profile (the network document's member) plus its contact person.",
    **{name: (field.rebuild_annotation(), field) for name, field in Contact.model_fields.items()},
)


PROFILE_FIELDS = tuple(name for name in MemberDoc.model_fields if name != "id")
"""The profile's fields in the document's order, after ``id``."""
CONTACT_FIELDS = tuple(Contact.model_fields)
MEMBER_FIELDS = ("id", *PROFILE_FIELDS, *CONTACT_FIELDS)
"""Every stored field of a member: the table's columns, the CSV's columns."""
NULLABLE_FIELDS = tuple(n for n, f in MemberCreate.model_fields.items() if f.default is None)
"""Fields that may be null (none, or derived from the country)."""
MEMBER_EDITABLE_FIELDS = (
    "name",
    "languages",
    "expertise",
    "needs",
    "mentor_capacity",
    "mentee_capacity",
    "description",
    *CONTACT_FIELDS,
)
"""What a member key may change in its own profile. Kind, country, region and
North/South set a member's bonuses in rounds: only the secretariat changes them."""

MemberUpdate = create_model(
    "MemberUpdate",
    __config__=ConfigDict(extra="forbid", str_strip_whitespace=True),
    __doc__="Fields to change (each as in a member, all optional); the id never changes.",
    **{
        name: (field.rebuild_annotation() | None, None)
        for name, field in MemberCreate.model_fields.items()
        if name != "id"
    },
)

MemberPublic = create_model(
    "MemberPublic",
    __doc__="A member as the Hub sees it: the profile, with its derived region and side.",
    **{
        **{name: (field.annotation, ...) for name, field in MemberDoc.model_fields.items()},
        "region": (str, ...),
        "global_south": (bool, ...),
    },
)

MemberPrivate = create_model(
    "MemberPrivate",
    __base__=MemberPublic,
    __doc__="A member as the secretariat and the member itself see it.",
    **{name: (field.annotation, ...) for name, field in Contact.model_fields.items()},
)

MemberIdPath = MemberId
