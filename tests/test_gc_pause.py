"""collector_paused: the cyclic collector is off inside, restored after."""

import gc

from service.gc_pause import collector_paused


def test_pauses_and_restores_the_collector():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block does not resume it early
    assert gc.isenabled()


def test_leaves_a_collector_paused_by_the_caller_paused():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_resumes_after_an_error():
    try:
        with collector_paused():
            raise ValueError("boom")
    except ValueError:
        pass
    assert gc.isenabled()


def test_a_request_thread_never_pauses_the_collector():
    import threading

    seen = []

    def request():
        with collector_paused():
            seen.append(gc.isenabled())

    worker = threading.Thread(target=request)
    worker.start()
    worker.join()
    assert seen == [True] and gc.isenabled()
