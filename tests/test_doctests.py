"""The examples in matcher's docstrings run, and say what they print."""

import doctest
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import matcher

ROOT = Path(__file__).resolve().parents[1]

MODULES = sorted(
    info.name for info in pkgutil.walk_packages(matcher.__path__, prefix="matcher.")
)


SERVICE_EXAMPLES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts)
    for path in (ROOT / "service").rglob("*.py")
    if "migrations" not in path.parts and ">>>" in path.read_text(encoding="utf-8")
)


@pytest.mark.parametrize("name", ["matcher", *MODULES, *SERVICE_EXAMPLES])
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_every_public_circles_function_and_class_has_an_example():
    import matcher.circles as circles

    finder = doctest.DocTestFinder(recurse=False)
    missing = [
        name
        for name in circles.__all__
        if callable(getattr(circles, name))
        and not any(test.examples for test in finder.find(getattr(circles, name), name))
    ]
    assert missing == []


def _public(module):
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    for name in names:
        obj = getattr(module, name)
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module.__name__:
            yield name, obj


def test_every_public_function_and_class_has_an_example():
    bare = [
        f"{name}.{attr}"
        for name in MODULES
        if not name.rsplit(".", 1)[-1].startswith("_")
        for attr, obj in _public(importlib.import_module(name))
        if ">>>" not in (obj.__doc__ or "")
    ]
    assert bare == []
