"""The console's overview of the network: members by region and by
North/South, the most-needed themes the network cannot meet (from the
capacity map document), the newest draft and published rounds, and the
latest audit records."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlmodel import Session

from service.documents.capacity_map import group_label
from service.usecases.audit import list_audit
from service.usecases.cache import NetworkCache
from service.usecases.capacity_map import capacity_map_document
from service.usecases.review import list_rounds

UNMET_SHOWN = 5
ACTIVITY_SHOWN = 8
ROUNDS_READ = 50
"""The newest rounds searched for the current draft and the last published."""


def overview(session: Session, cache: NetworkCache, *, lang: str) -> dict[str, Any]:
    """The overview page's data, labels in ``lang``."""
    network = cache.snapshot(session).network
    regions = Counter(m.region for m in network.members)
    sides = Counter("global_south" if m.global_south else "global_north" for m in network.members)
    cmap = capacity_map_document(session, cache, by="north_south", lang=lang)
    unmet = sorted(
        (t for t in cmap["themes"] if t["unserved"] > 0),
        key=lambda t: (-t["unserved"], -t["demand"]["members"], t["theme"]),
    )[:UNMET_SHOWN]
    rounds = list_rounds(session, limit=ROUNDS_READ, offset=0).items
    return {
        "members": len(network.members),
        "by_region": [
            (group_label(region, lang), n)
            for region, n in sorted(regions.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "by_side": [
            (group_label(side, lang), sides[side]) for side in ("global_south", "global_north")
        ],
        "unmet": [
            {
                "label": cmap["labels"]["themes"][t["theme"]],
                "unserved": t["unserved"],
                "needs": t["demand"]["members"],
                "experts": t["supply"]["members"],
            }
            for t in unmet
        ],
        "draft": {
            kind: next((r for r in rounds if r.status == "draft" and r.kind == kind), None)
            for kind in ("mentoring", "exchanges", "circles")
        },
        "published": {
            kind: next((r for r in rounds if r.status == "published" and r.kind == kind), None)
            for kind in ("mentoring", "exchanges", "circles")
        },
        "activity": list_audit(session, limit=ACTIVITY_SHOWN, offset=0).items,
    }
