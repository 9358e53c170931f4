"""The console's navigation, declared once: each page's path, title and the
roles that see it. A page that is not built yet is ``ready=False``: its path
shows a "coming" placeholder (``routes.coming``) until its route is added."""

from __future__ import annotations

from dataclasses import dataclass

from service.translations import N_


@dataclass(frozen=True)
class Page:
    path: str
    title: str
    """The English title (a catalogue message: translate when shown)."""
    roles: tuple[str, ...]
    ready: bool = True


NAV = (
    Page("/console/overview", N_("Overview"), ("admin",)),
    Page("/console/members", N_("Members"), ("admin",), ready=False),
    Page("/console/import", N_("Import"), ("admin",), ready=False),
    Page("/console/rounds", N_("Rounds"), ("admin",)),
    Page("/console/capacity-map", N_("Capacity map"), ("admin",), ready=False),
    Page("/console/outcomes", N_("Outcomes & audit"), ("admin",), ready=False),
    Page("/console/keys", N_("Keys"), ("admin",)),
    Page("/console/profile", N_("My profile"), ("member",), ready=False),
)


def visible(pages: tuple[Page, ...], role: str) -> list[Page]:
    """The pages of ``role``'s navigation.

    >>> [p.title for p in visible(NAV, "member")]
    ['My profile']
    """
    return [p for p in pages if role in p.roles]


def home(role: str) -> str:
    """Where ``role`` lands after sign-in: its first page.

    >>> home("admin"), home("member")
    ('/console/overview', '/console/profile')
    """
    return visible(NAV, role)[0].path
