"""The layers of ``service/`` import only downwards, and ``matcher`` imports
nothing from ``service`` (docs/architecture.md draws them)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = {
    "cli": 6,
    "api": 5,
    "console": 4,
    "report": 3,
    "usecases": 3,
    "documents": 2,
    "store": 2,
    "contract": 1,
    "config": 1,
    "safe_text": 1,
    "gc_pause": 1,
    "metrics": 1,
    "translations": 1,
}
"""Each part of service/ and its floor: a part imports parts on lower floors
(and itself); the base floor (the contract and small helpers) is one part."""


def _part(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "service" and len(parts) > 1 else None


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            if node.module == "service":
                found += [(node.lineno, f"service.{a.name}") for a in node.names]
    return found


def test_every_part_of_service_has_a_floor():
    parts = {p.stem if p.is_file() else p.name for p in (ROOT / "service").iterdir()}
    parts -= {"__init__", "__pycache__"}
    assert parts == set(LAYERS), "add the new part to LAYERS and to docs/architecture.md"


def test_service_layers_import_only_downwards():
    upward = []
    for path in sorted((ROOT / "service").rglob("*.py")):
        here = _part(
            "service." + ".".join(path.relative_to(ROOT / "service").with_suffix("").parts)
        )
        if here is None:
            continue
        for line, module in _imports(path):
            there = _part(module)
            if there is None or there == here:
                continue
            if LAYERS[there] > LAYERS[here] or (LAYERS[there] == LAYERS[here] > 1):
                upward.append(f"{path.relative_to(ROOT)}:{line} ({here}) imports {module}")
    assert upward == []


def test_matcher_imports_nothing_from_service():
    found = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted((ROOT / "matcher").rglob("*.py"))
        for line, module in _imports(path)
        if module.split(".")[0] in ("service", "fixtures")
    ]
    assert found == []
