"""Every kind of problem the service answers, once: its status, title, what
it means and how to fix it. A problem document's ``type`` is the address of
its kind's page, ``{base}/problems/{kind}`` (``GET /problems/{kind}``:
HTML, or JSON for ``Accept: application/json``); ``docs/problems.md`` lists
the same kinds, and a test checks that this table covers every kind the code
names."""

from __future__ import annotations

from typing import NamedTuple

from starlette.requests import Request


class Kind(NamedTuple):
    status: int
    title: str
    meaning: str
    fix: str


KINDS: dict[str, Kind] = {
    "bad-request": Kind(
        400,
        "Bad request",
        "The request cannot be read: its body is not decodable JSON, or its "
        "Content-Length is not a whole number.",
        "Send UTF-8 JSON (numbers under 4,300 digits, a few hundred levels of "
        "nesting at most) with a correct Content-Length.",
    ),
    "unauthorized": Kind(
        401,
        "Missing or unknown API key",
        "The request has no X-API-Key header, or its key is unknown or revoked.",
        "Send a valid key in the X-API-Key header; an administrator creates one "
        "with `peermatch keys create`.",
    ),
    "forbidden": Kind(
        403,
        "Not allowed for this key's role",
        "The key is valid, but its role (admin, hub or member) may not do this.",
        "Use a key whose role may: the detail names the roles allowed.",
    ),
    "forbidden-field": Kind(
        403,
        "Not allowed for this key's role",
        "A member key tried to change a field only the secretariat may change "
        "(e.g. the region or the kind).",
        "Send only the fields a member may change (the detail and errors name "
        "the others), or ask the secretariat.",
    ),
    "not-found": Kind(
        404,
        "Not found",
        "No such address, or no member, round, proposal, lock or exclusion with "
        "this id (a member key sees only its own member).",
        "Check the address and the id; list what exists with the list endpoints.",
    ),
    "method-not-allowed": Kind(
        405,
        "Method not allowed",
        "The address exists but does not answer this HTTP method.",
        "Use a method the OpenAPI document (/docs) lists for this address.",
    ),
    "conflict": Kind(
        409,
        "Conflict with the current state",
        "The request is well formed but the current data refuses it: the id "
        "exists, the round is already published, a capacity is reached, or the "
        "change would break the stored network.",
        "Read the current state (the detail and errors say what conflicts), "
        "then change the request or the data first.",
    ),
    "stale-revision": Kind(
        409,
        "The round changed since you read it",
        "A decision was sent with If-Match naming a revision of the round that "
        "other decisions, a re-run or a publication have moved on from.",
        "Read the round again (errors list what changed, by whom), then decide "
        "on what it shows now, with its new revision.",
    ),
    "undecided-proposals": Kind(
        409,
        "Undecided proposals",
        "Publishing a round that still has undecided proposals needs a choice "
        "for them; errors list each one with its members.",
        'Decide on them, or publish with {"undecided": "withdraw"} or '
        '{"undecided": "approve"}; GET .../publish-preview shows the result first.',
    ),
    "too-large": Kind(
        413,
        "Request body too large",
        "The request body is larger than the service accepts.",
        "Split the body (e.g. import in parts) or raise PEERMATCH_MAX_BODY_BYTES.",
    ),
    "unsupported-media-type": Kind(
        415,
        "Unsupported media type",
        "The body's Content-Type is not one this operation reads.",
        "Send Content-Type application/json (or text/csv for an import).",
    ),
    "validation": Kind(
        422,
        "Invalid input",
        "A parameter or a body field is invalid: wrong type, out of range, "
        "missing, or a value that cannot be stored.",
        "Fix each entry of errors: where (body, query, path, member or row), "
        "field, the value sent and a message saying what is expected.",
    ),
    "too-many-requests": Kind(
        429,
        "Too many requests",
        "This key sends writes faster than the service allows "
        "(PEERMATCH_WRITE_RATE, bursts of PEERMATCH_WRITE_BURST).",
        "Wait Retry-After seconds, then retry; send many members as one import.",
    ),
    "internal-error": Kind(
        500,
        "Internal server error",
        "An unexpected error on the server; it is logged with the request id.",
        "Retry; if it persists, report it with the request_id.",
    ),
    "database-unavailable": Kind(
        503,
        "Service unavailable",
        "The database does not answer: down, connection lost, or locked by a long write.",
        "Retry after Retry-After seconds; if it lasts, an operator checks the database.",
    ),
    "database-read-only": Kind(
        503,
        "Service unavailable",
        "The database refuses writes (read-only); reads still work.",
        "Retry later: an operator has to make the database writable.",
    ),
    "read-only-mode": Kind(
        503,
        "Service unavailable",
        "The service was started read-only (--read-only or "
        "PEERMATCH_READ_ONLY=true): reads work, writes are refused.",
        "Retry after Retry-After seconds; an operator restarts it read-write.",
    ),
    "not-ready": Kind(
        503,
        "Service unavailable",
        "/ready: the database does not answer or its schema is not the newest "
        "migration's; checks says which.",
        "Retry after Retry-After seconds; start the service read-write once to "
        "migrate the database.",
    ),
    "interrupted": Kind(
        503,
        "Service unavailable",
        "A job (a round created or re-run with Prefer: respond-async) was queued "
        "or running when the service restarted, so it was not done.",
        "Create the round (or re-run it) again.",
    ),
    "storage-full": Kind(
        507,
        "Insufficient storage",
        "The database's storage is full: nothing was written; reads still work.",
        "An operator frees space or grows the volume; then retry.",
    ),
}

_BY_STATUS: dict[int, str] = {}
for _name, _kind in KINDS.items():
    _BY_STATUS.setdefault(_kind.status, _name)


def kind_for_status(status: int) -> str:
    """The generic kind of an HTTP status (e.g. a 404 for an unknown address)."""
    return _BY_STATUS.get(status) or ("internal-error" if status >= 500 else "bad-request")


def problem_type(request: Request, kind: str) -> str:
    """The URI of ``kind``'s page under this service (its root path and, behind
    a trusted proxy, the client's scheme and host)."""
    return f"{str(request.base_url).rstrip('/')}/problems/{kind}"
