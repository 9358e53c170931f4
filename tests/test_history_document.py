"""A history document becomes the engine's History: one relation per pair
and exchange, one per member of a circle; answers find their relation; a
member who left the network stays, with unknown region, side and language."""

from datetime import UTC, datetime

import pytest

from matcher.examples import example_network
from matcher.history import Flow, History, PastRound, Relation, check_history
from service.usecases.history import to_history

KE, SN, FR, PE = "ke-coalition", "sn-coalition", "fr-ngo", "pe-coalition"


def _document():
    return {
        "rounds": [
            {
                "id": 1,
                "kind": "mentoring",
                "status": "archived",
                "published_at": "2026-01-10T00:00:00+00:00",
                "relations": [
                    {
                        "id": 10,
                        "kind": "pair",
                        "mentor": SN,
                        "mentee": KE,
                        "themes": ["budget_tracking"],
                        "languages": ["en"],
                    }
                ],
            },
            {
                "id": 2,
                "kind": "exchanges",
                "status": "archived",
                "published_at": "2026-02-10T00:00:00+00:00",
                "relations": [
                    {
                        "id": 20,
                        "kind": "exchange",
                        "a": KE,
                        "b": SN,
                        "a_teaches": ["campaigning_mobilisation"],
                        "b_teaches": ["budget_tracking"],
                        "languages": ["en", "fr"],
                    }
                ],
            },
            {
                "id": 3,
                "kind": "circles",
                "status": "published",
                "published_at": "2026-03-10T00:00:00+00:00",
                "relations": [
                    {
                        "id": 30,
                        "kind": "circle",
                        "theme": "fundraising",
                        "language": "en",
                        "members": [
                            {"member": FR, "role": "anchor"},
                            {"member": "gone-member", "role": "learner"},
                            {"member": KE, "role": "learner"},
                        ],
                    }
                ],
            },
        ],
        "feedback": [
            _answer(10, KE, met=True),
            _answer(10, SN, met=False),
            _answer(20, None, met=True),
            _answer(30, KE, met=True),
            # The side of an old answer on a circle is unknown: it cannot be
            # told apart from the other members' and is left out.
            _answer(30, None, met=False),
        ],
    }


def _answer(relation, member, *, met):
    return {
        "relation": relation,
        "member": member,
        "met": met,
        "usefulness": 4,
        "themes_learned": [],
        "continued": None,
        "comment": "",
        "author": "admin",
        "at": "2026-04-01T00:00:00+00:00",
    }


def test_relations_flows_and_answers():
    history = to_history(example_network(), _document())
    assert history.rounds == (
        PastRound(
            id=1, format="mentoring", order=0, published_at=datetime(2026, 1, 10, tzinfo=UTC)
        ),
        PastRound(id=2, format="exchange", order=1, published_at=datetime(2026, 2, 10, tzinfo=UTC)),
        PastRound(id=3, format="circle", order=2, published_at=datetime(2026, 3, 10, tzinfo=UTC)),
    )
    by_key = {r.key: r for r in history.relations}
    assert sorted(by_key) == ["10", "20", "30:fr-ngo", "30:gone-member", "30:ke-coalition"]
    assert by_key["10"] == Relation(
        key="10",
        round_id=1,
        format="mentoring",
        givers=(SN,),
        receivers=(KE,),
        respondents=(SN, KE),
        themes=("budget_tracking",),
        language="en",
        flows=(Flow(SN, KE, "budget_tracking"),),
    )
    assert by_key["20"].flows == (
        Flow(KE, SN, "campaigning_mobilisation"),
        Flow(SN, KE, "budget_tracking"),
    )
    # The anchor receives from no one; each learner from the anchor.
    assert by_key["30:fr-ngo"].flows == ()
    assert by_key["30:ke-coalition"].flows == (Flow(FR, KE, "fundraising"),)
    assert [(a.relation, a.respondent, a.met) for a in history.answers] == [
        ("10", KE, True),
        ("10", SN, False),
        ("20", None, True),
        ("30:ke-coalition", KE, True),
    ]
    people = {p.id: p for p in history.members}
    assert people[PE].needs == frozenset({"fundraising"})  # never in a relation, still counted
    assert (people[KE].region, people[KE].south, people[KE].language) == ("africa", True, "en")
    gone = people["gone-member"]
    assert (gone.region, gone.south, gone.language) == (None, None, None)


def test_an_empty_document_is_an_empty_history():
    history = to_history(example_network(), {"rounds": [], "feedback": []})
    assert (history.rounds, history.relations, history.answers) == ((), (), ())
    assert len(history.members) == 4


def test_check_history_refuses_what_does_not_hold_together():
    history = to_history(example_network(), _document())
    with pytest.raises(ValueError, match="round ids repeat"):
        check_history(History(history.members, history.rounds * 2, (), ()))
    bad_answer = history.answers[0].__class__(
        relation="nope", respondent=None, met=True, usefulness=3
    )
    with pytest.raises(ValueError, match="unknown relation"):
        check_history(History(history.members, history.rounds, history.relations, (bad_answer,)))


def test_a_pair_works_in_the_language_both_members_speak_first():
    from matcher.network import Member, make_network

    # The engine lists shared languages alphabetically: en before es.
    spanish_first = dict(kind="national_coalition", languages=("es", "en"), global_south=True)
    network = make_network(
        [
            Member(id="cl", name="Chile", region="latin_america_caribbean", **spanish_first),
            Member(id="pe", name="Peru", region="latin_america_caribbean", **spanish_first),
        ]
    )
    pair = {"id": 1, "kind": "pair", "mentor": "cl", "mentee": "pe", "themes": []}
    document = {
        "rounds": [
            {
                "id": 1,
                "kind": "mentoring",
                "status": "archived",
                "published_at": None,
                "relations": [{**pair, "languages": ["en", "es"]}],
            }
        ],
        "feedback": [],
    }
    (relation,) = to_history(network, document).relations
    assert relation.language == "es"  # within their language community, not across
