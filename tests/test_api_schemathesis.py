"""Schemathesis against the app's own OpenAPI: generated requests (valid and
not) as the secretariat, never a server error. Bounded examples keep it a
test, not a fuzzing campaign."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.service_env import start_service


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    svc = start_service("sqlite", tmp_path_factory.mktemp("fuzz"))
    yield svc
    svc.app.state.engine.dispose()
    svc.app.state.auth_engine.dispose()


@pytest.fixture(scope="module")
def api_schema(service):
    loaded = schemathesis.openapi.from_asgi("/openapi.json", service.app)
    loaded.config.generation.update(
        modes=[schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
    )
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.slow
def test_no_server_errors(case, service):
    case.call_and_validate(headers=service.as_("admin"), checks=[not_a_server_error])
