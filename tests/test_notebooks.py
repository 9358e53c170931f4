"""The coordinators' notebooks run from top to bottom on the demo network,
and read their network (and history) from where the environment says.

The notebooks are stored as jupytext percent scripts; each is read, executed
by nbclient in the installed ``python3`` kernel and checked for errors.
Outputs are never written back.
"""

import json
import os
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient

from fixtures import demo_history_path, demo_network_path, load_demo_history
from service.contract import CONTACT_FIELDS, parse_network
from service.documents.outcomes import OutcomesDocument
from service.usecases.notebook_source import (
    ENV_API_KEY,
    ENV_HISTORY,
    ENV_NETWORK,
    ENV_URL,
    NotebookSourceError,
    history_source,
    load_aggregates,
    load_history_document,
    load_network_for_notebook,
    network_source,
)
from tests.service_env import LiveServer

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
TIMEOUT = 120
"""Per cell, in seconds: a stuck kernel fails the test instead of hanging it."""


def test_the_four_notebooks_are_there():
    assert [p.stem for p in NOTEBOOKS] == [
        "01_capacity_map",
        "02_mentoring_round",
        "03_circles_and_graph",
        "04_what_works_and_flow",
    ]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_on_the_demo_network(path, monkeypatch):
    for name in ("PEERMATCH_NETWORK", "PEERMATCH_HISTORY", "PEERMATCH_URL", "PEERMATCH_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    # The kernel is a child process: it finds the checkout even when
    # peermatch is not installed.
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    )
    notebook = jupytext.read(path)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    assert notebook.cells[0].cell_type == "markdown", "start with a plain-language explanation"
    client = NotebookClient(
        notebook,
        timeout=TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()  # raises CellExecutionError, with the cell and traceback, on any error
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    figures = [o for o in outputs if o.get("data", {}).get("text/plain", "").startswith("<Figure")]
    assert figures, f"{path.name} drew no figure"
    assert all("image/png" in o["data"] for o in figures), "a figure was not drawn inline"
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "126 members, read from the bundled demo network" in text
    if path.stem == "04_what_works_and_flow":
        assert "history: 6 published rounds, read from the bundled demo history, synthetic" in text
        html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
        assert "answers say the goal was met" in html and "Reciprocal exchanges" in html
        names = [m["name"] for m in json.loads(demo_network_path().read_text())["members"]]
        assert not [n for n in names if n in html or n in text], "a notebook shows aggregates only"


# ------------------------------------------------ where the notebooks read from


AGGREGATES = {"/v1/outcomes": b'{"formats": []}', "/v1/flow": b'{"rounds": []}'}
"""What the stand-in service answers for the aggregates (their content is the
real service's business: checked against it below)."""


@pytest.fixture
def service_url():
    """A tiny stand-in for the peermatch service: the network document of the
    demo network behind key ``secret``, a broken document behind ``broken``."""
    demo = demo_network_path().read_bytes()

    class Export(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            key = self.headers.get("X-API-Key")
            path = self.path.split("?")[0]
            if path not in ("/v1/network", *AGGREGATES):
                status, body = 404, b'{"detail": "not found"}'
            elif key == "secret":
                status, body = 200, AGGREGATES.get(path, demo)
            elif key == "broken":
                status, body = 200, b'{"schema_version": 1, "members": [{"id": "x"}]}'
            else:
                status, body = 401, b'{"title": "Unauthorized", "detail": "invalid API key"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Export)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def service_env(url, key="secret"):
    return {ENV_URL: url, ENV_API_KEY: key}


def test_default_is_the_demo_network():
    assert network_source({}).kind == "demo"
    assert len(load_network_for_notebook({}).members) == 126


def test_reads_the_file_in_peermatch_network(tmp_path):
    path = tmp_path / "net.json"
    path.write_bytes(demo_network_path().read_bytes())
    env = {ENV_NETWORK: str(path)}
    assert str(network_source(env)) == f"the file {path} ($PEERMATCH_NETWORK)"
    assert len(load_network_for_notebook(env).members) == 126


def test_missing_file_names_the_variable(tmp_path):
    with pytest.raises(NotebookSourceError, match=r"PEERMATCH_NETWORK=.*nope.json: no such file"):
        load_network_for_notebook({ENV_NETWORK: str(tmp_path / "nope.json")})


def test_relative_path_error_shows_the_absolute_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NotebookSourceError) as caught:
        load_network_for_notebook({ENV_NETWORK: "nope.json"})
    assert f"PEERMATCH_NETWORK={Path.cwd() / 'nope.json'}: no such file" in str(caught.value)


def test_invalid_file_lists_its_problems(tmp_path):
    path = tmp_path / "net.json"
    path.write_text('{"schema_version": 1, "members": [{"id": "x"}]}', encoding="utf-8")
    with pytest.raises(NotebookSourceError) as caught:
        load_network_for_notebook({ENV_NETWORK: str(path)})
    assert "members[0]" in str(caught.value) and "point PEERMATCH_NETWORK" in str(caught.value)


def test_reads_from_the_service(service_url):
    env = service_env(service_url + "/")  # a trailing slash is fine
    assert network_source(env).location == service_url + "/v1/network"
    assert len(load_network_for_notebook(env).members) == 126


@pytest.mark.parametrize("suffix", ["/v1", "/v1/"])
def test_base_url_with_the_api_prefix_is_not_doubled(service_url, suffix):
    env = service_env(service_url + suffix)
    assert network_source(env).location == service_url + "/v1/network"
    assert len(load_network_for_notebook(env).members) == 126


def test_refused_key_names_the_variable_not_the_key(service_url):
    with pytest.raises(NotebookSourceError) as caught:
        load_network_for_notebook(service_env(service_url, key="wrong-key"))
    message = str(caught.value)
    assert "HTTP 401: invalid API key; check PEERMATCH_API_KEY" in message
    assert "wrong-key" not in message


def test_wrong_base_url_is_a_404(service_url):
    with pytest.raises(NotebookSourceError, match=r"HTTP 404.*check PEERMATCH_URL"):
        load_network_for_notebook(service_env(service_url + "/api"))


def test_invalid_document_from_the_service(service_url):
    with pytest.raises(NotebookSourceError, match=r"(?s)members\[0\].*fix the members"):
        load_network_for_notebook(service_env(service_url, key="broken"))


def test_unreachable_service():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(NotebookSourceError, match=r"could not reach .*check PEERMATCH_URL"):
        load_network_for_notebook(service_env(f"http://127.0.0.1:{port}"), timeout=5)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({ENV_URL: "http://localhost:8000"}, "PEERMATCH_URL is set but PEERMATCH_API_KEY is not"),
        ({ENV_API_KEY: "k"}, "PEERMATCH_API_KEY is set but PEERMATCH_URL is not"),
        (
            {ENV_URL: "http://localhost:8000", ENV_API_KEY: "k", ENV_NETWORK: "n.json"},
            "both PEERMATCH_NETWORK and PEERMATCH_URL are set",
        ),
        ({ENV_URL: "localhost:8000", ENV_API_KEY: "k"}, "is not an http(s) address"),
    ],
)
def test_ambiguous_or_incomplete_settings(env, message):
    with pytest.raises(NotebookSourceError, match=re.escape(message)):
        load_network_for_notebook(env)


# ------------------------------------------------ where notebook 04 reads the history from


def test_default_history_is_the_demo_s():
    network = load_network_for_notebook({})
    assert history_source({}).kind == "demo"
    assert "synthetic" in str(history_source({}))
    document = load_history_document(network, {})
    assert [r["id"] for r in document["rounds"]] == [r["id"] for r in load_demo_history()["rounds"]]


def test_reads_the_history_in_peermatch_history(tmp_path):
    network = load_network_for_notebook({})
    path = tmp_path / "history.json"
    path.write_bytes(demo_history_path().read_bytes())
    env = {ENV_HISTORY: str(path)}
    assert str(history_source(env)) == f"the file {path} ($PEERMATCH_HISTORY)"
    assert len(load_history_document(network, env)["rounds"]) == 6


def test_missing_history_file_names_the_variable(tmp_path):
    network = load_network_for_notebook({})
    env = {ENV_HISTORY: str(tmp_path / "nope.json")}
    with pytest.raises(NotebookSourceError, match=r"PEERMATCH_HISTORY=.*nope.json: no such file"):
        load_history_document(network, env)
    with pytest.raises(NotebookSourceError, match=r"is a directory, expected a history JSON"):
        load_history_document(network, {ENV_HISTORY: str(tmp_path)})


def test_history_of_another_network_lists_its_problems(tmp_path):
    document = load_demo_history()
    relation = document["rounds"][0]["relations"][0]
    relation["mentee"] = "nobody-here"
    path = tmp_path / "history.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(NotebookSourceError) as caught:
        load_history_document(load_network_for_notebook({}), {ENV_HISTORY: str(path)})
    message = str(caught.value)
    assert "nobody-here" in message and "point PEERMATCH_HISTORY" in message


def test_own_network_without_its_history_names_the_variable(tmp_path):
    path = tmp_path / "net.json"
    path.write_bytes(demo_network_path().read_bytes())
    with pytest.raises(NotebookSourceError, match="set PEERMATCH_HISTORY to the history document"):
        history_source({ENV_NETWORK: str(path)})


def test_history_file_and_service_together_is_an_error(service_url):
    env = {**service_env(service_url), ENV_HISTORY: "h.json"}
    with pytest.raises(NotebookSourceError, match="both PEERMATCH_HISTORY and PEERMATCH_URL"):
        history_source(env)


def test_the_service_gives_aggregates_only(service_url):
    env = service_env(service_url + "/v1")
    assert history_source(env).location == service_url
    with pytest.raises(NotebookSourceError, match="aggregates only"):
        load_history_document(load_network_for_notebook(env), env)
    assert load_aggregates("fr", env) == {"outcomes": {"formats": []}, "flow": {"rounds": []}}
    with pytest.raises(NotebookSourceError, match="are not set: there is no service"):
        load_aggregates("en", {})


def test_refused_aggregates_name_the_variable(service_url):
    with pytest.raises(NotebookSourceError, match=r"/v1/outcomes.*HTTP 401.*PEERMATCH_API_KEY"):
        load_aggregates("en", service_env(service_url, key="wrong"))


# ------------------------------------------------ against the real service


def test_a_hub_key_reads_the_network_without_contacts(svc):
    contact = {"contact_name": "Wanjiru K.", "contact_email": "wanjiru@example.org"}
    changed = svc.client.patch("/v1/members/ke-coalition", headers=svc.as_("admin"), json=contact)
    assert changed.status_code == 200, changed.text
    full = svc.client.get("/v1/network?contacts=true", headers=svc.as_("admin")).json()
    (ke,) = [m for m in full["members"] if m["id"] == "ke-coalition"]
    assert {k: ke[k] for k in contact} == contact
    public = {
        **full,
        "members": [
            {k: v for k, v in m.items() if k not in CONTACT_FIELDS} for m in full["members"]
        ],
    }
    with LiveServer(svc.app) as server:
        hub = service_env(server.url, key=svc.keys["hub"])
        network = load_network_for_notebook(hub)
        assert network == parse_network(json.dumps(public).encode())
        assert len(network.members) == 126
        as_hub = svc.client.get("/v1/network", headers=svc.as_("hub"))
        assert as_hub.status_code == 200 and as_hub.json() == public
        assert "wanjiru" not in as_hub.text
        # What the admin key reads without asking for contacts is the same.
        assert svc.client.get("/v1/network", headers=svc.as_("admin")).json() == public
        refused = svc.client.get("/v1/network?contacts=true", headers=svc.as_("hub"))
        assert refused.status_code == 403 and "admin keys" in refused.json()["detail"]
        with pytest.raises(NotebookSourceError, match=r"HTTP 403.*to a hub key") as caught:
            load_network_for_notebook(service_env(server.url, key=svc.keys["member"]))
        assert svc.keys["member"] not in str(caught.value)


def test_a_hub_key_reads_the_aggregates_the_hub_sees(svc):
    with LiveServer(svc.app) as server:
        documents = load_aggregates("ar", service_env(server.url, key=svc.keys["hub"]))
    hub = {**svc.as_("hub"), "Accept-Language": "ar"}
    for name, path in (("outcomes", "/v1/outcomes"), ("flow", "/v1/flow")):
        answer = svc.client.get(path, headers=hub)
        assert answer.status_code == 200 and documents[name] == answer.json()
    assert documents["flow"]["audience"] == "hub" and documents["flow"].get("brokers") is None
    assert documents["outcomes"]["audience"] == "hub" and documents["outcomes"]["lang"] == "ar"
    assert len(documents["flow"]["rounds"]) == 6  # the demo's synthetic history
    # What notebook 04 does with them.
    assert OutcomesDocument.model_validate(documents["outcomes"]).formats[0].format == "mentoring"
