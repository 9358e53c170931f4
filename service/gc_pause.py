"""Pausing Python's cyclic garbage collector around bulk object building."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector for a block that builds many objects, none of
    them in a reference cycle (a decoded document, its validated models, a
    result document and its JSON text).

    Their allocations would start full collections that walk every object
    the process holds — at 100,000 members the network alone is millions —
    and free nothing: half of the parse time, ~0.35 s per collection while
    rendering. Cycles made meanwhile are found once the collector resumes.
    Leaves the collector alone if it is already paused (by the caller, or by
    another thread inside such a block).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
