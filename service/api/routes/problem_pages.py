"""``GET /problems/{kind}``: the page a problem document's ``type`` points
to, saying what the problem means and how to fix it (HTML for a browser,
JSON for ``Accept: application/json``). No key needed."""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel

from service.api.problem_kinds import KINDS, problem_type
from service.api.problems import ApiError

router = APIRouter(tags=["system"])


class ProblemKind(BaseModel):
    type: str
    kind: str
    status: int
    title: str
    meaning: str
    fix: str


_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} ({kind}) · peermatch</title></head>
<body><h1>{title}</h1>
<p><code>{kind}</code> · HTTP {status}</p>
<h2>What it means</h2><p>{meaning}</p>
<h2>How to fix it</h2><p>{fix}</p>
</body></html>
"""


@router.get(
    "/problems/{kind}",
    response_model=ProblemKind,
    responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}},
)
def problem_kind(
    request: Request, kind: Annotated[str, Path(max_length=64)]
) -> JSONResponse | HTMLResponse:
    """What a problem document's ``type`` means and how to fix it; no key
    needed. JSON when the Accept header asks for it, else HTML."""
    found = KINDS.get(kind)
    if found is None:
        raise ApiError(
            404, f"no problem kind '{kind}' (docs/problems.md lists them)", kind="not-found"
        )
    doc = ProblemKind(type=problem_type(request, kind), kind=kind, **found._asdict())
    accept = request.headers.get("accept", "")
    if "json" in accept and "text/html" not in accept:
        return JSONResponse(doc.model_dump())
    fields = {k: escape(str(v)) for k, v in doc.model_dump().items()}
    return HTMLResponse(_HTML.format(**fields))
