"""matcher is the pure core: importing it loads no web, database or HTTP client."""

import subprocess
import sys

FORBIDDEN = (
    "service",
    "fastapi",
    "starlette",
    "uvicorn",
    "sqlmodel",
    "sqlalchemy",
    "sqlite3",
    "psycopg",
    "psycopg2",
    "requests",
    "httpx",
    "urllib3",
    "http.client",
    "typer",
)


def test_import_matcher_pulls_in_no_io_module():
    code = (
        "import sys, matcher\n"
        f"bad = [m for m in {FORBIDDEN!r} if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_matcher_source_does_no_io():
    from pathlib import Path

    import matcher

    for path in Path(matcher.__file__).parent.rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            # The one read allowed: a data file shipped inside matcher itself (the
            # taxonomy's labels), never a path or a setting from outside.
            if 'resources.files("matcher")' in line:
                continue
            for word in ("open(", "os.environ", "read_text", "write_text", "requests.", "sqlite"):
                assert word not in line, f"{path.name} uses {word}"
