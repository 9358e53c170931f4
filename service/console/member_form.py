"""A member's profile as a form: the form's values from a stored member or
a posted form, the posted form as the contract's fields, and the contract's
problems by the form field they belong to. Shared by the secretariat's
member pages and any page where a member edits its own profile."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from babel import Locale
from pydantic import ValidationError

from matcher import geo
from matcher.network import KINDS
from matcher.taxonomy import default_taxonomy
from service.contract import CONTACT_FIELDS, PROFILE_FIELDS
from service.store.models import Member
from service.translations import N_, locale_for

KIND_LABELS = {
    "national_coalition": N_("National coalition"),
    "regional_network": N_("Regional network"),
    "international_ngo": N_("International NGO"),
}
assert tuple(KIND_LABELS) == KINDS
EXPERTISE_LEVELS = (
    N_("0 – none"),
    N_("1 – some experience"),
    N_("2 – practice"),
    N_("3 – strong"),
    N_("4 – can train others"),
)
"""The meaning of each expertise level (docs/network-format.md)."""
NEED_LEVELS = (N_("0 – none"), N_("1 – nice to have"), N_("2 – needed"), N_("3 – urgent"))
FIELD_LABELS = {
    "id": N_("Id"),
    "name": N_("Name"),
    "kind": N_("Kind"),
    "country": N_("Country"),
    "region": N_("Region"),
    "global_south": N_("North or South"),
    "languages": N_("Languages"),
    "expertise": N_("Expertise"),
    "needs": N_("Needs"),
    "mentor_capacity": N_("Mentor capacity"),
    "mentee_capacity": N_("Mentee capacity"),
    "description": N_("Description"),
    "contact_name": N_("Contact person"),
    "contact_email": N_("Contact email"),
    "": N_("Profile"),
}
"""Each member field's name in the console's pages."""
SIDES = {"": N_("From the country"), "true": N_("Global South"), "false": N_("Global North")}
THEMES = ("expertise", "needs")
TEXT_FIELDS = ("id", "name", "kind", "country", "region", "global_south", "languages")
TEXT_FIELDS += ("mentor_capacity", "mentee_capacity", "description", *CONTACT_FIELDS)


def blank() -> dict[str, Any]:
    """The form of a new member: the contract's defaults."""
    values: dict[str, Any] = dict.fromkeys(TEXT_FIELDS, "")
    values.update(kind=KINDS[0], mentor_capacity="1", mentee_capacity="1", expertise={}, needs={})
    return values


def from_member(m: Member) -> dict[str, Any]:
    """A stored member as the form shows it."""
    values = {f: "" if getattr(m, f) is None else str(getattr(m, f)) for f in TEXT_FIELDS}
    values["global_south"] = "" if m.global_south is None else str(m.global_south).lower()
    values["languages"] = ", ".join(m.languages)
    values.update(expertise=dict(m.expertise), needs=dict(m.needs))
    return values


def from_form(form: Mapping[str, Any]) -> dict[str, Any]:
    """The posted form as it is shown again (strings, levels as numbers)."""
    values = {f: str(form.get(f, "")) for f in TEXT_FIELDS}
    for side in THEMES:
        levels = {}
        for key in default_taxonomy().keys:
            raw = str(form.get(f"{side}.{key}", "0"))
            levels[key] = int(raw) if raw.isdigit() else raw
        values[side] = {k: v for k, v in levels.items() if v != 0}
    return values


def contract_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """The form's values as the contract's fields (MemberCreate without the
    id, or every field of MemberUpdate): a blank optional field is null,
    languages a list; anything unreadable is passed on as typed, for the
    contract to say what is wrong with it.

    >>> f = contract_fields({**blank(), "name": "Kenya", "languages": "en, SW", "country": ""})
    >>> f["languages"], f["country"], f["mentor_capacity"], f["global_south"]
    (['en', 'SW'], None, 1, None)
    """
    out: dict[str, Any] = {}
    for field in (*PROFILE_FIELDS, *CONTACT_FIELDS):
        raw = values.get(field, "")
        if field in THEMES:
            out[field] = dict(raw)
        elif field == "languages":
            out[field] = [code for code in re.split(r"[,\s]+", raw) if code]
        elif field in ("mentor_capacity", "mentee_capacity"):
            out[field] = int(raw) if raw.strip().isdigit() else raw
        elif field == "global_south":
            out[field] = {"true": True, "false": False}.get(raw)
        elif field == "description":
            out[field] = raw
        else:
            out[field] = raw.strip() or None
    return out


def problems_by_field(errors: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """The contract's problems (pydantic errors, or a use case's ``errors``
    whose ``field`` is a dotted path) by form field: ``expertise.<key>`` for
    a theme's level, the field's name otherwise, ``""`` for the whole form.

    >>> problems_by_field([{"loc": ("languages", 1), "msg": "unknown code", "input": "xx"},
    ...                    {"field": "needs.literacy.[key]", "message": "too high"}])
    {'languages': ['xx: unknown code'], 'needs.literacy': ['too high']}
    """
    found: dict[str, list[str]] = {}
    for e in errors:
        path = [str(p) for p in e["loc"]] if "loc" in e else str(e.get("field", "")).split(".")
        message = str(e.get("msg", e.get("message", ""))).removeprefix("Value error, ")
        field = path[0] if path and path[0] in (*TEXT_FIELDS, *THEMES) else ""
        if e.get("type") == "string_pattern_mismatch" and field == "contact_email":
            message = "not an email address; write it as name@example.org"
        if field in THEMES and len(path) > 1:
            field = f"{field}.{path[1]}"
        elif field == "languages" and len(path) > 1 and isinstance(e.get("input"), str):
            message = f"{e['input']}: {message}"
        found.setdefault(field, []).append(message)
    return found


def validation_problems(exc: ValidationError) -> dict[str, list[str]]:
    return problems_by_field(exc.errors())


@cache
def language_choices(lang: str) -> tuple[tuple[str, str], ...]:
    """Every ISO 639-1 language the contract knows, named in ``lang``."""
    names = Locale.parse(locale_for(lang)).languages
    named = {code: names.get(code, english) for code, english in geo.LANGUAGE_NAMES.items()}
    return tuple(sorted(named.items(), key=lambda item: item[1].casefold()))


def region_choices(lang: str) -> list[tuple[str, str]]:
    """The five regions, named in ``lang`` (a member without one is
    ``international``: the pages name it with a catalogue message)."""
    return [(r, geo.REGION_LABELS[r][lang]) for r in geo.REGIONS]


def theme_rows(lang: str) -> list[tuple[str, str, str]]:
    """Each theme's family label, key and label in ``lang``, in taxonomy order."""
    taxonomy = default_taxonomy()
    return [
        (taxonomy.family_label(taxonomy[k].family, lang), k, taxonomy.label(k, lang))
        for k in taxonomy.keys
    ]
