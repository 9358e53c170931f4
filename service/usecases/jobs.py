"""Rounds created or re-run in the background: a job stored in the database
(queued → running, with a coarse stage → done or failed), run by one thread
per process through the same use cases as the synchronous path, so a job's
round and its refusals are the ones the direct call gives.

A job lives in the process that queued it. When that process stops, its
queued and running jobs would stay so for ever: :func:`fail_interrupted`
marks them failed when the service starts again (once, before any worker
takes a job)."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from service.contract import RoundCreate
from service.store.db import read_session, write_session
from service.store.models import Job, Round, utcnow
from service.usecases.access import Principal
from service.usecases.errors import DomainError, not_found
from service.usecases.rounds import Progress, check_round_options, create_round, rerun_round

log = logging.getLogger(__name__)

UNFINISHED = ("queued", "running")
INTERRUPTED = {
    "kind": "interrupted",
    "detail": "the service restarted before this job finished, so it was not done; "
    "create the round (or re-run it) again",
}
UNEXPECTED = {
    "kind": "internal-error",
    "detail": "an unexpected error on the server (it is logged); try again, "
    "or report it if it persists",
}

Work = Callable[[Progress], int]
"""A job's work: told its progress, returns the id of the round it made."""


def fail_interrupted(engine: Engine) -> int:
    """Mark the queued and running jobs of an earlier process failed (an
    ``interrupted`` problem); how many there were. Call it once per start,
    before any worker queues a job: a job of a live process would be marked
    too.
    """
    with write_session(engine) as session:
        rows = session.exec(select(Job).where(Job.status.in_(UNFINISHED))).all()
        for row in rows:
            row.status, row.finished_at, row.problem = "failed", utcnow(), dict(INTERRUPTED)
            session.add(row)
        return len(rows)


def get_job(session: Session, job_id: int) -> Job:
    row = session.get(Job, job_id)
    if row is None:
        raise not_found("job", job_id)
    return row


class JobRunner:
    """Runs a process's jobs one at a time, in the order queued, on a daemon
    thread started with the first job (a round takes one core already; two at
    once would only make both late). A stopped process loses its queue, and
    :func:`fail_interrupted` says so when the service starts again."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._queue: queue.Queue[tuple[int, Work]] = queue.Queue()
        self._idle = threading.Condition()
        self._pending = 0
        self._thread: threading.Thread | None = None

    def create_round(self, *, spec: RoundCreate, who: Principal) -> int:
        """Queue :func:`~service.usecases.rounds.create_round`; the job's id.
        Options no network makes valid are refused now (``Invalid``)."""
        check_round_options(spec)

        def work(progress: Progress) -> int:
            return create_round(self.engine, spec=spec, who=who, progress=progress)

        return self._submit("round.create", spec.model_dump(mode="json"), who, work)

    def rerun_round(self, *, round_id: int, who: Principal) -> int:
        """Queue :func:`~service.usecases.rounds.rerun_round`; the job's id.
        An unknown round is refused now (``NotFound``); whether it may be
        re-run is decided when the job runs, on the round as it is then."""
        with read_session(self.engine) as session:
            if session.get(Round, round_id) is None:
                raise not_found("round", round_id)

        def work(progress: Progress) -> int:
            rerun_round(self.engine, round_id=round_id, who=who, progress=progress)
            return round_id

        return self._submit("round.rerun", {"round_id": round_id}, who, work)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every queued job has finished; whether they have (for
        tests and benchmarks, which must not sleep)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def _submit(self, kind: str, params: dict[str, Any], who: Principal, work: Work) -> int:
        with write_session(self.engine) as session:
            row = Job(kind=kind, params=params, created_by=who.name)
            session.add(row)
            session.flush()
            job_id = row.id
        assert job_id is not None
        with self._idle:
            self._pending += 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run_forever, name="peermatch-jobs", daemon=True
                )
                self._thread.start()
        self._queue.put((job_id, work))
        return job_id

    def _run_forever(self) -> None:
        while True:
            job_id, work = self._queue.get()
            try:
                self._run(job_id, work)
            except Exception:
                # The job row could not even be written (the database is
                # gone): the next start marks it failed.
                log.exception("job %s could not be recorded", job_id)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    def _run(self, job_id: int, work: Work) -> None:
        self._update(job_id, status="running", started_at=utcnow())

        def progress(stage: str, fraction: float) -> None:
            self._update(job_id, stage=stage, fraction=fraction)

        try:
            round_id = work(progress)
        except DomainError as exc:
            problem: dict[str, Any] = {"kind": exc.kind, "detail": exc.detail}
            if exc.errors is not None:
                problem["errors"] = exc.errors
            self._update(job_id, status="failed", finished_at=utcnow(), problem=problem)
        except Exception:
            log.exception("job %s failed", job_id)
            self._update(job_id, status="failed", finished_at=utcnow(), problem=dict(UNEXPECTED))
        else:
            self._update(
                job_id, status="done", finished_at=utcnow(), fraction=1.0, round_id=round_id
            )

    def _update(self, job_id: int, **values: Any) -> None:
        with write_session(self.engine) as session:
            row = session.get(Job, job_id)
            assert row is not None
            for name, value in values.items():
                setattr(row, name, value)
            session.add(row)
