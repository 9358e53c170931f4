"""Conditional GETs: a strong ``ETag`` computed from the answer's bytes, and
``If-None-Match`` answered 304 Not Modified without a body.

The tag is a hash of exactly the bytes the client would receive and of their
``Content-Language``, so two answers share a tag if and only if they are byte
for byte the same, in the same language: on any worker, across restarts and
upgrades (a change of scoring changes the bytes, hence the tag), and whatever
the answer is computed from."""

from __future__ import annotations

import hashlib
import re

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from service.api.language import Language
from service.api.problems import SafeJSONResponse

_TAG = re.compile(r'(?:W/)?"([\x21\x23-\x7e\x80-\xff]*)"')
_SEPARATORS = re.compile(r"[\s,]*")

NOT_MODIFIED = {
    304: {
        "description": "Not Modified: the answer's ETag matches If-None-Match; no body",
        "headers": {"ETag": {"schema": {"type": "string"}}},
    }
}
"""The extra OpenAPI answer of a route served with :func:`conditional`."""

CACHE_CONTROL = "private, no-cache"
"""Per key (never a shared cache), and revalidated with the ETag before reuse."""


def strong_etag(body: bytes, language: str) -> str:
    """The tag of ``body`` in ``language`` (its Content-Language).

    >>> strong_etag(b"{}", "fr") != strong_etag(b"{}", "en")
    True
    """
    digest = hashlib.sha256(language.encode("ascii") + b"\n" + body)
    return '"' + digest.hexdigest()[:32] + '"'


def none_match(header: str | None, etag: str) -> bool:
    """Whether ``If-None-Match: header`` matches ``etag`` (RFC 9110 §13.1.2:
    ``*`` or a list of tags, compared weakly, i.e. ignoring ``W/``). A
    header that cannot be read matches nothing: the full answer is sent."""
    if header is None:
        return False
    if header.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    position, tags = _SEPARATORS.match(header).end(), []
    while position < len(header):
        found = _TAG.match(header, position)
        if found is None:
            return False
        tags.append(f'"{found.group(1)}"')
        position = found.end()
        separators = _SEPARATORS.match(header, position)
        if position < len(header) and "," not in separators.group():
            return False
        position = separators.end()
    return opaque in tags


def conditional(
    request: Request, content: BaseModel, language: Language, *, exclude_none: bool = False
) -> Response:
    """``content`` as the JSON answer the route would give (its labels in
    ``language``), with its ETag; or 304 without a body when the request's
    If-None-Match matches it."""
    data = content.model_dump(mode="json", exclude_none=exclude_none)
    response = SafeJSONResponse(data)
    tag = strong_etag(response.body, language.headers["Content-Language"])
    headers = {"ETag": tag, "Cache-Control": CACHE_CONTROL, **language.headers}
    if none_match(", ".join(request.headers.getlist("if-none-match")) or None, tag):
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return response
