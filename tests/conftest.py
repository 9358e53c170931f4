import pytest

from tests.service_env import BACKENDS, start_service


@pytest.fixture(params=BACKENDS)
def svc(request, tmp_path):
    """The service on the demo network, once per database backend."""
    service = start_service(request.param, tmp_path)
    yield service
    service.client.close()
    service.app.state.engine.dispose()
    service.app.state.auth_engine.dispose()
