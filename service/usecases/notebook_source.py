"""Where the coordinators' notebooks read the network, and the history of
past rounds and their feedback, from.

The network, in order:

1. ``PEERMATCH_URL`` and ``PEERMATCH_API_KEY`` set: a running peermatch
   service, ``GET {PEERMATCH_URL}/v1/network`` (the network document without
   contact persons, which the notebooks never show) with the key in
   ``X-API-Key``: a hub key is enough (a ``/v1`` at the end of the URL is
   dropped, not doubled);
2. ``PEERMATCH_NETWORK`` set: that network document (JSON file);
3. neither: the bundled demo network (126 synthetic members).

The history (notebook 04), from the same place as the network:

1. the service: it reads only the aggregates a hub key may see,
   ``GET /v1/outcomes`` and ``GET /v1/flow`` (:func:`load_aggregates`);
2. ``PEERMATCH_HISTORY`` set: that history document (JSON file), validated
   against the network as ``peermatch report --history`` validates it;
3. neither: the bundled demo network's synthetic history (``PEERMATCH_HISTORY``
   with the demo network works too).

Setting both a file and a service is an error rather than a silent choice.
Every problem raises :class:`NotebookSourceError` naming the variable to fix;
the API key never appears in a message.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fixtures import demo_history_path, demo_network_path
from matcher import Network
from service.contract import NetworkError, parse_history, parse_network

ENV_NETWORK = "PEERMATCH_NETWORK"
ENV_HISTORY = "PEERMATCH_HISTORY"
ENV_URL = "PEERMATCH_URL"
ENV_API_KEY = "PEERMATCH_API_KEY"
NETWORK_PATH = "/v1/network"
AGGREGATE_PATHS = {"outcomes": "/v1/outcomes", "flow": "/v1/flow"}
TIMEOUT_SECONDS = 30.0


class NotebookSourceError(RuntimeError):
    """The network could not be loaded; the message says which variable to fix."""


@dataclass(frozen=True)
class NetworkSource:
    """Where the network comes from: ``kind`` is ``"service"``, ``"file"`` or
    ``"demo"``; ``location`` the network document's URL or the file path."""

    kind: str
    location: str

    def __str__(self) -> str:
        return {
            "service": f"the peermatch service ({self.location})",
            "file": f"the file {self.location} (${ENV_NETWORK})",
            "demo": f"the bundled demo network ({self.location})",
        }[self.kind]


def network_source(environ: Mapping[str, str] | None = None) -> NetworkSource:
    """Which source the environment selects (nothing is read yet)."""
    env = os.environ if environ is None else environ
    url, key = env.get(ENV_URL, "").strip(), env.get(ENV_API_KEY, "").strip()
    path = env.get(ENV_NETWORK, "").strip()
    if url or key:
        if not (url and key):
            missing, given = (ENV_API_KEY, ENV_URL) if url else (ENV_URL, ENV_API_KEY)
            raise NotebookSourceError(
                f"{given} is set but {missing} is not: set both to read from the service, "
                "or neither to read a file"
            )
        if path:
            raise NotebookSourceError(
                f"both {ENV_NETWORK} and {ENV_URL} are set: unset {ENV_NETWORK} to read from "
                f"the service, or {ENV_URL} and {ENV_API_KEY} to read the file"
            )
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise NotebookSourceError(
                f"{ENV_URL}={url!r} is not an http(s) address; "
                "set it to the service's base URL, e.g. http://localhost:8000"
            )
        return NetworkSource("service", _base_url(url) + NETWORK_PATH)
    if path:
        # Absolute: a relative path is read from the kernel's working
        # directory (the notebook's folder), rarely where the user thinks.
        return NetworkSource("file", str(Path(path).expanduser().absolute()))
    return NetworkSource("demo", str(demo_network_path()))


def _base_url(url: str) -> str:
    """The service's base URL: a trailing ``/`` or ``/v1`` (the API prefix,
    often copied along with the address) dropped, so the network path is not
    doubled into ``/v1/v1/…``."""
    return url.rstrip("/").removesuffix("/v1")


def load_network_for_notebook(
    environ: Mapping[str, str] | None = None, *, timeout: float = TIMEOUT_SECONDS
) -> Network:
    """The network the environment points to (see the module docstring),
    validated by the same contract as the CLI and the service."""
    env = os.environ if environ is None else environ
    source = network_source(env)
    if source.kind == "service":
        text = _fetch(source.location, env[ENV_API_KEY].strip(), timeout=timeout)
        where = f"the network returned by {source.location} ({ENV_URL})"
    else:
        text = _read(Path(source.location), variable=ENV_NETWORK if source.kind == "file" else None)
        where = source.location
    try:
        return parse_network(text, source=where)
    except NetworkError as exc:
        fix = (
            f"fix the members in the service, or set {ENV_NETWORK} to a valid file instead"
            if source.kind == "service"
            else f"fix the file, or point {ENV_NETWORK} to another one"
        )
        raise NotebookSourceError(f"{exc}\n{fix}") from None


def _read(path: Path, *, variable: str | None, expected: str = "a network JSON file") -> bytes:
    label = f"{variable}={path}" if variable else str(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        problem = "no such file"
    except IsADirectoryError:
        problem = f"is a directory, expected {expected}"
    except PermissionError:
        problem = "permission denied"
    hint = f"; set {variable} to {expected}" if variable else ""
    raise NotebookSourceError(f"{label}: {problem}{hint}")


def _fetch(url: str, key: str, *, timeout: float) -> bytes:
    request = urllib.request.Request(url, headers={"X-API-Key": key, "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()
    except urllib.error.HTTPError as exc:
        hint = {
            401: f"check {ENV_API_KEY}: the service does not know this key",
            403: f"set {ENV_API_KEY} to a hub key (or an admin key): a member key cannot "
            "read the whole network",
            404: f"check {ENV_URL}: there is no peermatch document "
            f"({urllib.parse.urlsplit(url).path}) there",
        }.get(exc.code, "the service failed; see its log")
        detail = _problem_detail(exc.read(2000))
        raise NotebookSourceError(f"GET {url} → HTTP {exc.code}{detail}; {hint}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise NotebookSourceError(
            f"could not reach {url} ({reason}); check {ENV_URL} and that the service is running"
        ) from None


def _problem_detail(body: bytes) -> str:
    """``": detail"`` of the service's problem document (RFC 9457), or the
    start of whatever else came back."""
    text = body.decode("utf-8", "replace").strip()
    try:
        problem = json.loads(text)
    except ValueError:
        problem = None
    if isinstance(problem, dict) and (problem.get("detail") or problem.get("title")):
        text = str(problem.get("detail") or problem.get("title"))
    return f": {text[:300]}" if text else ""


@dataclass(frozen=True)
class HistorySource:
    """Where the history comes from: ``kind`` is ``"service"``, ``"file"`` or
    ``"demo"``; ``location`` the service's base URL or the file path."""

    kind: str
    location: str

    def __str__(self) -> str:
        return {
            "service": f"the aggregates of the peermatch service ({self.location})",
            "file": f"the file {self.location} (${ENV_HISTORY})",
            "demo": f"the bundled demo history, synthetic ({self.location})",
        }[self.kind]


def history_source(environ: Mapping[str, str] | None = None) -> HistorySource:
    """Which history the environment selects (nothing is read yet): the
    network's service, else ``PEERMATCH_HISTORY``, else the demo's."""
    env = os.environ if environ is None else environ
    path = env.get(ENV_HISTORY, "").strip()
    network = network_source(env)  # its settings are checked first
    if network.kind == "service":
        if path:
            raise NotebookSourceError(
                f"both {ENV_HISTORY} and {ENV_URL} are set: the service's own history is "
                f"read from it; unset {ENV_HISTORY}, or {ENV_URL} and {ENV_API_KEY} to read "
                "files"
            )
        return HistorySource("service", network.location.removesuffix(NETWORK_PATH))
    if path:
        return HistorySource("file", str(Path(path).expanduser().absolute()))
    if network.kind == "file":
        raise NotebookSourceError(
            f"{ENV_NETWORK} is set but {ENV_HISTORY} is not: the demo history belongs to the "
            f"demo network; set {ENV_HISTORY} to the history document of your network"
        )
    return HistorySource("demo", str(demo_history_path()))


def load_history_document(
    network: Network, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The history document (file or demo) validated against ``network``, as
    :func:`service.usecases.history.to_history` reads it. From a service,
    use :func:`load_aggregates` instead: a hub key sees no relations."""
    source = history_source(environ)
    if source.kind == "service":
        raise NotebookSourceError(
            f"{ENV_URL} is set: the service gives notebooks its aggregates only; "
            "read them with load_aggregates()"
        )
    variable = ENV_HISTORY if source.kind == "file" else None
    text = _read(Path(source.location), variable=variable, expected="a history JSON file")
    try:
        return parse_history(text, network=network, source=source.location)
    except NetworkError as exc:
        fix = (
            f"fix the file, or point {ENV_HISTORY} to the history of this network"
            if variable
            else "the bundled demo history does not fit this network"
        )
        raise NotebookSourceError(f"{exc}\n{fix}") from None


def load_aggregates(
    lang: str = "en", environ: Mapping[str, str] | None = None, *, timeout: float = TIMEOUT_SECONDS
) -> dict[str, dict[str, Any]]:
    """The service's outcome and flow documents as a hub sees them
    (``{"outcomes": …, "flow": …}``), labels in ``lang``."""
    env = os.environ if environ is None else environ
    source = history_source(env)
    if source.kind != "service":
        raise NotebookSourceError(
            f"{ENV_URL} and {ENV_API_KEY} are not set: there is no service to read the "
            "aggregates from; compute them from the history document instead"
        )
    documents = {}
    for name, path in AGGREGATE_PATHS.items():
        url = f"{source.location}{path}?lang={urllib.parse.quote(lang)}"
        text = _fetch(url, env[ENV_API_KEY].strip(), timeout=timeout)
        try:
            documents[name] = json.loads(text)
        except ValueError:
            raise NotebookSourceError(
                f"GET {url} did not answer JSON; check {ENV_URL}: is it a peermatch service?"
            ) from None
    return documents
