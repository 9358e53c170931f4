"""Every problem kind the code can produce has a page at its ``type``
address, and the table of kinds covers every kind the source names."""

import ast
import html
from pathlib import Path

from service.api import problems
from service.api.problem_kinds import KINDS
from service.usecases import errors

SERVICE = Path(__file__).resolve().parent.parent / "service"
NOT_PROBLEMS = {"locked", "exclusion", "history"}
"""``kind=`` literals in service/ that name a relation, not a problem."""


def _kinds_in_source() -> set[str]:
    found = set()
    for path in SERVICE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "kind":
                if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    found.add(node.value.value)
    for cls in (errors.DomainError, *errors.DomainError.__subclasses__()):
        found.add(cls.kind)
    found |= {kind for _, kind, _, _ in problems._FAULTS.values()}
    return found - NOT_PROBLEMS


def test_the_table_covers_every_kind_the_source_names():
    missing = _kinds_in_source() - set(KINDS)
    assert not missing, f"add these kinds to service/api/problem_kinds.KINDS: {missing}"


def test_docs_list_every_kind():
    text = (SERVICE.parent / "docs" / "problems.md").read_text(encoding="utf-8")
    assert [k for k in KINDS if f"`{k}`" not in text] == []


def test_every_kind_has_a_page(svc):
    for kind in sorted(KINDS | dict.fromkeys(_kinds_in_source())):
        page = svc.client.get(f"/problems/{kind}")
        assert page.status_code == 200, (kind, page.text)
        assert page.headers["content-type"].startswith("text/html")
        assert html.escape(KINDS[kind].title) in page.text
        json = {"Accept": "application/json"}
        doc = svc.client.get(f"/problems/{kind}", headers=json).json()
        assert doc["kind"] == kind and doc["status"] == KINDS[kind].status
        assert doc["type"] == f"http://testserver/problems/{kind}"


def test_a_problem_type_is_its_page(svc):
    answer = svc.client.get("/v1/members")
    assert answer.status_code == 401
    problem = answer.json()
    assert problem["type"] == "http://testserver/problems/unauthorized"
    assert svc.client.get(problem["type"]).status_code == 200


def test_a_problem_type_respects_the_root_path(svc):
    from fastapi.testclient import TestClient

    with TestClient(svc.app, root_path="/peermatch") as client:
        problem = client.get("/peermatch/v1/members").json()
    assert problem["type"] == "http://testserver/peermatch/problems/unauthorized"


def test_an_unknown_kind_is_a_404_problem(svc):
    answer = svc.client.get("/problems/no-such-kind", headers={"Accept": "application/json"})
    assert answer.status_code == 404
    assert answer.headers["content-type"] == problems.PROBLEM_JSON
    assert answer.json()["type"].endswith("/problems/not-found")
