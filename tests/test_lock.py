"""The committed lock pins every package pyproject.toml asks for, inside the
range it allows, so an install from the lock never resolves a package anew."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _pins() -> dict[str, set[str]]:
    pins: dict[str, set[str]] = {}
    for line in (ROOT / "requirements" / "lock.txt").read_text(encoding="utf-8").splitlines():
        m = re.match(r"([A-Za-z0-9_.\-]+)==([^ ;]+)", line)
        if m:
            pins.setdefault(_norm(m[1]), set()).add(m[2])
    return pins


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_requirement_is_pinned_within_its_range():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        wanted += extra
    pins = _pins()
    stale = []
    for spec in wanted:
        req = Requirement(spec)
        versions = pins.get(_norm(req.name), set())
        if not versions or not all(req.specifier.contains(v) for v in versions):
            stale.append(f"{spec} (lock: {sorted(versions) or 'missing'})")
    assert not stale, "requirements/lock.txt is stale; run `sh scripts/lock.sh`: " + ", ".join(
        stale
    )
