"""The canonical form of a network and its SHA-256: the same network, in any
order, gives the same hash."""

from __future__ import annotations

import hashlib
import json

from matcher.network import Member, Network
from service.contract.network import SCHEMA_VERSION


def canonical_document(network: Network) -> dict:
    """The network as a normalised document: members sorted by id, derived
    fields explicit. Two inputs that differ only in order give the same one."""
    return _canonical_document(network, [_canonical_member(m) for m in network.members])


def _canonical_document(network: Network, members: list[dict] | None) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "taxonomy_version": network.taxonomy_version,
        "members": members,
        "exclusions": sorted(list(pair) for pair in network.exclusions),
        "locked": [{"mentor": a, "mentee": b} for a, b in network.locked],
        "history": [
            {"mentor": h.mentor, "mentee": h.mentee, "round": h.round} for h in network.history
        ],
    }


def _canonical_member(m: Member) -> dict:
    return {
        "id": m.id,
        "name": m.name,
        "kind": m.kind,
        "country": m.country,
        "region": m.region,
        "global_south": m.global_south,
        "languages": sorted(m.languages),
        "expertise": dict(m.expertise),
        "needs": dict(m.needs),
        "mentor_capacity": m.mentor_capacity,
        "mentee_capacity": m.mentee_capacity,
        "description": m.description,
    }


_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# Few enough members that their dicts stay under the collector's first threshold (700 new
# containers by default), enough to spread the cost of each call to the encoder.
_HASH_CHUNK = 50


def input_sha256(network: Network) -> str:
    """SHA-256 of the canonical document: the identity of a round's input."""
    # The text is exactly that of the canonical document encoded in one go (same encoder,
    # keys in the order it sorts them, a list's items joined by ","), but the members are
    # encoded a chunk at a time: holding all their dicts at once kept the garbage collector
    # busy on large networks.
    encode = _CANONICAL_JSON.encode
    document = _canonical_document(network, None)
    members = network.members
    parts = []
    for key in sorted(document):
        parts += ["," if parts else "{", encode(key), ":"]
        if key == "members":
            parts.append("[")
            for k in range(0, len(members), _HASH_CHUNK):
                chunk = encode([_canonical_member(m) for m in members[k : k + _HASH_CHUNK]])
                parts += ["," if k else "", chunk[1:-1]]
            parts.append("]")
        else:
            parts.append(encode(document[key]))
    parts.append("}")
    return hashlib.sha256("".join(parts).encode("utf-8")).hexdigest()
