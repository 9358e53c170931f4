"""Learning circles: hard constraints (checked twice), the bound against an
exact MILP optimum, determinism, known answers, left-out reasons and the CLI."""

import itertools
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import LinearConstraint, milp
from scipy.sparse import lil_matrix
from typer.testing import CliRunner

from fixtures import load_demo_network
from matcher import default_taxonomy, network_arrays
from matcher.circles import DEFAULT_THEMES, circle_violations, form_circles
from matcher.circles.baselines import louvain_circles, random_circles
from matcher.errors import MatcherError
from service.cli import app
from service.contract import validate_network
from tests.networks import member, network_docs, reordered

TAX = default_taxonomy()


def arrays_of(doc):
    return network_arrays(validate_network(doc), TAX)


def plain_problems(doc, result, *, size, max_per_member):
    """The hard constraints, checked from the document itself (not the arrays)."""
    by_id = {m["id"]: m for m in doc["members"]}
    excluded = {frozenset(p) for p in doc.get("exclusions", [])}
    count = {}
    problems = []
    for circle in result.circles:
        ids = [m.id for m in circle.members]
        t = circle.theme
        problems += ["duplicate"] if len(set(ids)) != len(ids) else []
        problems += ["size"] if not size[0] <= len(ids) <= size[1] else []
        anchors = 0
        for x in ids:
            m = by_id[x]
            count[x] = count.get(x, 0) + 1
            if circle.language not in [lang.lower() for lang in m["languages"]]:
                problems.append(f"{x} language")
            anchor = m["expertise"].get(t, 0) >= 3 and m.get("mentor_capacity", 1) > 0
            anchors += anchor
            if not anchor and not (m["needs"].get(t, 0) > 0 and m.get("mentee_capacity", 1) > 0):
                problems.append(f"{x} has no role")
        problems += ["no anchor"] if anchors == 0 else []
        problems += [
            f"{a}-{b} excluded"
            for a, b in itertools.combinations(ids, 2)
            if frozenset((a, b)) in excluded
        ]
    problems += [f"{x} in {c} circles" for x, c in count.items() if c > max_per_member]
    return problems


def exact_optimum(arrays, themes, *, size, max_per_member):
    """The best need covered over every feasible set of circles (MILP over
    all candidate circles, x binary per circle, y per (circle, learner) credit;
    for tiny networks only)."""
    circles = []  # (theme, members, best anchor level, learners)
    for key in themes:
        t = arrays.themes.index(key)
        anchor = (arrays.expertise[:, t] >= 3) & (arrays.mentor_capacity > 0)
        learner = (arrays.needs[:, t] > 0) & (arrays.mentee_capacity > 0) & ~anchor
        for lang in range(len(arrays.languages)):
            pool = np.flatnonzero((anchor | learner) & arrays.speaks[:, lang]).tolist()
            for k in range(size[0], min(size[1], len(pool)) + 1):
                for group in itertools.combinations(pool, k):
                    if not any(anchor[i] for i in group):
                        continue
                    if any(arrays.excluded[i, j] for i, j in itertools.combinations(group, 2)):
                        continue
                    level = max(int(arrays.expertise[i, t]) for i in group if anchor[i])
                    learners = [i for i in group if not anchor[i]]
                    circles.append((t, group, level, learners))
    if not circles:
        return 0.0
    credits = [(c, i) for c, (_, _, _, learners) in enumerate(circles) for i in learners]
    n_x, n_y = len(circles), len(credits)
    value = np.zeros(n_x + n_y)
    for k, (c, i) in enumerate(credits):
        t, _, level, _ = circles[c]
        value[n_x + k] = arrays.needs[i, t] * level / 4
    # Rows: y <= x; one credit per (learner, theme); max_per_member circles per member.
    a = lil_matrix((n_y + arrays.n * len(arrays.themes) + arrays.n, n_x + n_y))
    for k, (c, i) in enumerate(credits):
        a[k, n_x + k], a[k, c] = 1, -1
        t = circles[c][0]
        a[n_y + i * len(arrays.themes) + t, n_x + k] = 1
    for c, (_, group, _, _) in enumerate(circles):
        for i in group:
            a[n_y + arrays.n * len(arrays.themes) + i, c] = 1
    upper = np.concatenate(
        [np.zeros(n_y), np.ones(arrays.n * len(arrays.themes)), np.full(arrays.n, max_per_member)]
    )
    res = milp(
        -value,
        constraints=LinearConstraint(a.tocsr(), -np.inf, upper),
        integrality=np.concatenate([np.ones(n_x), np.zeros(n_y)]),
        bounds=(0, 1),
    )
    assert res.status == 0
    return -res.fun


# --------------------------------------------------------------- strategies

THEMES = ["budget_tracking", "digital_advocacy", "fundraising"]
COUNTRIES = ["KE", "SN", "FR", "BR", "JP", "EG", "IN", "GB", None]


@st.composite
def circle_networks(draw, *, min_members=6, max_members=24):
    """Networks dense enough on 2–3 themes for circles to form."""
    themes = draw(st.lists(st.sampled_from(THEMES), min_size=2, max_size=3, unique=True))
    n = draw(st.integers(min_members, max_members))
    members = []
    for k in range(n):
        country = draw(st.sampled_from(COUNTRIES))
        extra = {}
        if country is None:
            extra = {"kind": "international_ngo", "global_south": draw(st.booleans())}
        levels = st.dictionaries(st.sampled_from(themes), st.integers(0, 4), max_size=2)
        members.append(
            member(
                f"m{k:02d}",
                country,
                draw(
                    st.lists(
                        st.sampled_from(["en", "fr", "es"]), min_size=1, max_size=2, unique=True
                    )
                ),
                expertise=draw(levels),
                needs=draw(st.dictionaries(st.sampled_from(themes), st.integers(0, 3), max_size=3)),
                mentor=draw(st.sampled_from([0, 1, 1, 2])),
                mentee=draw(st.sampled_from([0, 1, 1, 2])),
                **extra,
            )
        )
    ids = [m["id"] for m in members]
    pairs = st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda p: p[0] != p[1])
    doc = {
        "schema_version": 1,
        "members": members,
        "exclusions": [list(p) for p in draw(st.lists(pairs, max_size=4, unique=True))],
        "history": [
            {"mentor": a, "mentee": b, "round": "2025-A"}
            for a, b in draw(st.lists(pairs, max_size=4, unique=True))
        ],
    }
    size = draw(st.sampled_from([(4, 8), (3, 5), (2, 4)]))
    return doc, themes, size, draw(st.integers(1, 3)), draw(st.integers(0, 3))


FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -------------------------------------------------------------------- properties


@FAST
@given(circle_networks())
def test_every_circle_satisfies_the_hard_constraints(case):
    doc, themes, size, m, seed = case
    arrays = arrays_of(doc)
    for form in (form_circles, random_circles, louvain_circles):
        result = form(arrays, themes=themes, size=size, max_per_member=m, seed=seed)
        assert circle_violations(arrays, result.circles, size=size, max_per_member=m) == []
        assert plain_problems(doc, result, size=size, max_per_member=m) == []
        assert result.need_covered <= result.bound + 1e-9
        for circle in result.circles:
            assert abs(sum(r.contribution for r in circle.reasons) - circle.score) <= 1e-9
            learners = [x for x in circle.members if x.role == "learner"]
            assert abs(sum(x.credit for x in learners) - circle.need_covered) <= 1e-9


@settings(max_examples=25, deadline=None)
@given(network_docs(max_members=9))
def test_small_random_networks(doc):
    arrays = arrays_of(doc)
    result = form_circles(arrays, themes=["budget_tracking", "digital_advocacy"], seed=1)
    assert circle_violations(arrays, result.circles) == []
    assert plain_problems(doc, result, size=(4, 8), max_per_member=2) == []
    assert 0 <= result.need_covered <= result.bound + 1e-9


@settings(max_examples=30, deadline=None)
@given(circle_networks(min_members=4, max_members=8))
def test_bound_is_above_the_exact_optimum(case):
    doc, themes, size, m, seed = case
    arrays = arrays_of(doc)
    result = form_circles(arrays, themes=themes, size=size, max_per_member=m, seed=seed)
    best = exact_optimum(arrays, themes, size=size, max_per_member=m)
    assert result.need_covered <= best + 1e-6 <= result.bound + 2e-6


@settings(max_examples=15, deadline=None)
@given(circle_networks(), st.randoms(use_true_random=False))
def test_deterministic_and_independent_of_member_order(case, rnd):
    doc, themes, size, m, seed = case
    first = form_circles(arrays_of(doc), themes=themes, size=size, max_per_member=m, seed=seed)
    again = form_circles(arrays_of(doc), themes=themes, size=size, max_per_member=m, seed=seed)
    order = list(range(len(doc["members"])))
    rnd.shuffle(order)
    shuffled = form_circles(
        arrays_of(reordered(doc, order)), themes=themes, size=size, max_per_member=m, seed=seed
    )
    assert first == again == shuffled


# ----------------------------------------------------------------- known answers


def two_language_network(*, with_f3: bool = True) -> dict:
    """One theme, an English and a French pool; ``b`` speaks both."""
    bt = "budget_tracking"
    members = [
        member("a-en", "GB", ["en"], expertise={bt: 4}),
        member("e1", "KE", ["en"], needs={bt: 3}),
        member("e2", "NG", ["en"], needs={bt: 3}),
        member("e3", "IN", ["en"], needs={bt: 2}),
        member("e4", "PH", ["en"], needs={bt: 1}),
        member("a-fr", "FR", ["fr"], expertise={bt: 3}),
        member("f1", "SN", ["fr"], needs={bt: 2}),
        member("f2", "ML", ["fr"], needs={bt: 2}),
        member("b", "CM", ["en", "fr"], needs={bt: 3}),
    ]
    if with_f3:
        members.append(member("f3", "CI", ["fr"], needs={bt: 2}))
    return {"schema_version": 1, "members": members}


def circle_sets(result):
    return {(c.language, frozenset(c.ids)) for c in result.circles}


def test_known_answer_bilingual_learner_joins_the_stronger_anchor():
    # Both pools can form without b, so b (need 3) goes where the anchor is
    # strongest: 12 in English (level 4) + 3 × 2 × 0.75 in French = 16.5,
    # exactly the bound.
    result = form_circles(arrays_of(two_language_network()), themes=["budget_tracking"], seed=0)
    assert circle_sets(result) == {
        ("en", frozenset({"a-en", "e1", "e2", "e3", "e4", "b"})),
        ("fr", frozenset({"a-fr", "f1", "f2", "f3"})),
    }
    assert result.need_covered == result.bound == 16.5 and result.gap == 0
    assert result.left_out == ()


def test_known_answer_bilingual_learner_completes_the_french_circle():
    # Without f3 the French pool has 3 members. b joins both circles: it is
    # credited once, in English (3 × 4/4), and makes the French circle
    # possible (f1, f2: 2 × 2 × 3/4): 12 + 3 = 15, the exact optimum and the bound.
    arrays = arrays_of(two_language_network(with_f3=False))
    result = form_circles(arrays, themes=["budget_tracking"], seed=0)
    assert circle_sets(result) == {
        ("en", frozenset({"a-en", "e1", "e2", "e3", "e4", "b"})),
        ("fr", frozenset({"a-fr", "f1", "f2", "b"})),
    }
    optimum = exact_optimum(arrays, ["budget_tracking"], size=(4, 8), max_per_member=2)
    assert result.need_covered == optimum == result.bound == 15.0
    credit = {(c.language, m.id): (m.role, m.credit) for c in result.circles for m in c.members}
    assert credit[("en", "b")] == ("learner", 3.0) and credit[("fr", "b")] == ("learner", 0.0)
    assert credit[("fr", "a-fr")] == ("anchor", 0.0) and credit[("fr", "f1")] == ("learner", 1.5)
    # With one circle per member b moves to French: 9 + 3 × 2 × 3/4 + ... = 14.25,
    # the exact optimum then; the bound still credits b in English (15).
    single = form_circles(arrays, themes=["budget_tracking"], max_per_member=1, seed=0)
    assert (
        single.need_covered
        == 14.25
        == exact_optimum(arrays, ["budget_tracking"], size=(4, 8), max_per_member=1)
    )
    assert single.bound == 15.0 and single.left_out == ()


def test_left_out_reasons():
    bt, da, fr, la = "budget_tracking", "digital_advocacy", "fundraising", "legal_action"
    members = [
        member("a", "GB", ["en"], expertise={bt: 4}),
        *[
            member(f"l{k}", c, ["en"], needs={bt: 3, da: 1})
            for k, c in enumerate("KE NG IN PH".split())
        ],
        member("d", "US", ["en"], expertise={da: 4}),
        *[member(f"m{k}", c, ["en"], needs={da: 3}) for k, c in enumerate("GH ZA BD".split())],
        member("x", "UG", ["en"], needs={bt: 2}),
        member("y", "EG", ["ar"], needs={bt: 2}),
        member("z", "TZ", ["en"], needs={la: 2}),
        member("f", "FR", ["fr"], expertise={fr: 4}),
        member("g", "SN", ["fr"], needs={fr: 2}),
    ]
    doc = {"schema_version": 1, "members": members, "exclusions": [["x", "a"]]}
    result = form_circles(arrays_of(doc), themes=[bt, da, fr, la], max_per_member=1, seed=0)
    assert result.themes == (bt, da) and result.skipped_themes == (fr, la)
    assert circle_sets(result) == {
        ("en", frozenset({"a", "l0", "l1", "l2", "l3"})),
        ("en", frozenset({"d", "m0", "m1", "m2"})),
    }
    why = {(x.member, x.theme): (x.code, x.reason) for x in result.left_out}
    assert why[("y", bt)] == ("no_shared_language", "no anchor on budget_tracking speaks ar")
    assert why[("x", bt)][0] == "excluded"
    assert why[("z", la)][0] == "no_anchor"
    assert why[("g", fr)] == (
        "circle_limits",
        "fewer than 4 members can meet on fundraising in fr",
    )
    for k in range(4):
        assert why[(f"l{k}", da)] == ("circle_limits", "already in 1 circles (max_per_member 1)")
    assert len(why) == 8


def test_default_themes_come_from_the_capacity_map():
    from matcher.capacity_map import capacity_map

    doc = load_demo_network()
    arrays = arrays_of(doc)
    result = form_circles(arrays, seed=0)

    def can_form(key):  # an anchor, a learner and 4 members in some language
        for lang in arrays.languages:
            speakers = [m for m in doc["members"] if lang in m["languages"]]
            anchors = [
                m
                for m in speakers
                if m["expertise"].get(key, 0) >= 3 and m.get("mentor_capacity", 1) > 0
            ]
            learners = [m for m in speakers if m["needs"].get(key, 0) > 0 and m not in anchors]
            if anchors and learners and len(anchors) + len(learners) >= 4:
                return True
        return False

    ranked = capacity_map(arrays).themes_by_unmet_demand()
    assert result.themes == tuple([k for k in ranked if can_form(k)][:DEFAULT_THEMES])
    assert len(result.themes) == DEFAULT_THEMES and result.skipped_themes == ()
    assert result.need_covered >= 0.9 * result.bound  # the target on the demo


def test_bad_options():
    arrays = arrays_of(two_language_network())
    with pytest.raises(MatcherError, match="did you mean 'budget_tracking'"):
        form_circles(arrays, themes=["budget_traking"])
    for size in [(5, 4), (1, 3), "x"]:
        with pytest.raises(MatcherError, match="size"):
            form_circles(arrays, themes=["budget_tracking"], size=size)
    with pytest.raises(MatcherError, match="max_per_member"):
        form_circles(arrays, themes=["budget_tracking"], max_per_member=0)


def test_violations_are_reported():
    arrays = arrays_of(two_language_network())
    result = form_circles(arrays, themes=["budget_tracking"], seed=0)
    (en,) = [c for c in result.circles if c.language == "en"]
    problems = circle_violations(arrays, [en, en, en], max_per_member=2)
    assert "a-en is in 3 circles (max_per_member 2)" in problems
    bad = type("C", (), {"theme": "budget_tracking", "language": "fr", "members": en.ids})
    problems = circle_violations(arrays, [bad], size=(4, 5))
    assert any("6 members, outside 4-5" in p for p in problems)
    assert any("e1 does not speak fr" in p for p in problems)


# ---------------------------------------------------------------------------- CLI

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_cli_demo_table_default_themes():
    result = invoke("circles", "--demo", "--lang", "fr")
    assert result.exit_code == 0, result.output
    assert "Cercles d'apprentissage :" in result.stdout and "besoin couvert" in result.stdout
    assert "référent" in result.stdout and "apprenant" in result.stdout


def test_cli_json_with_themes(tmp_path):
    out = tmp_path / "circles.json"
    result = invoke(
        "circles",
        "--demo",
        "--themes",
        "fundraising,mel",
        "--format",
        "json",
        "--seed",
        3,
        "--size",
        "4-6",
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["schema_version"] == 1
    summary = doc["summary"]
    assert summary["themes"] == ["fundraising", "mel"]
    assert 0 < summary["need_covered"] <= summary["bound"] and len(summary["input_sha256"]) == 64
    assert summary["size"] == [4, 6] and summary["seed"] == 3
    assert summary["circles"] == len(doc["circles"]) > 0
    for circle in doc["circles"]:
        assert 4 <= len(circle["members"]) <= 6 and circle["theme"] in summary["themes"]
        assert {m["role"] for m in circle["members"]} <= {"anchor", "learner"}
    assert {x["code"] for x in doc["left_out"]} <= {
        "no_anchor",
        "no_shared_language",
        "excluded",
        "circle_limits",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--size", "9-4"], "--size must be MIN-MAX"),
        (["--size", "x"], "--size must be MIN-MAX"),
        (["--themes", "budget_traking"], "did you mean 'budget_tracking'"),
    ],
)
def test_cli_bad_options_exit_2(args, message):
    result = invoke("circles", "--demo", *args)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_cli_json_is_byte_identical_for_reordered_input(tmp_path):
    demo = load_demo_network()
    paths = []
    for name, doc in (("a", demo), ("b", reordered(demo, list(reversed(range(126)))))):
        paths.append(tmp_path / f"{name}.json")
        paths[-1].write_text(json.dumps(doc), encoding="utf-8")
    a, b = (invoke("circles", p, "--format", "json", "--seed", 5) for p in paths)
    assert a.exit_code == b.exit_code == 0
    assert a.stdout == b.stdout
