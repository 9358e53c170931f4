"""`peermatch serve --forwarded-allow-ips` reaches uvicorn, whose proxy
headers are on (docs/operations.md, behind a reverse proxy)."""

import pytest
from typer.testing import CliRunner

from service.cli import app as cli

runner = CliRunner()


@pytest.mark.parametrize(
    "given, passed", [([], None), (["--forwarded-allow-ips", "10.0.0.5"], "10.0.0.5")]
)
def test_serve_passes_the_trusted_proxies_to_uvicorn(tmp_path, monkeypatch, given, passed):
    import uvicorn

    from service.config import get_settings

    monkeypatch.setenv("PEERMATCH_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PEERMATCH_DATABASE_URL", raising=False)
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))
    get_settings.cache_clear()
    try:
        made = runner.invoke(cli, ["serve", *given])
    finally:
        get_settings.cache_clear()
    assert made.exit_code == 0, made.output
    [options] = calls
    assert options["forwarded_allow_ips"] == passed
    assert options.get("proxy_headers", True)  # uvicorn's default: on
