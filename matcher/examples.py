"""Networks small enough to follow by hand, for the engine's docstring
examples (and for trying the engine in a shell)."""

from __future__ import annotations

from matcher.network import Member, Network, make_network
from matcher.taxonomy import default_taxonomy
from matcher.vectors import NetworkArrays, network_arrays

__all__ = ["circle_arrays", "example_arrays", "example_network"]


def example_network() -> Network:
    """Four members, one per line: who needs what (level 1–3), who knows what
    (level 1–4), in which working languages.

    - ``ke-coalition`` (Africa, South; en, sw): needs budget tracking (3);
      expert in campaigning (4);
    - ``sn-coalition`` (Africa, South; fr, en): expert in budget tracking (4);
      needs campaigning (2);
    - ``fr-ngo`` (Europe, North; fr, en): expert in budget tracking (3) and
      fundraising (4), mentors up to two members, needs nothing;
    - ``pe-coalition`` (Latin America, South; es): needs fundraising (3),
      but nobody else speaks Spanish.

    >>> [m.id for m in example_network().members]
    ['fr-ngo', 'ke-coalition', 'pe-coalition', 'sn-coalition']
    """
    south = dict(kind="national_coalition", global_south=True)
    return make_network(
        [
            Member(id="ke-coalition", name="Kenya coalition", languages=("en", "sw"),
                   region="africa", needs={"budget_tracking": 3},
                   expertise={"campaigning_mobilisation": 4}, **south),
            Member(id="sn-coalition", name="Senegal coalition", languages=("en", "fr"),
                   region="africa", needs={"campaigning_mobilisation": 2},
                   expertise={"budget_tracking": 4}, **south),
            Member(id="fr-ngo", name="French NGO", kind="international_ngo",
                   languages=("en", "fr"), region="europe_north_america", global_south=False,
                   expertise={"budget_tracking": 3, "fundraising": 4}, mentor_capacity=2),
            Member(id="pe-coalition", name="Peru coalition", languages=("es",),
                   region="latin_america_caribbean", needs={"fundraising": 3}, **south),
        ]
    )  # fmt: skip


def example_arrays() -> NetworkArrays:
    """:func:`example_network` as arrays over the default taxonomy; members
    are sorted by id, so ``fr-ngo`` is 0, ``ke-coalition`` 1,
    ``pe-coalition`` 2 and ``sn-coalition`` 3.

    >>> example_arrays().ids
    ('fr-ngo', 'ke-coalition', 'pe-coalition', 'sn-coalition')
    """
    return network_arrays(example_network(), default_taxonomy())


def circle_arrays() -> NetworkArrays:
    """Five members around budget tracking, for the learning circles'
    examples: ``ph`` (Asia–Pacific) can anchor it (level 4); ``ke`` (3),
    ``sn`` (2), ``ug`` (1) and ``ml`` (2) need it; all speak English but
    ``ml``, who speaks French, as ``sn`` does too.

    >>> circle_arrays().ids
    ('ke', 'ml', 'ph', 'sn', 'ug')
    """
    org = dict(kind="national_coalition", languages=("en",), region="africa", global_south=True)
    members = [
        Member(id="ph", name="PH", **{**org, "region": "asia_pacific"},
               expertise={"budget_tracking": 4}),
        Member(id="ke", name="KE", **org, needs={"budget_tracking": 3}),
        Member(id="sn", name="SN", **{**org, "languages": ("fr", "en")},
               needs={"budget_tracking": 2}),
        Member(id="ug", name="UG", **org, needs={"budget_tracking": 1}),
        Member(id="ml", name="ML", **{**org, "languages": ("fr",)},
               needs={"budget_tracking": 2}),
    ]  # fmt: skip
    return network_arrays(make_network(members), default_taxonomy())
