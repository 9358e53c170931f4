"""Reciprocal exchanges: the reciprocal graph, optimal disjoint exchanges (also
with at most k), partner recommendations and the `exchanges` command."""

import itertools
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from fixtures import load_demo_network
from matcher import (
    Reason,
    ScoringPolicy,
    candidate_matrix,
    default_taxonomy,
    network_arrays,
    recommend,
)
from matcher.exchanges import (
    exchange_pairs,
    is_exchange_set,
    reciprocal_reasons,
    reciprocal_scores,
    recommend_exchanges,
)
from matcher.matching import best_matching
from service.cli import app
from service.contract import validate_network
from tests.networks import member, network_docs, reordered

TAX = default_taxonomy()
NEUTRAL = ScoringPolicy(
    south_south_bonus=0, north_south_bonus=0, same_region_bonus=0, text_weight=0
)
policies = st.sampled_from([ScoringPolicy(), NEUTRAL, ScoringPolicy(history_penalty=2.0)])
runner = CliRunner()


def arrays_of(doc):
    return network_arrays(validate_network(doc), TAX)


def brute_force_matching(edges, k=None):
    """Best total weight of disjoint edges (at most k), by enumeration."""
    best = 0.0
    for size in range(1, len(edges) + 1 if k is None else min(k, len(edges)) + 1):
        for subset in itertools.combinations(edges, size):
            ends = [x for a, b, _ in subset for x in (a, b)]
            if len(set(ends)) == len(ends):
                best = max(best, math.fsum(w for _, _, w in subset))
    return best


def edges_of(reciprocal):
    upper = reciprocal.tocoo()
    return [(a, b, w) for a, b, w in zip(upper.row, upper.col, upper.data, strict=True) if a < b]


def exchange_net() -> dict:
    """A, B, C, D teach each other across four themes, E only needs.

    A⇄B weigh 1 (both full need met by a full expert), A⇄C and B⇄D 6/7 (one
    side is a level-3 expert: harmonic mean of 1 and 3/4); C and D have nothing
    for each other. Greedy takes A⇄B and strands C and D (total 1); the
    optimum is A⇄C + B⇄D = 12/7."""
    members = [
        member("a", "KE", ["en"], expertise={"digital_advocacy": 4, "legal_action": 4},
               needs={"budget_tracking": 3}),
        member("b", "KE", ["en"], expertise={"budget_tracking": 4, "fundraising": 4},
               needs={"digital_advocacy": 3}),
        member("c", "KE", ["en"], expertise={"budget_tracking": 3}, needs={"legal_action": 3}),
        member("d", "KE", ["en"], expertise={"digital_advocacy": 3}, needs={"fundraising": 3}),
        member("e", "KE", ["en"], needs={"budget_tracking": 2}),
    ]  # fmt: skip
    return {"schema_version": 1, "members": members}


@settings(max_examples=60, deadline=None)
@given(doc=network_docs(), policy=policies)
def test_reciprocal_scores_are_the_harmonic_mean_of_both_allowed_directions(doc, policy):
    arrays = arrays_of(doc)
    benefit = candidate_matrix(arrays, policy=policy, max_candidates=None)
    positive = (benefit > 0).toarray()  # stored and > 0: allowed with a positive score
    score = benefit.toarray()
    reciprocal = reciprocal_scores(arrays, policy=policy)
    stored = reciprocal.copy()
    stored.data[:] = 1
    assert (stored.toarray() == 1).tolist() == (positive & positive.T).tolist()
    for a, b, w in edges_of(reciprocal):
        x, y = score[b, a], score[a, b]
        assert w == pytest.approx(2 * x * y / (x + y), rel=1e-12)
    assert (reciprocal != reciprocal.T).nnz == 0


@settings(max_examples=80, deadline=None)
@given(doc=network_docs(), policy=policies, k=st.sampled_from([None, 1, 2, 3]))
def test_exchanges_are_disjoint_explained_and_optimal(doc, policy, k):
    arrays = arrays_of(doc)
    result = exchange_pairs(arrays, policy=policy, k=k)
    reciprocal = reciprocal_scores(arrays, policy=policy)
    score = candidate_matrix(arrays, policy=policy).toarray()
    index = {m: i for i, m in enumerate(arrays.ids)}
    pairs = [(index[e.a], index[e.b]) for e in result.pairs]
    assert is_exchange_set(pairs, reciprocal)
    assert k is None or len(pairs) <= k
    for e, (a, b) in zip(result.pairs, pairs, strict=True):
        assert e.a < e.b
        assert e.a_to_b == score[b, a] > 0 and e.b_to_a == score[a, b] > 0
        assert e.score == pytest.approx(2 * e.a_to_b * e.b_to_a / (e.a_to_b + e.b_to_a))
        assert e.score == pytest.approx(reciprocal[a, b], rel=1e-12)
        assert math.fsum(r.contribution for r in e.a_to_b_reasons) == pytest.approx(e.a_to_b)
        assert math.fsum(r.contribution for r in e.b_to_a_reasons) == pytest.approx(e.b_to_a)
        assert e.languages == arrays.shared_languages(a, b) != ()
    assert result.optimal and result.method == "exact"
    best = brute_force_matching(edges_of(reciprocal), k)
    assert result.total == pytest.approx(best, abs=1e-9)
    assert result.upper_bound == pytest.approx(result.total, abs=1e-9)
    assert result.members == 2 * len(pairs)
    assert result.reciprocal_pairs == reciprocal.nnz // 2


weighted_graphs = st.integers(2, 8).flatmap(
    lambda n: st.lists(
        st.tuples(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))
            .filter(lambda p: p[0] != p[1])
            .map(sorted)
            .map(tuple),
            # Few distinct weights: ties are where matchings go wrong.
            st.sampled_from([0.5, 1.0, 1.0, 1.5, 2.0, 2.5]) | st.floats(0.01, 3),
        ),
        max_size=16,
        unique_by=lambda e: e[0],
    ).map(lambda edges: (n, sorted(edges)))
)


@settings(max_examples=300, deadline=None)
@given(graph=weighted_graphs, k=st.sampled_from([None, 1, 2, 3]), blossom=st.sampled_from([0, 200]))
def test_both_solvers_match_brute_force_on_tiny_graphs(graph, k, blossom):
    # blossom_nodes=0 sends every component through the LP reduction and MILP.
    n, edges = graph
    a = np.array([e[0][0] for e in edges], dtype=np.int64)
    b = np.array([e[0][1] for e in edges], dtype=np.int64)
    w = np.array([e[1] for e in edges], dtype=np.float64)
    chosen, optimal, bound, method = best_matching(
        n, a, b, w, k=k, blossom_nodes=blossom, max_exact_edges=10_000
    )
    ends = np.concatenate([a[chosen], b[chosen]])
    assert len(np.unique(ends)) == len(ends)
    assert k is None or len(chosen) <= k
    assert optimal and method == "exact"
    best = brute_force_matching(list(zip(a.tolist(), b.tolist(), w.tolist(), strict=True)), k)
    assert math.fsum(w[chosen].tolist()) == pytest.approx(best, abs=1e-6)


def contributions(reasons) -> float:
    return math.fsum(r.contribution for r in reasons)


@settings(max_examples=60, deadline=None)
@given(doc=network_docs(min_members=3), policy=policies, data=st.data())
def test_every_score_is_the_sum_of_its_reasons(doc, policy, data):
    arrays = arrays_of(doc)
    for e in exchange_pairs(arrays, policy=policy).pairs:
        assert contributions(e.reasons) == pytest.approx(e.score, abs=1e-9)
        assert contributions(e.a_to_b_reasons) == pytest.approx(e.a_to_b, abs=1e-9)
        assert contributions(e.b_to_a_reasons) == pytest.approx(e.b_to_a, abs=1e-9)
        assert len({(r.kind, r.key) for r in e.reasons}) == len(e.reasons)
    me = arrays.ids[data.draw(st.integers(0, arrays.n - 1))]
    for direction in ("mentors", "mentees", "exchanges"):
        for rec in recommend(arrays, me, k=arrays.n, direction=direction, policy=policy):
            assert contributions(rec.reasons) == pytest.approx(rec.score, abs=1e-9)
            if direction == "exchanges":
                x, y = contributions(rec.gives), contributions(rec.receives)
                assert rec.score == pytest.approx(2 * x * y / (x + y), rel=1e-12)


def test_reciprocal_reasons_known_answer():
    # a teaches c legal_action (x = 1), c teaches a budget_tracking (y = 3/4):
    # 6/7 = 1 · (3/4)/(7/4) + 3/4 · 1/(7/4), half of it from each side.
    (ac, _) = exchange_pairs(arrays_of(exchange_net()), policy=NEUTRAL).pairs
    assert [(r.key, r.contribution) for r in ac.reasons] == [
        ("budget_tracking", pytest.approx(3 / 7)),
        ("legal_action", pytest.approx(3 / 7)),
    ]
    # The weaker direction weighs more; a term present both ways is listed once.
    why = reciprocal_reasons(
        0.2,
        [Reason("theme", "legal_action", 0.1), Reason("south_south", "south_south", 0.1)],
        0.8,
        [Reason("theme", "tax_justice", 0.7), Reason("south_south", "south_south", 0.1)],
    )
    assert [(r.kind, r.key, r.contribution) for r in why] == [
        ("theme", "tax_justice", pytest.approx(0.14)),
        ("theme", "legal_action", pytest.approx(0.08)),
        ("south_south", "south_south", pytest.approx(0.1)),
    ]
    assert contributions(why) == pytest.approx(2 * 0.2 * 0.8 / 1.0)


def test_known_answer_beats_greedy():
    arrays = arrays_of(exchange_net())
    result = exchange_pairs(arrays, policy=NEUTRAL)
    assert [(e.a, e.b) for e in result.pairs] == [("a", "c"), ("b", "d")]
    assert result.total == pytest.approx(12 / 7)
    assert (result.members, result.eligible, result.reciprocal_pairs) == (4, 4, 3)
    assert result.optimal and result.method == "exact"
    ac = result.pairs[0]
    assert (ac.a_to_b, ac.b_to_a) == (pytest.approx(1.0), pytest.approx(0.75))
    assert [r.key for r in ac.a_to_b_reasons] == ["legal_action"]  # what a teaches c
    assert [r.key for r in ac.b_to_a_reasons] == ["budget_tracking"]  # what c teaches a
    one = exchange_pairs(arrays, policy=NEUTRAL, k=1)
    assert [(e.a, e.b) for e in one.pairs] == [("a", "b")] and one.total == pytest.approx(1.0)
    assert exchange_pairs(arrays, policy=NEUTRAL, k=2).pairs == result.pairs
    with pytest.raises(ValueError, match="k must be"):
        exchange_pairs(arrays, k=0)


def test_recommend_exchanges_and_the_exchanges_direction():
    arrays = arrays_of(exchange_net())
    partners = recommend_exchanges(arrays, "a", k=5, policy=NEUTRAL)
    assert [(e.a, e.b) for e in partners] == [("a", "b"), ("a", "c")]
    assert partners[1].score == pytest.approx(reciprocal_scores(arrays, policy=NEUTRAL)[0, 2])
    assert recommend_exchanges(arrays, "e") == ()
    recs = recommend(arrays, "a", k=1, direction="exchanges", policy=NEUTRAL)
    assert [r.member for r in recs] == ["b"]
    (rec,) = recs
    assert [r.key for r in rec.gives] == ["digital_advocacy"]  # a teaches b
    assert [r.key for r in rec.receives] == ["budget_tracking"]  # b teaches a
    assert rec.reasons == reciprocal_reasons(1.0, rec.gives, 1.0, rec.receives)  # 1 both ways
    mentors = recommend(arrays, "a", k=5)
    assert mentors and all(r.gives == r.receives == () for r in mentors)
    with pytest.raises(ValueError, match="k must be"):
        recommend_exchanges(arrays, "a", k=0)


@settings(max_examples=40, deadline=None)
@given(doc=network_docs(min_members=3), data=st.data())
def test_recommended_partners_are_the_reciprocal_row(doc, data):
    arrays = arrays_of(doc)
    me = data.draw(st.integers(0, arrays.n - 1))
    row = reciprocal_scores(arrays)[me].toarray().ravel()
    expected = sorted(np.flatnonzero(row).tolist(), key=lambda j: (-row[j], arrays.ids[j]))
    partners = recommend_exchanges(arrays, arrays.ids[me], k=arrays.n)
    assert [e.b for e in partners] == [arrays.ids[j] for j in expected]
    assert [e.score for e in partners] == pytest.approx([row[j] for j in expected], rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(doc=network_docs(), data=st.data(), k=st.sampled_from([None, 2]))
def test_same_exchanges_whatever_the_member_order(doc, data, k):
    order = data.draw(st.permutations(range(len(doc["members"]))))
    assert exchange_pairs(arrays_of(doc), k=k) == exchange_pairs(
        arrays_of(reordered(doc, list(order))), k=k
    )


def test_is_exchange_set_rejects_overlaps_and_non_reciprocal_pairs():
    reciprocal = reciprocal_scores(arrays_of(exchange_net()), policy=NEUTRAL)
    assert is_exchange_set([], reciprocal)
    assert is_exchange_set([(0, 2), (1, 3)], reciprocal)
    assert not is_exchange_set([(0, 2), (2, 1)], reciprocal)  # c twice
    assert not is_exchange_set([(2, 3)], reciprocal)  # c and d cannot teach each other
    assert not is_exchange_set([(0, 0)], reciprocal)
    assert not is_exchange_set([(0, 9)], reciprocal)


def test_demo_fallbacks_are_labelled_and_bounded():
    arrays = arrays_of(load_demo_network())
    exact = exchange_pairs(arrays, blossom_nodes=0)  # LP reduction + MILP on the demo
    assert exact.optimal and exact.total == pytest.approx(exchange_pairs(arrays).total)
    rounded = exchange_pairs(arrays, blossom_nodes=0, max_exact_edges=0)
    assert rounded.method == "lp_rounding" and not rounded.optimal
    assert rounded.total <= exact.total + 1e-9 <= rounded.upper_bound + 2e-9
    assert exchange_pairs(arrays, k=3, max_exact_edges=0).optimal  # greedy meets the bound


def test_unproven_k_pairs_are_labelled_and_bounded():
    # 2 pairs out of this graph: the greedy's 12 is best, but the LP bound
    # says 13 and no MILP is allowed to close the gap.
    a = np.array([0, 0, 0, 0, 1, 1, 2, 3, 3, 4])
    b = np.array([1, 2, 3, 4, 2, 5, 4, 4, 5, 5])
    w = np.array([1.0, 2.0, 3.0, 5.0, 5.0, 7.0, 5.0, 3.0, 3.0, 6.0])
    chosen, optimal, bound, method = best_matching(
        6, a, b, w, k=2, blossom_nodes=200, max_exact_edges=0
    )
    assert (method, optimal, len(chosen)) == ("best_k_found", False, 2)
    assert w[chosen].sum() == 12 < bound <= 13 + 1e-9
    exact = best_matching(6, a, b, w, k=2, blossom_nodes=200, max_exact_edges=100)
    assert exact[1:] == (True, 12.0, "exact")


# ------------------------------------------------------------------------------ CLI


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def demo_member_with_partners() -> str:
    arrays = arrays_of(load_demo_network())
    return arrays.ids[int(np.flatnonzero(reciprocal_scores(arrays).getnnz(axis=1))[0])]


def test_exchanges_demo_table_in_french():
    result = invoke("exchanges", "--demo", "--lang", "fr")
    assert result.exit_code == 0, result.output
    assert "Échanges réciproques :" in result.stdout and "optimum prouvé" in result.stdout
    assert "a enseigne à b" in result.stdout and "Suivi, évaluation" in result.stdout


def test_exchanges_demo_json_and_k(tmp_path):
    result = invoke("exchanges", "--demo", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["schema_version"] == 1
    summary = doc["summary"]
    assert summary["optimal"] is True and summary["method"] == "exact"
    assert summary["pairs"] == len(doc["pairs"]) > 3 and summary["members"] == 2 * summary["pairs"]
    assert summary["network_members"] == 126 and len(summary["input_sha256"]) == 64
    assert summary["total"] == pytest.approx(math.fsum(p["score"] for p in doc["pairs"]))
    ids = [x for p in doc["pairs"] for x in (p["a"], p["b"])]
    assert len(set(ids)) == len(ids)
    for p in doc["pairs"]:
        x, y = p["a_to_b"]["score"], p["b_to_a"]["score"]
        assert p["score"] == pytest.approx(2 * x * y / (x + y)) and p["languages"]
        assert math.fsum(r["contribution"] for r in p["a_to_b"]["reasons"]) == pytest.approx(x)
        assert math.fsum(r["contribution"] for r in p["reasons"]) == pytest.approx(
            p["score"], abs=1e-9
        )
    out = tmp_path / "ex.json"
    three = invoke("exchanges", "--demo", "-k", 3, "--format", "json", "--out", out)
    assert three.exit_code == 0 and three.stdout == ""
    best = json.loads(out.read_text(encoding="utf-8"))
    assert best["summary"]["pairs"] == 3 and best["summary"]["k"] == 3
    assert best["summary"]["optimal"] is True


def test_exchanges_is_byte_identical_for_reordered_input(tmp_path):
    demo = load_demo_network()
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(demo), encoding="utf-8")
    shuffled = reordered(demo, list(reversed(range(len(demo["members"])))))
    b.write_text(json.dumps(shuffled), encoding="utf-8")
    first = invoke("exchanges", a, "--format", "json", "-k", 5)
    second = invoke("exchanges", b, "--format", "json", "-k", 5)
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout


def test_recommend_direction_exchanges():
    me = demo_member_with_partners()
    result = invoke("recommend", "--demo", "-m", me, "--direction", "exchanges", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["direction"] == "exchanges" and doc["recommendations"]
    for rec in doc["recommendations"]:
        assert rec["gives"] and rec["receives"]
        assert math.fsum(r["contribution"] for r in rec["reasons"]) == pytest.approx(
            rec["score"], abs=1e-9
        )
        directions = [math.fsum(r["contribution"] for r in rec[d]) for d in ("gives", "receives")]
        assert rec["score"] == pytest.approx(2 * math.prod(directions) / sum(directions))
    table = invoke("recommend", "--demo", "-m", me, "--direction", "exchanges", "-k", 3)
    assert table.exit_code == 0 and f"Top exchange partners for {me}" in table.stdout
    assert f"{me} teaches" in table.stdout and f"{me} learns" in table.stdout


def test_exchanges_bad_input_exits_2(tmp_path):
    broken = tmp_path / "broken.json"
    doc = exchange_net()
    doc["members"][0]["needs"]["budget_tracking"] = 9
    broken.write_text(json.dumps(doc), encoding="utf-8")
    for args in (
        ["exchanges", broken],
        ["exchanges", tmp_path / "nope.json"],
        ["exchanges"],
        ["exchanges", "--demo", "--lang", "de"],
        ["exchanges", "--demo", "-k", 0],
    ):
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output and result.stdout == ""
    assert "needs.budget_tracking = 9" in invoke("exchanges", broken).stderr
