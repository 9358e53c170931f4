"""Scores: hard constraints, reasons that sum to the score, exact block scoring."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher import (
    ScoringPolicy,
    candidate_matrix,
    default_taxonomy,
    explain,
    network_arrays,
    pair_scores,
    pair_violations,
    recommend,
)
from matcher.scoring import BlockScorer
from service.contract import validate_network
from tests.networks import hand_network, network_docs

TAX = default_taxonomy()


def arrays_of(doc):
    return network_arrays(validate_network(doc), TAX)


def brute_force_score(arrays, i, j, policy):
    """The documented formula, written out one theme at a time."""
    theme = sum(
        policy.theme_weight
        * arrays.needs[i, t]
        / 3
        * max(0, arrays.expertise[j, t] - arrays.expertise[i, t])
        / 4
        for t in range(len(arrays.themes))
    )
    if theme <= 0 or i == j or not (arrays.speaks[i] & arrays.speaks[j]).any():
        return None
    if arrays.excluded[i, j] or arrays.mentor_capacity[j] == 0 or arrays.mentee_capacity[i] == 0:
        return None
    score = theme
    score += policy.south_south_bonus * (arrays.south[i] and arrays.south[j])
    score += policy.north_south_bonus * (arrays.south[i] and not arrays.south[j])
    score += policy.same_region_bonus * (
        arrays.region[i] == arrays.region[j] and arrays.region[i] < 5
    )
    score -= policy.history_penalty * bool(arrays.history[i, j])
    text = arrays.text[i].multiply(arrays.text[j]).sum()
    return score + policy.text_weight * text


policies = st.builds(
    ScoringPolicy,
    theme_weight=st.floats(0.1, 3),
    south_south_bonus=st.floats(0, 1),
    north_south_bonus=st.floats(0, 1),
    same_region_bonus=st.floats(0, 1),
    history_penalty=st.floats(0, 2),
    text_weight=st.floats(0, 1),
)


@settings(max_examples=60, deadline=None)
@given(doc=network_docs(), policy=policies)
def test_candidates_equal_the_formula_and_reasons_sum_to_scores(doc, policy):
    arrays = arrays_of(doc)
    matrix = candidate_matrix(arrays, policy=policy).toarray()
    stored = candidate_matrix(arrays, policy=policy)
    allowed = np.zeros((arrays.n, arrays.n), dtype=bool)
    allowed[stored.nonzero()] = True
    allowed[tuple(np.array(stored.nonzero()))] = True
    for i in range(arrays.n):
        for j in range(arrays.n):
            expected = brute_force_score(arrays, i, j, policy)
            coo = stored.tocoo()
            is_stored = bool(((coo.row == i) & (coo.col == j)).any())
            assert is_stored == (expected is not None), (i, j)
            assert (pair_violations(arrays, i, j) == []) == (expected is not None)
            if expected is None:
                continue
            assert matrix[i, j] == pytest.approx(expected, abs=1e-9)
            reasons = explain(arrays, i, j, policy=policy)
            assert abs(sum(r.contribution for r in reasons) - matrix[i, j]) <= 1e-9
            assert all(r.contribution != 0 for r in reasons)
            assert reasons[0].kind == "theme"


def test_score_grows_with_need_and_mentor_level():
    arrays = arrays_of(hand_network())
    idx = {m: k for k, m in enumerate(arrays.ids)}
    t = TAX.index("digital_advocacy")
    base = pair_scores(arrays, [idx["sn"]], [idx["fr-ingo"]], policy=ScoringPolicy())[0]
    arrays.needs[idx["sn"], t] = 2
    lower_need = pair_scores(arrays, [idx["sn"]], [idx["fr-ingo"]], policy=ScoringPolicy())[0]
    arrays.expertise[idx["fr-ingo"], t] = 3
    lower_level = pair_scores(arrays, [idx["sn"]], [idx["fr-ingo"]], policy=ScoringPolicy())[0]
    assert base > lower_need > lower_level > 0


def test_explain_names_themes_and_policy_terms():
    arrays = arrays_of(hand_network())
    idx = {m: k for k, m in enumerate(arrays.ids)}
    reasons = explain(arrays, idx["sn"], idx["fr-ingo"], policy=ScoringPolicy())
    kinds = [(r.kind, r.key) for r in reasons]
    assert kinds[0] == ("theme", "digital_advocacy")
    assert ("north_south", "north_south") in kinds
    assert reasons[0].contribution == pytest.approx(1.0)  # need 3, level 4 vs 0: one full unit


def test_candidate_truncation_keeps_the_best():
    arrays = arrays_of(hand_network())
    full = candidate_matrix(arrays, policy=ScoringPolicy())
    top1 = candidate_matrix(arrays, policy=ScoringPolicy(), max_candidates=1)
    for i in range(arrays.n):
        row = full.getrow(i)
        if row.nnz:
            assert top1.getrow(i).nnz == 1
            assert top1.getrow(i).data.max() == pytest.approx(row.data.max())


def test_policy_rejects_negative_weights():
    with pytest.raises(ValueError, match="south_south_bonus"):
        ScoringPolicy(south_south_bonus=-1)


def test_recommend_mentors_and_mentees():
    arrays = arrays_of(hand_network())
    mentors = recommend(arrays, "ke", k=5)
    assert [r.member for r in mentors] == ["ph", "fr-ingo"]
    assert mentors[0].languages == ("en",)
    assert abs(sum(x.contribution for x in mentors[0].reasons) - mentors[0].score) <= 1e-9
    mentees = recommend(arrays, "fr-ingo", k=2, direction="mentees")
    assert [r.member for r in mentees] == ["sn", "bf"]  # bf and ke tie; ids break ties
    assert recommend(arrays, "ye") == ()
    with pytest.raises(ValueError, match="direction"):
        recommend(arrays, "ke", direction="sideways")


def test_recommend_with_a_reused_scorer_is_the_same():
    arrays = arrays_of(hand_network())
    scorer = BlockScorer(arrays, policy=ScoringPolicy())
    for member in arrays.ids:
        for direction in ("mentors", "mentees"):
            alone = recommend(arrays, member, k=3, direction=direction)
            reused = recommend(arrays, member, k=3, direction=direction, scorer=scorer)
            assert reused == alone
