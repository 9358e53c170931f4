"""The knowledge-flow map (matcher.flow): every figure of a small hand-built
history worked out by hand, and what must hold for any history."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.flow import MEMBER_STATUSES, Desert, FlowBroker, MemberNeeds, ThemeReach, flow_map
from matcher.history import EMPTY, FORMATS, Flow, History, PastRound, Person, Relation

B, F, L, M = "budget_tracking", "fundraising", "legal_action", "mel"
AF, AR, AP, EU, LA = (
    "africa",
    "arab_states",
    "asia_pacific",
    "europe_north_america",
    "latin_america_caribbean",
)


def person(id, region, south, language, *needs):
    return Person(id=id, region=region, south=south, language=language, needs=frozenset(needs))


MEMBERS = (
    person("a", AF, True, "fr", F),
    person("b", AF, True, "en", B, L),
    person("c", AR, True, "ar", B),
    person("d", EU, False, "en"),
    person("e", LA, True, "es", M),
    person("f", EU, False, "fr", L),
    person("g", AP, True, "en", B),
    person("h", AP, True, "en", F),
    person("k", LA, True, "es", B),  # in no relation: never reached
    person("x", None, None, None),  # no longer in the network: region unknown
)


def pair(key, round_id, mentor, mentee, *themes):
    return Relation(
        key, round_id, "mentoring", (mentor,), (mentee,), (mentor, mentee), themes, "en",
        tuple(Flow(mentor, mentee, t) for t in themes),
    )  # fmt: skip


def exchange(key, round_id, a, b, a_teaches, b_teaches):
    flows = tuple(Flow(a, b, t) for t in a_teaches) + tuple(Flow(b, a, t) for t in b_teaches)
    themes = tuple(dict.fromkeys((*a_teaches, *b_teaches)))
    return Relation(key, round_id, "exchange", (a, b), (a, b), (a, b), themes, "en", flows)


def circle_member(key, round_id, member, givers, theme):
    flows = tuple(Flow(g, member, theme) for g in givers)
    return Relation(key, round_id, "circle", givers, (member,), (member,), (theme,), "en", flows)


HISTORY = History(
    members=MEMBERS,
    rounds=(
        PastRound(10, "mentoring", 0),
        PastRound(11, "exchange", 1),
        PastRound(12, "circle", 2),
    ),
    relations=(
        # Round 0, mentoring: d→b on B and L; a→c on B; g→x on M.
        pair("1", 10, "d", "b", B, L),
        pair("2", 10, "a", "c", B),
        pair("6", 10, "g", "x", M),
        # Round 1, exchanges: a→b on B and b→a on F; d→e on M (e teaches nothing).
        exchange("3", 11, "a", "b", (B,), (F,)),
        exchange("4", 11, "d", "e", (M,), ()),
        # Round 2, circles: circle 5 on L, anchors d and b, learner f;
        # circle 8 on M, its sole anchor h and no learner (no flow).
        circle_member("5:b", 12, "b", ("d",), L),
        circle_member("5:d", 12, "d", ("b",), L),
        circle_member("5:f", 12, "f", ("d", "b"), L),
        circle_member("8:h", 12, "h", (), M),
    ),
    answers=(),
)
"""Southern members: a b c e g h k, so s·(s − 1) = 7·6 = 42 possible S→S ties.
Regions in the matrix (all five present, UNESCO order): africa 0,
arab_states 1, asia_pacific 2, europe_north_america 3, latin_america 4."""


def test_round_zero_by_hand():
    r = flow_map(HISTORY).rounds[0]
    assert (r.round_id, r.order, r.format) == (10, 0, "mentoring")
    i = r.indicators
    # Flows d→b ×2, a→c, g→x; ties (a,c) (d,b) (g,x), all new.
    assert (i.flows, i.ties, i.new_ties, i.repeated_ties) == (4, 3, 3, 0)
    # In a relation: a b c d g x; giving d a g; receiving b c x; nobody both.
    assert (i.members_in_relation, i.giving, i.receiving, i.giving_and_receiving) == (6, 3, 3, 0)
    assert i.reciprocity == 0.0
    # Only a→c is South→South (d is North, x's side is unknown).
    assert (i.south_south_ties, i.south_south_density) == (1, 1 / 42)
    # Regions known on d→b ×2 (Europe→Africa), a→c (Africa→Arab States): all cross.
    assert (i.crossing_regions, i.regions_known, i.crossing_region_share) == (3, 3, 1.0)
    # Languages: d→b en→en twice, a→c fr→ar crosses.
    assert (i.crossing_languages, i.languages_known, i.crossing_language_share) == (1, 3, 1 / 3)
    assert [(t.source, t.target, t.flows, t.themes, t.new) for t in r.ties] == [
        ("a", "c", 1, (B,), True),
        ("d", "b", 2, (B, L), True),
        ("g", "x", 1, (M,), True),
    ]
    # Europe→Africa 2, Africa→Arab States 1; g→x has an end of unknown region.
    assert r.matrix[3][0] == 2 and r.matrix[0][1] == 1 and sum(map(sum, r.matrix)) == 3
    assert r.unplaced == 1


def test_round_one_by_hand():
    r = flow_map(HISTORY).rounds[1]
    i = r.indicators
    # a→b, b→a, d→e: three ties, none seen in round 0.
    assert (i.flows, i.ties, i.new_ties, i.repeated_ties) == (3, 3, 3, 0)
    # a b d e in a relation; a and b both give and receive.
    assert (i.members_in_relation, i.giving_and_receiving, i.reciprocity) == (4, 2, 0.5)
    assert (i.south_south_ties, i.south_south_density) == (2, 2 / 42)  # a→b, b→a
    assert i.crossing_region_share == 1 / 3  # only d→e (Europe→Latin America)
    assert i.crossing_language_share == 1.0  # fr→en, en→fr, en→es
    assert [t.new for t in r.ties] == [True, True, True]
    assert r.matrix[0][0] == 2 and r.matrix[3][4] == 1 and r.unplaced == 0


def test_round_two_by_hand():
    r = flow_map(HISTORY).rounds[2]
    i = r.indicators
    # d→b (seen in round 0: repeated), b→d, d→f, b→f (new).
    assert (i.flows, i.ties, i.new_ties, i.repeated_ties) == (4, 4, 3, 1)
    assert [(t.source, t.target, t.new) for t in r.ties] == [
        ("b", "d", True),
        ("b", "f", True),
        ("d", "b", False),
        ("d", "f", True),
    ]
    # b d f h in a relation (h: the sole anchor); b and d both give and receive.
    assert (i.members_in_relation, i.giving_and_receiving, i.reciprocity) == (4, 2, 0.5)
    assert (i.south_south_ties, i.south_south_density) == (0, 0.0)
    # Cross regions: d→b, b→d, b→f; d→f stays in Europe.
    assert (i.crossing_regions, i.crossing_region_share) == (3, 0.75)
    # Cross languages: d→f and b→f (en→fr).
    assert (i.crossing_languages, i.crossing_language_share) == (2, 0.5)
    assert (r.matrix[3][0], r.matrix[0][3], r.matrix[3][3]) == (1, 2, 1)


def test_cumulative_by_hand():
    fmap = flow_map(HISTORY)
    i = fmap.cumulative
    assert fmap.members == 10
    assert fmap.regions == (AF, AR, AP, EU, LA)
    # 4 + 3 + 4 flows; 3 + 3 + 3 new ties; d→b is the one tie that came back.
    assert (i.flows, i.ties, i.new_ties, i.repeated_ties) == (11, 9, 9, 1)
    # Everyone but k is in a relation; givers a b d g; receivers a b c d e f x.
    assert (i.members_in_relation, i.giving, i.receiving) == (9, 4, 7)
    assert (i.giving_and_receiving, i.reciprocity) == (3, 1 / 3)  # a, b, d
    assert (i.south_south_ties, i.south_south_density) == (3, 3 / 42)  # a→c, a→b, b→a
    assert (i.crossing_regions, i.regions_known, i.crossing_region_share) == (7, 10, 0.7)
    assert (i.crossing_languages, i.languages_known, i.crossing_language_share) == (6, 10, 0.6)
    assert fmap.matrix == (
        (2, 1, 0, 2, 0),  # Africa → Africa (a→b, b→a), Arab States (a→c), Europe (b→d, b→f)
        (0, 0, 0, 0, 0),
        (0, 0, 0, 0, 0),
        (3, 0, 0, 1, 1),  # Europe → Africa (d→b ×3), Europe (d→f), Latin America (d→e)
        (0, 0, 0, 0, 0),
    )
    assert fmap.unplaced == 1  # g→x


def test_members_by_hand():
    fmap = flow_map(HISTORY)
    assert fmap.status == {
        "never_reached": ("k",),
        "only_receiving": ("c", "e", "f", "x"),
        "only_giving": ("g",),
        "both": ("a", "b", "d"),
        "no_flow": ("h",),  # the anchor of a circle without learners
    }
    # a got F from b, b got B and L, c got B, e got M, f got L; g h k did not.
    assert fmap.needs_unmet == (
        MemberNeeds("g", (B,)),
        MemberNeeds("h", (F,)),
        MemberNeeds("k", (B,)),
    )


def test_themes_and_deserts_by_hand():
    fmap = flow_map(HISTORY)
    assert fmap.themes == (
        # B: d→b, a→c, a→b; received by b and c; needed by b c g k (g, k unmet).
        ThemeReach(B, receivers=2, sources=2, flows=3, demand=4, needs_unmet=2),
        # F: b→a; needed by a and h (h unmet).
        ThemeReach(F, receivers=1, sources=1, flows=1, demand=2, needs_unmet=1),
        # L: d→b twice, b→d, d→f, b→f; needed by b and f.
        ThemeReach(L, receivers=3, sources=2, flows=5, demand=2, needs_unmet=0),
        # M: g→x, d→e; needed by e.
        ThemeReach(M, receivers=2, sources=2, flows=2, demand=1, needs_unmet=0),
    )
    # B reached Africa (b) and the Arab States (c), not Asia-Pacific (g) nor
    # Latin America (k); F reached Africa (a), not Asia-Pacific (h).
    assert fmap.deserts == (Desert(B, AP, 1), Desert(B, LA, 1), Desert(F, AP, 1))


def test_brokers_by_hand():
    fmap = flow_map(HISTORY)
    # Shortest chains through b: a→d, a→f, a→e, d→a, d→c (5); through a:
    # b→c, d→c (2); through d: a→e, b→e (2). Normalised by (n−1)(n−2) = 72.
    assert fmap.brokers == (
        FlowBroker("b", pytest.approx(5 / 72), gives_to=3, receives_from=2),
        FlowBroker("a", pytest.approx(2 / 72), gives_to=2, receives_from=1),
        FlowBroker("d", pytest.approx(2 / 72), gives_to=3, receives_from=1),
    )
    assert fmap.broker_sources is None


def test_empty_history_is_a_valid_empty_map():
    fmap = flow_map(EMPTY)
    assert fmap.rounds == () and fmap.regions == () and fmap.brokers == ()
    assert fmap.cumulative.flows == 0 and fmap.cumulative.reciprocity is None
    assert fmap.cumulative.south_south_density is None
    assert fmap.status == {s: () for s in MEMBER_STATUSES}


# --- any history --------------------------------------------------------

IDS = [f"m{k}" for k in range(8)]
THEMES = [B, F, L]


@st.composite
def histories(draw) -> History:
    n = draw(st.integers(0, len(IDS)))
    ids = IDS[:n]
    members = tuple(
        Person(
            id=m,
            region=draw(st.sampled_from([None, AF, EU, LA])),
            south=draw(st.sampled_from([None, True, False])),
            language=draw(st.sampled_from([None, "en", "fr"])),
            needs=frozenset(draw(st.sets(st.sampled_from(THEMES)))),
        )
        for m in ids
    )
    formats = draw(st.lists(st.sampled_from(FORMATS), max_size=4 if n >= 2 else 0))
    rounds = tuple(PastRound(100 + k, fmt, k) for k, fmt in enumerate(formats))
    relations = []
    for past in rounds:
        for k in range(draw(st.integers(0, 4))):
            a, b = draw(st.lists(st.sampled_from(ids), min_size=2, max_size=2, unique=True))
            themes = tuple(draw(st.lists(st.sampled_from(THEMES), max_size=2, unique=True)))
            back = draw(st.booleans())
            flows = tuple(Flow(a, b, t) for t in themes) + (
                tuple(Flow(b, a, t) for t in themes) if back else ()
            )
            relations.append(
                Relation(
                    f"{past.id}-{k}", past.id, past.format, (a,), (b,), (a, b), themes, None, flows
                )
            )
    return History(members=members, rounds=rounds, relations=tuple(relations), answers=())


@settings(max_examples=150, deadline=None)
@given(histories())
def test_counts_add_up(history):
    fmap = flow_map(history)
    for r in fmap.rounds:
        i = r.indicators
        assert i.new_ties + i.repeated_ties == i.ties == len(r.ties)
        assert sum(t.new for t in r.ties) == i.new_ties
        assert sum(map(sum, r.matrix)) + r.unplaced == i.flows == sum(t.flows for t in r.ties)
        assert i.giving_and_receiving <= min(i.giving, i.receiving)
    c = fmap.cumulative
    assert sum(r.indicators.new_ties for r in fmap.rounds) == c.ties == c.new_ties
    assert sum(r.indicators.flows for r in fmap.rounds) == c.flows
    assert sum(map(sum, fmap.matrix)) + fmap.unplaced == c.flows
    assert c.repeated_ties <= sum(r.indicators.repeated_ties for r in fmap.rounds)
    assert sum(t.flows for t in fmap.themes) == c.flows
    for share in (c.reciprocity, c.south_south_density, c.crossing_region_share):
        assert share is None or 0 <= share <= 1


@settings(max_examples=150, deadline=None)
@given(histories())
def test_members_are_partitioned(history):
    fmap = flow_map(history)
    listed = [m for s in MEMBER_STATUSES for m in fmap.status[s]]
    assert sorted(listed) == sorted(p.id for p in history.members)
    in_relation = {m for r in history.relations for m in (*r.givers, *r.receivers)}
    sources = {f.source for r in history.relations for f in r.flows}
    targets = {f.target for r in history.relations for f in r.flows}
    assert set(fmap.status["never_reached"]) == {p.id for p in history.members} - in_relation
    assert set(fmap.status["only_receiving"]) == targets - sources
    assert set(fmap.status["only_giving"]) == sources - targets
    assert set(fmap.status["both"]) == sources & targets
    for gap in fmap.needs_unmet:
        assert all(
            not any(
                f.target == gap.member and f.theme == t for r in history.relations for f in r.flows
            )
            for t in gap.themes
        )


@settings(max_examples=60, deadline=None)
@given(histories(), st.randoms(use_true_random=False))
def test_deterministic_whatever_the_order_of_relations(history, rng):
    shuffled = list(history.relations)
    rng.shuffle(shuffled)
    assert flow_map(history) == flow_map(history)
    assert flow_map(replace(history, relations=tuple(shuffled))) == flow_map(history)
