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

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal

from pydantic import (
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
from service.contract.fields import MAX_CAPACITY, MemberId, MultiLine, NewMemberId, SingleLine
from service.contract.problems import Problem

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


def _checked(
    value: Any,
    handler: ValidatorFunctionWrapHandler,
    info: ValidationInfo,
    fine: Callable[[Any], bool],
    find: Callable[[Any, ValidationInfo], list[dict]],
) -> Any:
    """``value`` validated by ``handler`` (types, bounds) and, unless
    ``fine`` says at a glance that it is, by ``find`` (the problems of its
    items): every problem of both, in the items' order. A wrap validator,
    because an after-validator runs only once the handler found nothing."""
    try:
        validated = handler(value)
    except ValidationError as exc:
        order = {key: k for k, key in enumerate(value)} if isinstance(value, dict) else {}
        # An item's position; a mapping's key before its value.
        errors = sorted(
            [*exc.errors(), *find(value, info)],
            key=lambda e: (
                (order.get(e["loc"][0], e["loc"][0]), len(e["loc"]) == 1) if e["loc"] else (-1,)
            ),
        )
        raise ValidationError.from_exception_data(exc.title, errors) from None
    if not fine(validated) and (found := find(value, info)):
        raise ValidationError.from_exception_data("items", found)
    return validated


def _problem(loc: tuple, value: Any, message: str) -> dict:
    # As a template argument: a message is not a format string.
    error = PydanticCustomError("value_error", "{message}", {"message": message})
    return {"type": error, "loc": loc, "input": value}


def _languages_fine(codes: list[str]) -> bool:
    lowered = {code.lower() for code in codes}
    return len(lowered) == len(codes) and _LANGUAGE_CODES.issuperset(lowered)


def _language_problems(codes: Any, info: ValidationInfo) -> list[dict]:
    found, seen = [], set()
    for k, code in enumerate(codes if isinstance(codes, list) else []):
        if not isinstance(code, str):
            continue
        lowered = code.strip().lower()
        if lowered not in _LANGUAGE_CODES and not geo.is_language(code):
            guess = _guess(geo.suggest_language, code, info)
            hint = f" (did you mean '{guess}'?)" if guess else ""
            found.append(_problem((k,), code, f"unknown ISO 639-1 language code{hint}"))
        elif lowered in seen:
            found.append(_problem((k,), code, "a language is listed twice; keep one"))
        seen.add(lowered)
    return found


def _known_languages(
    codes: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
) -> list[str]:
    """Each code known, each once, in lower case; every bad code reported at
    its position, whatever else is wrong with the list."""
    valid = _checked(codes, handler, info, _languages_fine, _language_problems)
    return [code.lower() for code in valid]


def _theme_problems(levels: Any, info: ValidationInfo) -> list[dict]:
    found = []
    for key in levels if isinstance(levels, dict) else []:
        if key not in _THEME_KEYS:
            guess = _guess(default_taxonomy().suggest, key, info)
            hint = f" (did you mean '{guess}'?)" if guess else ""
            message = f"unknown theme key{hint}; `peermatch taxonomy` lists the keys"
            found.append(_problem((key, "[key]"), key, message))
    return found


def _known_themes(
    levels: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
) -> dict[str, int]:
    """Theme levels, each key known, without the levels of 0 (none); an
    unknown key is reported with the levels out of range."""
    valid = _checked(levels, handler, info, _THEME_KEYS.issuperset, _theme_problems)
    # A level of 0 says "none", as leaving the theme out does.
    return {key: level for key, level in valid.items() if level > 0}


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
        list[str], Field(min_length=1, max_length=10), WrapValidator(_known_languages)
    ] = Field(description="ISO 639-1 working languages, at least one")
    expertise: Annotated[
        dict[str, Annotated[StrictInt, Field(ge=0, le=4)]], WrapValidator(_known_themes)
    ] = Field(default_factory=dict, description="theme key -> level 0-4 (4 = can train others)")
    needs: Annotated[
        dict[str, Annotated[StrictInt, Field(ge=0, le=3)]], WrapValidator(_known_themes)
    ] = Field(default_factory=dict, description="theme key -> need 0-3 (0 = none)")
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
    id=(NewMemberId, MemberDoc.model_fields["id"]),
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


def geography_warnings(
    members: Sequence[Any], labels: Sequence[str] | None = None
) -> list[Problem]:
    """The members without a country whose region or North/South side is
    left to the default (region ``international``, Global North), one
    warning per field: the side decides the South–South and North→South
    bonuses, so a regional network of the South left to it is paired as if
    it were of the North. An international NGO's region is ``international``
    by definition: only its side is asked for. ``labels`` names each member
    (e.g. its CSV line); by default its position and id. Only valid members
    are expected (anything else is skipped).

    >>> clade = {"id": "clade", "kind": "regional_network", "country": None}
    >>> for p in geography_warnings([clade, {**clade, "global_south": True}]):
    ...     print(p.where, p.field)
    members[0] (id 'clade') region
    members[0] (id 'clade') global_south
    members[1] (id 'clade') region
    >>> print(geography_warnings([clade])[1].message)
    no country and no global_south, so it counts as Global North ...; set global_south to true or...
    >>> geography_warnings([{"id": "x", "kind": "international_ngo", "global_south": False}])
    []
    """
    found = []
    for k, m in enumerate(members):
        if not isinstance(m, dict) or m.get("country"):
            continue
        where = labels[k] if labels else f"members[{k}] (id '{m.get('id')}')"
        if m.get("region") is None and m.get("kind") != "international_ngo":
            found.append(Problem(where, "region", None, _DEFAULT_REGION))
        if m.get("global_south") is None:
            found.append(Problem(where, "global_south", None, _DEFAULT_SIDE))
    return found


_DEFAULT_REGION = (
    f"no country and no region, so it counts as '{geo.INTERNATIONAL}'; "
    f"set region ({', '.join(geo.REGIONS)})"
)
_DEFAULT_SIDE = (
    "no country and no global_south, so it counts as Global North in the South–South "
    "and North→South bonuses; set global_south to true or false"
)
