import pytest

from tests.service_env import BACKENDS, start_service


def _serve(backend, tmp_path, **options):
    service = start_service(backend, tmp_path, **options)
    yield service
    service.client.close()
    service.app.state.engine.dispose()
    service.app.state.auth_engine.dispose()


@pytest.fixture(params=BACKENDS)
def svc(request, tmp_path):
    """The service on the demo network with its synthetic history, once per
    database backend (as ``peermatch serve --demo`` starts)."""
    yield from _serve(request.param, tmp_path)


@pytest.fixture(params=BACKENDS)
def fresh_svc(request, tmp_path):
    """The service on the demo network without any past round: for tests that
    build the history they check."""
    yield from _serve(request.param, tmp_path, history=False)
