"""The suite's own layout: helpers live in tests/support, once, and no test file imports another."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_no_test_file_imports_another_test_file():
    files = sorted(TESTS.glob("test_*.py"))
    assert len(files) > 20
    offenders = {
        f.name: sorted(m for m in _imported(f) if m.split(".")[-1].startswith(("test_", "conftest")))
        for f in files
    }
    assert not {k: v for k, v in offenders.items() if v}


def test_helpers_come_from_the_support_package():
    modules = {p.stem for p in (TESTS / "support").glob("*.py")} - {"__init__"}
    assert {"archives", "pages", "processes", "servers"} <= modules
    loose = sorted(p.name for p in TESTS.glob("*.py") if not p.name.startswith("test_")
                   and p.name not in {"conftest.py", "__init__.py"})
    assert not loose, f"helper modules outside tests/support: {loose}"
