"""peermatch's matching engine: pure functions over arrays and dataclasses.

No file, network, database or environment access happens here; ``service``
translates between the world and these functions, and notebooks call them
directly.

>>> from matcher import default_taxonomy, mentoring_round, network_arrays, recommend
>>> from matcher.examples import example_network
>>> network = example_network()
>>> [(p.mentee, p.mentor) for p in mentoring_round(network, taxonomy=default_taxonomy()).pairs]
[('ke-coalition', 'sn-coalition'), ('sn-coalition', 'ke-coalition')]
>>> arrays = network_arrays(network, default_taxonomy())
>>> [r.member for r in recommend(arrays, "ke-coalition", k=3)]
['sn-coalition', 'fr-ngo']
"""

from matcher.candidates import candidate_matrix
from matcher.capacity_map import CapacityMap, capacity_map
from matcher.circles import (
    Circle,
    CirclesResult,
    circle_violations,
    default_themes,
    form_circles,
    louvain_circles,
    random_circles,
)
from matcher.errors import MatcherError, PairingError
from matcher.exchanges import (
    Exchange,
    ExchangeResult,
    exchange_pairs,
    is_exchange_set,
    reciprocal_scores,
    recommend_exchanges,
)
from matcher.graph import help_graph
from matcher.network import HistoryEntry, Member, Network, make_network
from matcher.options import Option, verify_option
from matcher.pairing import (
    Pairing,
    WelfareCertificate,
    blocking_pairs,
    is_valid_pairing,
    pair_mentors,
    welfare_certificate,
)
from matcher.recommend import EmptyReason, Recommendation, empty_reason, recommend
from matcher.rounds import MatchedPair, RoundResult, Unmatched, mentoring_round
from matcher.scoring import (
    Reason,
    ScoringPolicy,
    explain,
    explain_pairs,
    pair_scores,
    pair_violations,
)
from matcher.taxonomy import Taxonomy, Theme, default_taxonomy
from matcher.vectors import NetworkArrays, network_arrays

__all__ = [
    "Exchange",
    "ExchangeResult",
    "Circle",
    "CirclesResult",
    "CapacityMap",
    "EmptyReason",
    "HistoryEntry",
    "MatchedPair",
    "MatcherError",
    "Member",
    "Network",
    "NetworkArrays",
    "Option",
    "Pairing",
    "PairingError",
    "Reason",
    "Recommendation",
    "RoundResult",
    "ScoringPolicy",
    "Taxonomy",
    "Theme",
    "Unmatched",
    "WelfareCertificate",
    "blocking_pairs",
    "candidate_matrix",
    "capacity_map",
    "circle_violations",
    "default_themes",
    "empty_reason",
    "exchange_pairs",
    "is_exchange_set",
    "form_circles",
    "louvain_circles",
    "random_circles",
    "default_taxonomy",
    "explain",
    "explain_pairs",
    "help_graph",
    "is_valid_pairing",
    "make_network",
    "mentoring_round",
    "network_arrays",
    "pair_mentors",
    "pair_scores",
    "pair_violations",
    "reciprocal_scores",
    "recommend",
    "recommend_exchanges",
    "verify_option",
    "welfare_certificate",
]
