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

from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    create_model,
    field_validator,
)
from pydantic_core import PydanticCustomError

from matcher import geo
from matcher.network import KINDS
from matcher.taxonomy import default_taxonomy
from service.contract.fields import MAX_CAPACITY, MemberId, MultiLine, SingleLine

_THEME_KEYS = frozenset(default_taxonomy().keys)


_LANGUAGE_CODES = frozenset(geo.LANGUAGE_NAMES)


HINTS = "hints"
"""Validation context key: ``{HINTS: [n]}`` guesses what the first ``n``
misspelt codes and keys meant, no more (a guess takes up to a few
milliseconds, and a document broken on every line lists only its first
problems); without it, every one gets a guess."""


def _guess(suggest: Callable[[str], str | None], value: str, info: ValidationInfo) -> str | None:
    budget = info.context.get(HINTS) if isinstance(info.context, dict) else None
    if budget is not None:
        if budget[0] <= 0:
            return None
        budget[0] -= 1
    return suggest(value)


def _known_language(code: str, info: ValidationInfo) -> str:
    lowered = code.lower()
    # A code whose lower case is a known code passes `geo.is_language` too, so
    # only the others need the slower look, with a hint.
    if lowered in _LANGUAGE_CODES or geo.is_language(code):
        return lowered
    guess = _guess(geo.suggest_language, code, info)
    hint = f" (did you mean '{guess}'?)" if guess else ""
    raise ValueError(f"unknown ISO 639-1 language code{hint}")


def _each_language_once(codes: Any, handler: ValidatorFunctionWrapHandler) -> list[str]:
    """The languages, each once: a repeat is reported at its position
    together with the problems of the codes themselves (a wrap, because an
    after-validator would only run once every code is valid)."""
    repeats = []
    if isinstance(codes, list):
        seen: set[str] = set()
        for k, code in enumerate(codes):
            if isinstance(code, str):
                key = code.strip().lower()
                if key in seen:
                    repeats.append({"type": _LISTED_TWICE, "loc": (k,), "input": code})
                seen.add(key)
    try:
        languages = handler(codes)
    except ValidationError as exc:
        errors = sorted([*exc.errors(), *repeats], key=lambda e: e["loc"][:1])
        raise ValidationError.from_exception_data(exc.title, errors) from None
    if repeats:
        raise ValidationError.from_exception_data("languages", repeats)
    return languages


_LISTED_TWICE = PydanticCustomError("value_error", "a language is listed twice; keep one")


def _known_theme(key: str, info: ValidationInfo) -> str:
    if key in _THEME_KEYS:
        return key
    guess = _guess(default_taxonomy().suggest, key, info)
    hint = f" (did you mean '{guess}'?)" if guess else ""
    raise ValueError(f"unknown theme key{hint}; `peermatch taxonomy` lists the keys")


ThemeKey = Annotated[str, AfterValidator(_known_theme)]
"""A key of the taxonomy; checked key by key, so that an unknown key and a
level out of range in the same mapping are both reported."""


class MemberDoc(BaseModel):
    """One member organisation, as written in a network document."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: MemberId
    name: Annotated[SingleLine, Field(min_length=1, max_length=200)]
    kind: Literal[KINDS]  # type: ignore[valid-type]
    country: Annotated[str, Field(min_length=2, max_length=2)] | None = Field(
        default=None, description="ISO 3166-1 alpha-2; null for international members"
    )
    languages: Annotated[
        list[Annotated[str, AfterValidator(_known_language)]],
        Field(min_length=1, max_length=10),
        WrapValidator(_each_language_once),
    ] = Field(description="ISO 639-1 working languages, at least one")
    expertise: dict[ThemeKey, Annotated[StrictInt, Field(ge=0, le=4)]] = Field(
        default_factory=dict, description="theme key -> level 0-4 (4 = can train others)"
    )
    needs: dict[ThemeKey, Annotated[StrictInt, Field(ge=0, le=3)]] = Field(
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
    def _known_country(cls, code: str | None, info: ValidationInfo) -> str | None:
        # Most documents already write the canonical upper-case code.
        if code is None or code in geo.COUNTRIES:
            return code
        if geo.country(code) is None:
            guess = _guess(geo.suggest_country, code, info)
            hint = f"did you mean '{guess}'? " if guess else ""
            raise ValueError(f"unknown ISO 3166-1 alpha-2 country code; {hint}use null for none")
        return code.upper()

    @field_validator("expertise", "needs")
    @classmethod
    def _without_zeros(cls, levels: dict[str, int]) -> dict[str, int]:
        # A level of 0 says "none", as leaving the theme out does.
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


def _not_null(cls: type, value: Any) -> Any:
    # Checked with the field's other problems, so one answer lists them all.
    if value is None:
        raise ValueError("cannot be null; leave the field out to keep it, or send its new value")
    return value


MemberUpdate = create_model(
    "MemberUpdate",
    __config__=ConfigDict(extra="forbid", str_strip_whitespace=True),
    __doc__="Fields to change (each as in a member, all optional); the id never changes.",
    __validators__={
        "_not_null": field_validator(
            *(name for name in MEMBER_FIELDS if name != "id" and name not in NULLABLE_FIELDS),
            mode="before",
        )(_not_null)
    },
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
