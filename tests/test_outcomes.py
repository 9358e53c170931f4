"""The outcome analysis (issue 16 §1): every figure of a small hand-built
history checked by hand, Newcombe's difference interval against the
published worked examples, and what must hold for any history."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.history import EMPTY, FORMATS, Answer, History, PastRound, Person, Relation
from matcher.intervals import bootstrap_mean_interval, wilson_interval
from matcher.outcomes import DIRECTIONS, GROUPINGS, NO_THEME, newcombe_interval, outcome_analysis

# Members: side (south), region, first language. "x" is unknown (deleted).
PEOPLE = {
    "n1": (False, "eu", "en"),
    "n2": (False, "eu", "fr"),
    "s1": (True, "af", "fr"),
    "s2": (True, "af", "ar"),
    "s3": (True, "la", "es"),
    "x": (None, None, None),
}
MEMBERS = tuple(Person(k, r, s, lang) for k, (s, r, lang) in PEOPLE.items())
ROUNDS = (
    PastRound(1, "mentoring", 0),
    PastRound(2, "exchange", 1),
    PastRound(3, "circle", 2),
    PastRound(4, "mentoring", 3),  # archived since: counted as any other
)


def pair(key, round_id, mentor, mentee, themes, language):
    return Relation(
        key, round_id, "mentoring", (mentor,), (mentee,), (mentor, mentee), themes, language, ()
    )


def exchange(key, a, b, themes, language):
    return Relation(key, 2, "exchange", (a, b), (a, b), (a, b), themes, language, ())


def circle(key, givers, member, theme, language):
    return Relation(key, 3, "circle", givers, (member,), (member,), (theme,), language, ())


RELATIONS = (
    # Mentoring: direction, region, language community noted for each.
    pair("m1", 1, "n1", "s1", ("budget_tracking",), "fr"),  # N→S, cross, across (n1 en)
    pair(
        "m2", 1, "s1", "s2", ("budget_tracking", "digital_advocacy"), "fr"
    ),  # S→S, same, across (s2 ar)
    pair("m3", 1, "s2", "n1", ("digital_advocacy",), "en"),  # S→N, cross, across (s2 ar)
    pair("m4", 4, "n1", "n2", ("budget_tracking",), "en"),  # N→N, same, across (n2 fr)
    pair("m5", 4, "s1", "n2", ("budget_tracking",), "fr"),  # S→N, cross, within (both fr)
    pair("m6", 4, "x", "s1", (), "fr"),  # unknown, unknown, unknown; no theme
    # Exchanges: two-way, so N↔S whichever side is "a".
    exchange("e1", "n1", "s1", ("budget_tracking", "digital_advocacy"), "en"),  # N↔S, cross, across
    exchange("e2", "s1", "s2", ("digital_advocacy",), "fr"),  # S↔S, same, across
    exchange("e3", "s1", "n2", ("budget_tracking",), "fr"),  # N↔S, cross, within
    # Circle c (anchors n1, s2; learners s1, s3) on advocacy in French.
    circle("c:n1", ("s2",), "n1", "digital_advocacy", "fr"),  # S→N, cross, across
    circle("c:s2", ("n1",), "s2", "digital_advocacy", "fr"),  # N→S, cross, across
    circle("c:s1", ("n1", "s2"), "s1", "digital_advocacy", "fr"),  # mixed, cross, across
    circle("c:s3", ("n1", "s2"), "s3", "digital_advocacy", "fr"),  # mixed, cross, across
    # Circle d: one anchor s1 (no giver for itself) and learner s3, in Spanish.
    circle("d:s1", (), "s1", "budget_tracking", "es"),  # unknown, unknown (alone), across
    circle("d:s3", ("s1",), "s3", "budget_tracking", "es"),  # S→S, cross, across
)


def answer(relation, who, met, usefulness, learned=(), continued=None):
    return Answer(relation, who, met, usefulness, learned, continued)


ANSWERS = (
    answer("m1", "s1", True, 5, ("budget_tracking",), True),
    answer("m1", "n1", True, 4, ("budget_tracking",)),
    answer("m2", "s2", False, 2, (), False),
    answer("m3", "s2", True, 4, ("digital_advocacy", "budget_tracking"), True),
    answer("m3", "n1", True, 3, ("digital_advocacy",), True),
    answer("m5", "n2", False, 1, (), False),
    answer("m6", "s1", True, 5, ("budget_tracking",)),
    answer("e1", "n1", True, 4),
    answer("e1", "s1", True, 5),
    answer("e2", "s1", False, 3),
    answer("c:n1", "n1", True, 4),
    answer("c:s2", "s2", True, 5),
    answer("c:s1", "s1", True, 3),
    answer("c:s3", "s3", False, 2),
    answer("d:s3", "s3", True, 4),
)
HISTORY = History(MEMBERS, ROUNDS, RELATIONS, ANSWERS)


@pytest.fixture(scope="module")
def analysis():
    return outcome_analysis(HISTORY, seed=7)


def fmt(analysis, name):
    return next(f for f in analysis.formats if f.format == name)


def groups(analysis, name, grouping):
    return {g.key: g for g in fmt(analysis, name).groups[grouping]}


def test_mentoring_overall_by_hand(analysis):
    m = fmt(analysis, "mentoring").overall
    # 6 pairs; m4 has no answer: 5 answered. Answers: m1 2, m2 1, m3 2, m5 1, m6 1 = 7.
    assert (m.relations, m.answered, m.answers, m.enough) == (6, 5, 7, True)
    assert m.response_rate == pytest.approx(5 / 6)
    # Met: m1 ×2, m3 ×2, m6 = 5 of 7.
    assert (m.met, m.share_met) == (5, pytest.approx(5 / 7))
    assert m.share_met_interval == wilson_interval(5, 7)
    # Usefulness 5 + 4 + 2 + 4 + 3 + 1 + 5 = 24 over 7 answers.
    assert m.mean_usefulness == pytest.approx(24 / 7)
    low, high = m.usefulness_interval
    assert 1 <= low < 24 / 7 < high <= 5
    # Distinct themes learned per answered pair: m1 {budget} 1, m2 0,
    # m3 {advocacy, budget} 2 (the union of both answers), m5 0, m6 1 → 4 / 5.
    assert m.themes_learned == pytest.approx(0.8)
    # Said whether it continued: m1 yes, m2 no, m3 yes yes, m5 no → 3 of 5.
    assert m.continued == pytest.approx(0.6)


def test_mentoring_groups_by_hand(analysis):
    direction = groups(analysis, "mentoring", "direction")
    assert list(direction) == list(DIRECTIONS["mentoring"])  # fixed order
    counts = {k: (g.relations, g.answered, g.answers) for k, g in direction.items()}
    assert counts == {
        "north_to_south": (1, 1, 2),  # m1
        "south_to_south": (1, 1, 1),  # m2
        "south_to_north": (2, 2, 3),  # m3, m5
        "north_to_north": (1, 0, 0),  # m4
        "unknown": (1, 1, 1),  # m6: the mentor's side is unknown
    }
    s_n = direction["south_to_north"]
    # Met 2 of 3 (m3 twice, m5 not); usefulness (4 + 3 + 1) / 3 — too few to tell.
    assert (s_n.met, s_n.enough, s_n.share_met_interval, s_n.usefulness_interval) == (
        2,
        False,
        None,
        None,
    )
    assert s_n.mean_usefulness == pytest.approx(8 / 3)
    region = groups(analysis, "mentoring", "region")
    assert {k: g.relations for k, g in region.items()} == {
        "same_region": 2,  # m2 (af, af), m4 (eu, eu)
        "cross_region": 3,  # m1, m3, m5
        "unknown": 1,  # m6
    }
    language = groups(analysis, "mentoring", "language")
    assert {k: g.relations for k, g in language.items()} == {
        "within": 1,  # m5: French, the first language of s1 and n2
        "across": 4,
        "unknown": 1,
    }
    theme = groups(analysis, "mentoring", "theme")
    # A pair counts once under each of its themes: m2 is in both.
    assert {k: g.relations for k, g in theme.items()} == {
        "digital_advocacy": 2,  # m2, m3
        "budget_tracking": 4,  # m1, m2, m4, m5
        NO_THEME: 1,  # m6
    }
    rounds = groups(analysis, "mentoring", "round")
    assert list(rounds) == ["1", "4"]
    first = rounds["1"]
    # Round 1: m1, m2, m3 all answered; 5 answers, 4 met (m1 ×2, m3 ×2);
    # usefulness 5 + 4 + 2 + 4 + 3 = 18 → 3.6. Enough to tell.
    assert (first.relations, first.answered, first.answers, first.met) == (3, 3, 5, 4)
    assert first.share_met_interval == wilson_interval(4, 5)
    assert [round(x, 4) for x in first.share_met_interval] == [0.3755, 0.9638]
    assert first.mean_usefulness == pytest.approx(3.6)
    assert rounds["4"].response_rate == pytest.approx(2 / 3)


def test_exchanges_and_circles_by_hand(analysis):
    direction = groups(analysis, "exchange", "direction")
    assert {k: g.relations for k, g in direction.items()} == {
        "south_south": 1,  # e2
        "north_south": 2,  # e1 (n1, s1) and e3 (s1, n2): either way round
        "north_north": 0,
        "unknown": 0,
    }
    e = fmt(analysis, "exchange").overall
    # e1 answered by both sides, e2 by one, e3 by none: 3 answers, too few.
    assert (e.relations, e.answered, e.answers, e.enough) == (3, 2, 3, False)
    assert e.share_met_interval is None and e.usefulness_interval is None
    assert groups(analysis, "exchange", "language")["within"].relations == 1  # e3

    c = fmt(analysis, "circle").overall
    # 6 circle members, 5 answered once each: met 4 of 5; usefulness 4+5+3+2+4 = 18.
    assert (c.relations, c.answered, c.answers, c.met) == (6, 5, 5, 4)
    assert c.mean_usefulness == pytest.approx(3.6) and c.enough
    direction = groups(analysis, "circle", "direction")
    assert {k: g.relations for k, g in direction.items()} == {
        "north_to_south": 1,  # c:s2, taught by n1
        "south_to_south": 1,  # d:s3, taught by s1
        "south_to_north": 1,  # c:n1, taught by s2
        "north_to_north": 0,
        "mixed": 2,  # c:s1, c:s3: anchors from both sides
        "unknown": 1,  # d:s1: the only anchor, no one teaches it
    }
    region = groups(analysis, "circle", "region")
    assert {k: g.relations for k, g in region.items()} == {
        "same_region": 0,
        "cross_region": 5,
        "unknown": 1,  # d:s1 alone: nobody to compare with
    }
    assert groups(analysis, "circle", "round")["3"].relations == 6


def test_differences_between_formats(analysis):
    diffs = {(d.first, d.second): d for d in analysis.differences}
    assert list(diffs) == [
        ("mentoring", "exchange"),
        ("mentoring", "circle"),
        ("exchange", "circle"),
    ]
    # Exchanges have 3 answers: too few to tell on either difference with them.
    assert not diffs["mentoring", "exchange"].enough
    assert diffs["mentoring", "exchange"].share_met_interval is None
    assert not diffs["exchange", "circle"].enough
    d = diffs["mentoring", "circle"]
    # 5/7 − 4/5 = −0.0857; 24/7 − 18/5 = −0.1714.
    assert d.enough and d.share_met == pytest.approx(5 / 7 - 4 / 5)
    assert d.share_met_interval == newcombe_interval((5, 7), (4, 5))
    assert d.mean_usefulness == pytest.approx(24 / 7 - 3.6)
    low, high = d.usefulness_interval
    assert low < d.mean_usefulness < high


# Newcombe (1998), "Interval estimation for the difference between
# independent proportions: comparison of eleven methods", Statistics in
# Medicine 17:873–890, Table II, method 10 (hybrid score, no continuity
# correction): examples (a) to (d).
NEWCOMBE_TABLE_II = [
    ((56, 70), (48, 80), (0.0524, 0.3339)),
    ((9, 10), (3, 10), (0.1705, 0.8090)),
    ((6, 7), (2, 7), (0.0582, 0.8062)),
    ((5, 56), (0, 29), (-0.0381, 0.1926)),
]


@pytest.mark.parametrize(("first", "second", "expected"), NEWCOMBE_TABLE_II)
def test_newcombe_matches_the_published_examples(first, second, expected):
    low, high = newcombe_interval(first, second)
    assert (round(low, 4), round(high, 4)) == expected


def test_newcombe_needs_answers_on_both_sides():
    assert newcombe_interval((0, 0), (3, 5)) is None


def test_usefulness_interval_agrees_with_the_answer_by_answer_bootstrap():
    """The engine resamples usefulness counts (multinomial) rather than
    answers one by one: the same distribution, so its interval agrees with
    matcher.intervals' within Monte Carlo error."""
    values = [1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 5] * 4
    rels = tuple(pair(f"p{k}", 1, "n1", "s1", (), "fr") for k in range(len(values)))
    history = History(
        MEMBERS,
        (PastRound(1, "mentoring", 0),),
        rels,
        tuple(answer(f"p{k}", "s1", True, v) for k, v in enumerate(values)),
    )
    ours = fmt(outcome_analysis(history), "mentoring").overall.usefulness_interval
    theirs = bootstrap_mean_interval(values, seed=3)
    assert ours == pytest.approx(theirs, abs=0.1)


def test_empty_history_is_a_valid_empty_answer():
    found = outcome_analysis(EMPTY)
    assert [f.format for f in found.formats] == list(FORMATS)
    for f in found.formats:
        assert f.overall.relations == 0 and f.overall.response_rate is None
        assert [g.relations for g in f.groups["direction"]] == [0] * len(DIRECTIONS[f.format])
        assert f.groups["theme"] == () and f.groups["round"] == ()
    assert all(not d.enough for d in found.differences)


# Any history: a handful of members with any side, region and language.
IDS = ["a", "b", "c", "d", "e"]
person = st.builds(
    Person,
    id=st.just(""),
    region=st.sampled_from([None, "af", "eu"]),
    south=st.sampled_from([None, True, False]),
    language=st.sampled_from([None, "en", "fr"]),
)


@st.composite
def histories(draw):
    people = tuple(
        p.__class__(i, p.region, p.south, p.language)
        for i, p in zip(
            IDS, draw(st.lists(person, min_size=len(IDS), max_size=len(IDS))), strict=True
        )
    )
    formats = draw(st.lists(st.sampled_from(FORMATS), max_size=4))
    rounds = tuple(PastRound(k + 1, f, k) for k, f in enumerate(formats))
    relations, answers = [], []
    for k in range(draw(st.integers(0, 25)) if rounds else 0):
        r = draw(st.sampled_from(rounds))
        givers = tuple(draw(st.lists(st.sampled_from(IDS), max_size=2, unique=True)))
        receiver = draw(st.sampled_from(IDS))
        themes = tuple(draw(st.lists(st.sampled_from(["t1", "t2", "t3"]), max_size=2, unique=True)))
        language = draw(st.sampled_from([None, "en", "fr"]))
        key = f"r{k}"
        relations.append(
            Relation(key, r.id, r.format, givers, (receiver,), (receiver,), themes, language, ())
        )
        for _ in range(draw(st.integers(0, 3))):
            answers.append(
                Answer(
                    key,
                    receiver,
                    draw(st.booleans()),
                    draw(st.integers(1, 5)),
                    tuple(draw(st.lists(st.sampled_from(["t1", "t2"]), max_size=2))),
                    draw(st.sampled_from([None, True, False])),
                )
            )
    return History(people, rounds, tuple(relations), tuple(answers))


def _all_groups(found):
    for f in found.formats:
        yield f.overall
        for grouping in f.groups.values():
            yield from grouping


@settings(max_examples=60, deadline=None)
@given(histories(), st.integers(0, 2**32 - 1))
def test_what_holds_for_any_history(history, seed):
    found = outcome_analysis(history, seed=seed)
    assert found == outcome_analysis(history, seed=seed)  # deterministic
    for f in found.formats:
        total = f.overall
        assert tuple(f.groups) == GROUPINGS
        # Every relation in exactly one group (themes: once per theme).
        for name in ("direction", "region", "language", "round"):
            groups_ = f.groups[name]
            assert sum(g.relations for g in groups_) == total.relations
            assert sum(g.answered for g in groups_) == total.answered
            assert sum(g.answers for g in groups_) == total.answers
            assert sum(g.met for g in groups_) == total.met
        mine = [r for r in history.relations if r.format == f.format]
        per_theme = sum(max(1, len(set(r.themes))) for r in mine)
        assert sum(g.relations for g in f.groups["theme"]) == per_theme
    for g in _all_groups(found):
        assert 0 <= g.answered <= g.relations and g.answered <= g.answers
        assert g.enough == (g.answers >= 5)
        if g.enough:
            low, high = g.share_met_interval
            assert 0 <= low <= g.share_met <= high <= 1
            low, high = g.usefulness_interval
            assert 1 <= low <= g.mean_usefulness <= high <= 5
        else:
            assert g.share_met_interval is None and g.usefulness_interval is None
    for d in found.differences:
        if d.enough:
            low, high = d.share_met_interval
            assert -1 <= low <= d.share_met <= high <= 1
            low, high = d.usefulness_interval
            assert low <= d.mean_usefulness <= high
        else:
            assert d.share_met is None and d.usefulness_interval is None


def test_the_shares_are_shares(analysis):
    for g in _all_groups(analysis):
        for share in (g.response_rate, g.share_met, g.continued):
            assert share is None or (0 <= share <= 1 and not math.isnan(share))


# The document every surface renders, and the figure drawn from it.


def test_the_hub_document_leaves_out_groups_of_one_to_four_relations(analysis):
    from service.documents.outcomes import outcomes_document

    admin = outcomes_document(analysis, lang="en", audience="admin")
    hub = outcomes_document(analysis, lang="en", audience="hub")
    assert admin.left_out == 0
    # Mentoring has 6 pairs (shown), exchanges 3 and circles 6: the exchange
    # format is left out whole, and with it both differences it is in.
    shown = {f.format: f.overall for f in hub.formats}
    assert shown["exchange"] is None and shown["mentoring"].relations == 6
    assert [(d.first, d.second) for d in hub.differences] == [("mentoring", "circle")]
    groups_left = 0
    for f in hub.formats:
        for grouping in f.groupings:
            assert all(g.relations == 0 or g.relations >= 5 for g in grouping.groups)
            groups_left += grouping.left_out
    # Every non-empty group here has fewer than 5 relations except circles'
    # cross-region (5), across languages (6) and round 3 (6): mentoring 5
    # direction + 3 region + 3 language + 3 theme + 2 round = 16; exchange
    # 2 + 2 + 2 + 2 + 1 = 9; circle 5 + 2 + 0 + 2 + 0 = 9: the unknown region
    # (1 relation) would come back as the format's 6 minus cross-region's 5,
    # so cross-region is left out with it.
    assert groups_left == 16 + 9 + 9
    assert hub.left_out == groups_left + 1 + 2  # the exchange format, two differences
    # In a partition, what is left out holds no relation or at least 5.
    for f_admin, f_hub in zip(admin.formats, hub.formats, strict=True):
        for g_admin, g_hub in zip(f_admin.groupings, f_hub.groupings, strict=True):
            if g_admin.grouping == "theme" or f_hub.overall is None:
                continue
            shown_keys = {g.key for g in g_hub.groups}
            left = sum(g.relations for g in g_admin.groups if g.key not in shown_keys)
            assert left == 0 or left >= 5, (f_admin.format, g_admin.grouping)


def test_the_document_says_too_few_in_plain_words(analysis):
    from service.documents.outcomes import outcomes_document

    doc = outcomes_document(analysis, lang="fr", audience="admin")
    exchange = next(f for f in doc.formats if f.format == "exchange").overall
    assert exchange.label != "Reciprocal exchanges"
    assert exchange.verdict == "Trop peu de réponses pour conclure (moins de 5)."
    assert exchange.share_met is None and exchange.mean_usefulness is None
    mentoring = next(f for f in doc.formats if f.format == "mentoring").overall
    assert mentoring.verdict.startswith("5 réponses sur 7 disent l'objectif atteint : 71")


def test_a_theme_since_dropped_from_the_taxonomy_keeps_its_key():
    from service.documents.outcomes import group_label

    assert group_label("theme", "no-such-theme", "en") == "no-such-theme"


def test_the_figure_is_the_same_for_the_same_document_and_mirrored_in_arabic(analysis):
    from service.documents.outcomes import outcomes_document
    from service.report.outcome_figures import figure_svg, outcome_rows, outcomes_figure

    en = outcomes_document(analysis, lang="en", audience="admin")
    ar = outcomes_document(analysis, lang="ar", audience="admin")
    svg = figure_svg(outcomes_figure(en), label="Outcomes")
    assert svg == figure_svg(outcomes_figure(en), label="Outcomes")
    assert svg.startswith("<svg") and 'aria-label="Outcomes"' in svg
    assert "style" not in svg  # the console's CSP refuses inline styles
    # One row per format and per direction group with relations.
    rows = outcome_rows(en)
    assert len(rows) == 3 + 5 + 2 + 5
    assert svg.count("too few to tell") == 2 * sum(1 for _label, g, _b in rows if 0 < g.answers < 5)
    mirrored = figure_svg(outcomes_figure(ar), label="x")
    assert "أزواج الإرشاد" in mirrored and "\u2067" in mirrored
