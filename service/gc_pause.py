"""Pausing Python's cyclic garbage collector around bulk object building."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector for a block that builds many objects, none of
    them in a reference cycle (a decoded document, its validated models, a
    result document and its JSON text).

    Their allocations would start full collections that walk every object
    the process holds and free nothing (bench/RESULTS.md, "Pausing the
    collector"); cycles made meanwhile are found once it resumes. The
    collector is one per process, so only the main thread (a command) pauses
    it: a server's request threads run side by side, and one of them would
    pause it for all the others, or resume it in the middle of another's
    block. Leaves the collector alone if it is already paused.

    >>> import gc
    >>> with collector_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    if not gc.isenabled() or threading.current_thread() is not threading.main_thread():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
