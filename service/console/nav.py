"""The console's navigation, declared once: each page's path, title and the
roles that see it."""

from __future__ import annotations

from dataclasses import dataclass

from service.translations import N_


@dataclass(frozen=True)
class Page:
    path: str
    title: str
    """The English title (a catalogue message: translate when shown)."""
    roles: tuple[str, ...]


NAV = (
    Page("/console/overview", N_("Overview"), ("admin",)),
    Page("/console/members", N_("Members"), ("admin",)),
    Page("/console/import", N_("Import"), ("admin",)),
    Page("/console/feedback/import", N_("Import feedback"), ("admin",)),
    Page("/console/rounds", N_("Rounds"), ("admin",)),
    Page("/console/constraints", N_("Locks and exclusions"), ("admin",)),
    Page("/console/capacity-map", N_("Capacity map"), ("admin",)),
    Page("/console/flow", N_("Knowledge flow"), ("admin",)),
    Page("/console/outcomes", N_("Outcomes & audit"), ("admin",)),
    Page("/console/keys", N_("Keys"), ("admin",)),
    Page("/console/profile", N_("My profile"), ("member",)),
    Page("/console/recommendations", N_("My recommendations"), ("member",)),
    Page("/console/partners", N_("My partners"), ("member",)),
    Page("/console/my-feedback", N_("My feedback"), ("member",)),
)


def visible(pages: tuple[Page, ...], role: str) -> list[Page]:
    """The pages of ``role``'s navigation.

    >>> [p.title for p in visible(NAV, "member")]
    ['My profile', 'My recommendations', 'My partners', 'My feedback']
    """
    return [p for p in pages if role in p.roles]


def home(role: str) -> str:
    """Where ``role`` lands after sign-in: its first page.

    >>> home("admin"), home("member")
    ('/console/overview', '/console/profile')
    """
    return visible(NAV, role)[0].path
