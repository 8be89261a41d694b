"""The dependency rule of DESIGN.md that import-linter cannot express: the domain core imports
nothing but the standard library, itself and the reference data."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import mahnwerk

PACKAGE = Path(mahnwerk.__file__).parent
ALLOWED_OWN = ("mahnwerk.domain", "mahnwerk.reference")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def offending_imports(folder: str) -> list[str]:
    bad = []
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        for name in imported_modules(path):
            top = name.split(".")[0]
            if top in sys.stdlib_module_names or top == "__future__":
                continue
            if name.startswith(ALLOWED_OWN):
                continue
            bad.append(f"{path.relative_to(PACKAGE)} imports {name}")
    return bad


def test_domain_imports_only_stdlib_and_reference():
    assert offending_imports("domain") == []


def test_reference_imports_only_stdlib():
    assert [b for b in offending_imports("reference") if "mahnwerk.domain" in b] == []


def test_the_check_catches_a_third_party_import(tmp_path, monkeypatch):
    fake = tmp_path / "domain"
    fake.mkdir()
    (fake / "bad.py").write_text("import numpy\nfrom mahnwerk.store import x\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path)
    assert sorted(offending_imports("domain")) == [
        "domain/bad.py imports mahnwerk.store",
        "domain/bad.py imports numpy",
    ]
