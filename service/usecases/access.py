"""Who is calling, and what each role may see.

Roles: ``admin`` (the secretariat: everything), ``hub`` (the Learning Hub:
public data, recommendations, published results, capacity map; no contact
persons, no drafts, no writes) and ``member`` (its own profile,
recommendations and published partners).
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass

ROLES = ("admin", "hub", "member")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's name (the audit trail's actor) and role."""

    name: str
    role: str
    member_id: str | None = None


def cli_actor() -> Principal:
    """The audit trail's actor for commands run on the server itself."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Principal(name=f"cli:{user}", role="admin")


def may_see_member(who: Principal, member_id: str) -> bool:
    """Whether ``who`` may read ``member_id``'s own data (profile,
    recommendations, published partners)."""
    return who.role in ("admin", "hub") or who.member_id == member_id


def may_see_contact(who: Principal, member_id: str) -> bool:
    return may_see_all_contacts(who) or (who.role == "member" and who.member_id == member_id)


def may_see_all_contacts(who: Principal) -> bool:
    """Whether ``who`` may read every member's contact person (the whole
    network with contacts): the secretariat only."""
    return who.role == "admin"


def may_see_partners_contacts(who: Principal, member_id: str) -> bool:
    """Whether ``who`` may read the contact persons of ``member_id``'s
    published partners: the secretariat, and the member itself (publishing
    is so that partners can reach each other); no other member.

    >>> member = Principal("k", "member", "ke-coalition")
    >>> may_see_partners_contacts(member, "ke-coalition"), may_see_partners_contacts(member, "x")
    (True, False)
    >>> may_see_partners_contacts(Principal("h", "hub"), "ke-coalition")
    False
    """
    return may_see_all_contacts(who) or (who.role == "member" and who.member_id == member_id)
