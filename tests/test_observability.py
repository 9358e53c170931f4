"""Request ids, the request log and /metrics of one process (the workers'
sums: tests/test_workers.py)."""

import json
import logging
import re

import pytest
from prometheus_client.parser import text_string_to_metric_families

from service.api.observability import REQUEST_LOG, JsonFormatter, log_config
from tests.service_env import MEMBER

GENERATED = re.compile(r"[0-9a-f]{32}")


def test_a_plain_request_id_is_kept_and_returned(svc):
    response = svc.client.get("/health", headers={"X-Request-ID": "lb-7f3a:01/x=+_."})
    assert response.headers["X-Request-ID"] == "lb-7f3a:01/x=+_."


@pytest.mark.parametrize(
    "given", [None, "", "a" * 129, "two words", "new\u00e9line", "<script>", "a;b"]
)
def test_an_unusable_request_id_is_replaced(svc, given):
    headers = {} if given is None else {"X-Request-ID": given.encode()}
    response = svc.client.get("/health", headers=headers)
    assert GENERATED.fullmatch(response.headers["X-Request-ID"])


def test_every_problem_document_carries_the_request_id(svc):
    cases = [
        ("GET", "/v1/members", {}, None),  # 401
        ("GET", "/v1/audit", svc.as_("hub"), None),  # 403
        ("GET", "/v1/members/nobody", svc.as_("admin"), None),  # 404, a domain error
        ("GET", "/no/such/route", {}, None),  # 404, no route
        ("PUT", "/v1/members", {}, None),  # 405
        ("POST", "/v1/rounds", svc.as_("admin"), {"kind": "nonsense"}),  # 422
        ("POST", "/v1/members/import", svc.as_("admin"), "x" * 20_000),  # 413 (body limit)
    ]
    for i, (method, path, headers, body) in enumerate(cases):
        rid = f"case-{i}"
        kwargs = {"content": body} if isinstance(body, str) else {"json": body}
        response = svc.client.request(
            method, path, headers={**headers, "X-Request-ID": rid}, **kwargs
        )
        assert response.status_code >= 400, (method, path)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers.get_list("X-Request-ID") == [rid]
        assert response.json()["request_id"] == rid, (method, path, response.text)


@pytest.fixture
def request_log(caplog):
    caplog.set_level(logging.INFO, logger=REQUEST_LOG)
    return caplog


def _lines(caplog) -> list[dict]:
    return [r.fields for r in caplog.records if r.name == REQUEST_LOG]


def test_one_log_line_per_request_with_the_key_name_never_the_key(svc, request_log):
    key = svc.keys["member"]
    svc.client.get(f"/v1/members/{MEMBER}", headers={**svc.as_("member"), "X-Request-ID": "r1"})
    svc.client.get("/v1/members/x", headers={"X-Request-ID": "r2"})
    svc.client.get("/nowhere", headers={"X-Request-ID": "r3"})
    first, second, third = _lines(request_log)
    assert first["request_id"] == "r1" and first["key_name"] == "test-member"
    assert first["method"] == "GET" and first["route"] == "/v1/members/{member_id}"
    assert first["status"] == 200 and first["duration_ms"] >= 0
    assert second["status"] == 401 and "key_name" not in second
    assert third["route"] == "unmatched" and third["status"] == 404
    assert key not in request_log.text
    formatted = [JsonFormatter().format(r) for r in request_log.records]
    assert all("\n" not in line and key not in line for line in formatted)
    line = json.loads(formatted[0])
    assert {"time", "level", "pid", "request_id", "route", "status"} <= set(line)


def test_an_error_escaping_the_app_is_logged_and_counted_as_a_500(svc, request_log):
    def boom() -> None:
        raise RuntimeError("a bug")

    svc.app.add_api_route("/boom", boom)
    response = svc.client.get("/boom", headers={"X-Request-ID": "b1"})
    assert response.status_code == 500
    [line] = _lines(request_log)
    assert (line["request_id"], line["route"], line["status"]) == ("b1", "/boom", 500)


def test_the_request_log_is_off_unless_configured(svc, caplog):
    svc.client.get("/health")
    assert logging.getLogger(REQUEST_LOG).getEffectiveLevel() > logging.INFO
    assert [r for r in caplog.records if r.name == REQUEST_LOG] == []
    on = log_config(request_log=True)["loggers"][REQUEST_LOG]
    off = log_config(request_log=False)["loggers"][REQUEST_LOG]
    assert on["level"] == "INFO" and off["level"] == "WARNING"


def test_json_lines_escape_control_characters():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m\u202e\x1b[31m", None, None)
    line = JsonFormatter().format(record)
    assert line.isascii() and "\x1b" not in line and json.loads(line)["message"].endswith("[31m")


def _samples(svc) -> dict:
    response = svc.client.get("/metrics", headers=svc.as_("admin"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def _count(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_count_requests_by_route_template_and_status(svc):
    before = _samples(svc)
    for member in (MEMBER, "af-coalition", "nobody"):
        svc.client.get(f"/v1/members/{member}", headers=svc.as_("admin"))
    svc.client.request("BREW", "/v1/members", headers=svc.as_("admin"))
    after = _samples(svc)
    requests = "peermatch_http_requests_total"
    route = "/v1/members/{member_id}"
    for status, n in (("200", 2), ("404", 1)):
        labels = {"method": "GET", "route": route, "status": status}
        assert _count(after, requests, **labels) - _count(before, requests, **labels) == n
        latency = "peermatch_http_request_duration_seconds_count"
        assert _count(after, latency, **labels) - _count(before, latency, **labels) == n
    odd = {"method": "other", "route": "/v1/members", "status": "405"}
    assert _count(after, requests, **odd) - _count(before, requests, **odd) == 1
    assert not any("af-coalition" in str(key) for key in after)


def test_metrics_time_rounds_by_kind_and_snapshot_rebuilds(svc):
    admin = svc.as_("admin")
    before = _samples(svc)
    draft = svc.client.post("/v1/rounds", json={"kind": "circles"}, headers=admin).json()
    svc.client.post(f"/v1/rounds/{draft['id']}/rerun", headers=admin)
    svc.client.patch(f"/v1/members/{MEMBER}", json={"description": "x"}, headers=admin)
    svc.client.get(f"/v1/members/{MEMBER}/recommendations", headers=admin)
    after = _samples(svc)
    name = "peermatch_round_duration_seconds_count"
    for operation in ("create", "rerun"):
        labels = {"operation": operation, "kind": "circles"}
        assert _count(after, name, **labels) - _count(before, name, **labels) == 1
    rebuilds = "peermatch_snapshot_rebuild_duration_seconds_count"
    assert _count(after, rebuilds) - _count(before, rebuilds) == 1
    assert _count(after, "peermatch_workers") == 1
