"""Helpers for the HTTP tests: a member to create, problem-document checks,
imports, a published round, and requests released at the same moment."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

from tests.service_env import MEMBER

NEW = {
    "id": "zz-new-coalition",
    "name": "New Coalition",
    "kind": "national_coalition",
    "country": "SN",
    "languages": ["fr"],
    "expertise": {"campaigning_mobilisation": 4},
    "needs": {"budget_tracking": 2},
    "contact_name": "Awa Diop",
    "contact_email": "awa@example.org",
}


PROBLEM = "application/problem+json"


def problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["detail"]
    return body


CSV_HEADER = "id,name,kind,country,languages,expertise,needs,contact_email\r\n"


def csv_import(svc, text: bytes | str):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return svc.client.post(
        "/v1/members/import",
        content=data,
        headers={**svc.as_("admin"), "content-type": "text/csv"},
    )


def json_import(svc, doc):
    admin = {**svc.as_("admin"), "content-type": "application/json"}
    return svc.client.post("/v1/members/import", content=json.dumps(doc), headers=admin)


def publish_round(svc, kind, approve):
    """Publish a new round of ``kind`` (seed 1) with its first ``approve``
    proposals and those of the member key's member; return its id and those."""
    admin = svc.as_("admin")
    draft = svc.client.post("/v1/rounds", json={"kind": kind, "seed": 1}, headers=admin).json()
    chosen = [
        p
        for n, p in enumerate(draft["proposals"])
        if n < approve or MEMBER in {m["member"] for m in p["members"]}
    ]
    for proposal in chosen:
        url = f"/v1/rounds/{draft['id']}/proposals/{proposal['id']}/decision"
        assert svc.client.post(url, json={"decision": "approve"}, headers=admin).status_code == 200
    assert (
        svc.client.post(
            f"/v1/rounds/{draft['id']}/publish", json={"undecided": "withdraw"}, headers=admin
        ).status_code
        == 200
    )
    return draft["id"], chosen


def run_together(n, work):
    """Run ``work(k)`` in ``n`` threads released at the same moment."""
    barrier = threading.Barrier(n)

    def start(k):
        barrier.wait()
        return work(k)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(start, range(n)))
