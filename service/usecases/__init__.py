"""What the CLI, the HTTP API (and the console) call: one function per thing
a user does, taking a session (or the engine, when it computes outside a
write transaction) and keyword-only data. A write runs inside the caller's
write transaction (``service.store.db.write_session``) and adds exactly one
audit record. Refusals are :mod:`service.usecases.errors`, never HTTP.
"""

from service.usecases.access import Principal, cli_actor, may_see_contact, may_see_member
from service.usecases.audit import audit, list_audit
from service.usecases.cache import NetworkCache, Snapshot
from service.usecases.capacity_map import capacity_map_document
from service.usecases.constraints import exclusion_view, list_relations, lock_view, store_relation
from service.usecases.decisions import decide, decide_many
from service.usecases.imports import ImportResult, import_network, plan_import, read_upload
from service.usecases.members import (
    create_member,
    delete_member,
    delete_relation,
    get_member,
    list_members,
    member_data,
    member_view,
    update_member,
)
from service.usecases.network import (
    member_document,
    network_document,
    network_version,
    readable_network_document,
)
from service.usecases.recommendations import recommendations, why_empty
from service.usecases.review import (
    add_feedback,
    list_feedback,
    list_proposals,
    list_rounds,
    proposal_view,
    publish,
    publish_preview,
    published,
    published_results,
    round_counts,
    round_outcomes,
    round_view,
)
from service.usecases.rounds import create_round, rerun_round

__all__ = [
    "ImportResult",
    "NetworkCache",
    "Principal",
    "Snapshot",
    "add_feedback",
    "audit",
    "capacity_map_document",
    "cli_actor",
    "create_member",
    "create_round",
    "decide",
    "decide_many",
    "exclusion_view",
    "list_relations",
    "lock_view",
    "publish_preview",
    "store_relation",
    "delete_member",
    "delete_relation",
    "get_member",
    "import_network",
    "list_audit",
    "list_feedback",
    "list_members",
    "list_proposals",
    "list_rounds",
    "may_see_contact",
    "may_see_member",
    "member_data",
    "member_document",
    "member_view",
    "network_document",
    "network_version",
    "plan_import",
    "proposal_view",
    "publish",
    "published",
    "published_results",
    "read_upload",
    "readable_network_document",
    "recommendations",
    "why_empty",
    "rerun_round",
    "round_counts",
    "round_outcomes",
    "round_view",
    "update_member",
]
