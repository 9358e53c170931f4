"""The service's metrics (Prometheus format, ``prometheus-client``) and the
hooks the layers above call: the API per request, the use cases per round
and per network snapshot they build.

Under ``peermatch serve`` every uvicorn worker writes its samples to files in
``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess mode) and
:func:`exposition` sums them, so a scrape through any worker sees the whole
service. prometheus-client picks that mode when it is first imported, so it
is imported here lazily, on the first sample: ``serve`` sets the directory
before anything is measured. Without the variable (tests, the CLI) samples
stay in this process.
"""

from __future__ import annotations

import atexit
import glob
import os
import re
import shutil
import tempfile
import threading
from types import SimpleNamespace

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
"""The Prometheus text format that :func:`exposition` writes."""

_FAST = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
_SLOW = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
_lock = threading.Lock()
_created: SimpleNamespace | None = None


def _metrics() -> SimpleNamespace:
    """The metrics, created once per process on first use (see the module's
    docstring)."""
    global _created
    if _created is None:
        with _lock:
            if _created is None:
                _created = _create()
    return _created


def _create() -> SimpleNamespace:
    from prometheus_client import Counter, Gauge, Histogram

    labels = ("method", "route", "status")
    return SimpleNamespace(
        requests=Counter(
            "peermatch_http_requests",
            "HTTP requests answered, by method, route template and status",
            labels,
        ),
        latency=Histogram(
            "peermatch_http_request_duration_seconds",
            "Time from a request's arrival to its answer's last byte",
            labels,
            buckets=_FAST,
        ),
        rounds=Histogram(
            "peermatch_round_duration_seconds",
            "Creating or re-running a round (read, engine, write), by kind",
            ("operation", "kind"),
            buckets=_SLOW,
        ),
        snapshots=Histogram(
            "peermatch_snapshot_rebuild_duration_seconds",
            "Rebuilding a worker's network snapshot after a write (_count: rebuilds)",
            buckets=_FAST,
        ),
        webhooks=Counter(
            "peermatch_webhook_deliveries",
            "Webhook events by outcome: delivered (2xx), rejected (another answer, "
            "not retried), failed (no answer, or 408/425/429/5xx, after the retries), "
            "dropped (the queue was full)",
            ("outcome",),
        ),
        workers=Gauge(
            "peermatch_workers",
            "Worker processes serving requests",
            multiprocess_mode="livesum",
        ),
    )


_per_request: dict[tuple[str, str, int], tuple] = {}


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """A request answered; the labels are bounded (the API passes route
    templates and a known method), so their series are kept."""
    series = _per_request.get((method, route, status))
    if series is None:
        m = _metrics()
        labels = (method, route, str(status))
        series = _per_request[method, route, status] = (
            m.requests.labels(*labels),
            m.latency.labels(*labels),
        )
    series[0].inc()
    series[1].observe(seconds)


def observe_round(operation: str, kind: str, seconds: float) -> None:
    """A round was created or re-run (``operation``) in ``seconds``."""
    _metrics().rounds.labels(operation, kind).observe(seconds)


def snapshot_rebuilt(seconds: float) -> None:
    """A worker built a fresh network snapshot in ``seconds``."""
    _metrics().snapshots.observe(seconds)


WEBHOOK_OUTCOMES = ("delivered", "rejected", "failed", "dropped")


def webhook_outcomes_declared() -> None:
    """Show every webhook outcome from the start (at 0), so an alert on
    ``failed`` has a series to watch before the first failure."""
    for outcome in WEBHOOK_OUTCOMES:
        _metrics().webhooks.labels(outcome)


def webhook_delivered(outcome: str) -> None:
    """A webhook event ended with ``outcome`` (one of :data:`WEBHOOK_OUTCOMES`)."""
    assert outcome in WEBHOOK_OUTCOMES, outcome
    _metrics().webhooks.labels(outcome).inc()


def worker_started() -> None:
    """This process serves requests (counted while it lives)."""
    _metrics().workers.set(1)


def exposition() -> bytes:
    """Every metric in the Prometheus text format: summed over the workers'
    files in multiprocess mode, else this process's own."""
    _metrics()
    from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, values

    path = os.environ.get(MULTIPROC_ENV)
    if not (path and getattr(values.ValueClass, "_multiprocess", False)):
        return generate_latest(REGISTRY)
    from prometheus_client import multiprocess

    _mark_dead_workers(path)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path)
    return generate_latest(registry)


_LIVE_FILE = re.compile(r"gauge_live\w+_(\d+)\.db")


def _mark_dead_workers(path: str) -> None:
    """Drop the live gauges of workers that exited (uvicorn replaces a worker
    that dies); their counters and histograms stay in the sums."""
    from prometheus_client import multiprocess

    dead = set()
    for name in glob.glob(os.path.join(path, "gauge_live*_*.db")):
        found = _LIVE_FILE.fullmatch(os.path.basename(name))
        if found and not _alive(int(found[1])):
            dead.add(int(found[1]))
    for pid in dead:
        multiprocess.mark_process_dead(pid, path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def multiprocess_directory() -> str:
    """Prepare the directory the workers share for one service start and set
    :data:`MULTIPROC_ENV`, which they inherit: an operator's
    ``PROMETHEUS_MULTIPROC_DIR``, emptied of an earlier start's files, or a
    fresh temporary directory, removed when this process exits. Call it
    before any sample is taken in this process."""
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        os.makedirs(given, exist_ok=True)
        for name in glob.glob(os.path.join(given, "*.db")):
            os.remove(name)
        return given
    path = tempfile.mkdtemp(prefix="peermatch-metrics-")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    os.environ[MULTIPROC_ENV] = path
    return path
