"""The network as the matcher sees it: validated, immutable, canonically ordered.

Validation happens once, at the edge (``service.contract``); everything here
assumes valid input and only asserts invariants. Members are kept sorted by id
so that every computation is independent of the order of the input document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

KINDS = ("national_coalition", "regional_network", "international_ngo")
INTERNATIONAL = "international"
"""Region of a member with no country and no explicit region: it earns no
same-region bonus."""


@dataclass(frozen=True)
class Member:
    """One member organisation.

    ``expertise`` maps theme keys to levels 1–4 (4 = can train others) and
    ``needs`` maps theme keys to levels 1–3; absent keys mean 0.

    >>> m = Member(id="ke", name="Kenya coalition", kind="national_coalition",
    ...            languages=("en", "sw"), region="africa", global_south=True,
    ...            needs={"budget_tracking": 3})
    >>> m.mentor_capacity, m.mentee_capacity, m.has_needs
    (1, 1, True)
    """

    id: str
    name: str
    kind: str
    languages: tuple[str, ...]
    region: str
    global_south: bool
    country: str | None = None
    expertise: Mapping[str, int] = field(default_factory=dict)
    needs: Mapping[str, int] = field(default_factory=dict)
    mentor_capacity: int = 1
    mentee_capacity: int = 1
    description: str = ""

    @property
    def has_needs(self) -> bool:
        """Whether the member needs any theme at level 1 or more.

        >>> Member(id="x", name="X", kind="national_coalition", languages=("en",),
        ...        region="africa", global_south=True, needs={"fundraising": 0}).has_needs
        False
        """
        return any(level > 0 for level in self.needs.values())


@dataclass(frozen=True)
class HistoryEntry:
    """A mentor–mentee pair from an earlier round.

    >>> HistoryEntry(mentor="sn-coalition", mentee="ke-coalition", round="2025")
    HistoryEntry(mentor='sn-coalition', mentee='ke-coalition', round='2025')
    """

    mentor: str
    mentee: str
    round: str = ""


@dataclass(frozen=True)
class Network:
    """Members sorted by id, plus pair-level constraints.

    ``exclusions`` holds unordered pairs as sorted tuples; ``locked`` holds
    ``(mentor, mentee)`` pairs that a round must contain. Build one with
    :func:`make_network`.

    >>> from matcher.examples import example_network
    >>> network = example_network()
    >>> len(network.members), network.taxonomy_version
    (4, '2026.1')
    """

    members: tuple[Member, ...]
    exclusions: frozenset[tuple[str, str]] = frozenset()
    locked: tuple[tuple[str, str], ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    taxonomy_version: str = "2026.1"

    def __post_init__(self) -> None:
        ids = [m.id for m in self.members]
        assert ids == sorted(ids), "members must be sorted by id"
        assert len(set(ids)) == len(ids), "member ids must be unique"

    @property
    def ids(self) -> tuple[str, ...]:
        """Member ids, sorted.

        >>> from matcher.examples import example_network
        >>> example_network().ids
        ('fr-ngo', 'ke-coalition', 'pe-coalition', 'sn-coalition')
        """
        return tuple(m.id for m in self.members)

    def index(self) -> dict[str, int]:
        """Member id → position in ``members``.

        >>> from matcher.examples import example_network
        >>> example_network().index()["pe-coalition"]
        2
        """
        return {m.id: i for i, m in enumerate(self.members)}

    def member(self, member_id: str) -> Member:
        """The member with this id (``KeyError`` if none).

        >>> from matcher.examples import example_network
        >>> example_network().member("fr-ngo").mentor_capacity
        2
        """
        return self.members[self.index()[member_id]]

    def is_excluded(self, a: str, b: str) -> bool:
        """Whether members ``a`` and ``b`` may not be paired, in either role.

        >>> from matcher.examples import example_network
        >>> members = example_network().members
        >>> network = make_network(members, exclusions=[("sn-coalition", "fr-ngo")])
        >>> network.is_excluded("fr-ngo", "sn-coalition")  # either order
        True
        """
        return (min(a, b), max(a, b)) in self.exclusions


def make_network(
    members, *, exclusions=(), locked=(), history=(), taxonomy_version="2026.1"
) -> Network:
    """Build a :class:`Network` from members in any order.

    >>> m = Member(id="b", name="B", kind="national_coalition", languages=("en",),
    ...            region="africa", global_south=True)
    >>> make_network([m]).ids
    ('b',)
    """
    return Network(
        members=tuple(sorted(members, key=lambda m: m.id)),
        exclusions=frozenset((min(a, b), max(a, b)) for a, b in exclusions),
        locked=tuple(sorted((str(a), str(b)) for a, b in locked)),
        history=tuple(sorted(history, key=lambda h: (h.mentor, h.mentee, h.round))),
        taxonomy_version=taxonomy_version,
    )
