"""Imports go one way: grants <- accounts <- budgets <- reports <- documents <- compliance
<- oversight <- allocations <- api <- demo.

An app may import the apps below it and never one above, so each layer can be read,
tested and changed without the ones built on it; nothing in the product imports the
demonstration program.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = [
    "grants",
    "accounts",
    "budgets",
    "reports",
    "documents",
    "compliance",
    "oversight",
    "allocations",
    "api",
    "demo",
]


def imported_apps(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
    return found & set(LAYERS)


@pytest.mark.parametrize("app", LAYERS)
def test_an_app_imports_only_the_apps_below_it(app):
    above = set(LAYERS[LAYERS.index(app) + 1 :])
    wrong = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path) & above)
        for path in (ROOT / app).rglob("*.py")
        if imported_apps(path) & above
    }
    assert wrong == {}


def test_nothing_outside_the_demo_app_imports_it():
    product = [p for app in LAYERS[:-1] for p in (ROOT / app).rglob("*.py")]
    product += list((ROOT / "config").rglob("*.py"))
    assert [str(p.relative_to(ROOT)) for p in product if "demo" in imported_apps(p)] == []
