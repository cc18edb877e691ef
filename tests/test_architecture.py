"""The architecture's own rules that import-linter cannot see: explicit module lists, no scanning, docstrings, size."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from bot import modules
from bot.scheduling import names

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted(p for d in ("bot", "cards") for p in (ROOT / d).rglob("*.py") if "migrations" not in p.parts)


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def test_every_texts_module_is_in_the_catalogue_list():
    found = {_module(p) for p in SOURCES if p.name == "texts.py" or (p.parent.name == "messages" and p.stem != "__init__")}
    assert found == set(modules.TEXTS), sorted(found ^ set(modules.TEXTS))


def test_every_module_with_tables_or_personal_data_is_in_the_store_list():
    def declares(path: Path) -> bool:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(isinstance(b, ast.Name) and b.id == "Base" for b in node.bases):
                return True
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in ("PERSONAL_DATA", "PRIVACY")
                                                    for t in node.targets):
                return True
        return False

    found = {_module(p) for p in SOURCES if declares(p)}
    assert found <= set(modules.STORES), sorted(found - set(modules.STORES))
    assert modules.load(modules.STORES)


def test_no_module_scanning_and_no_private_sdk_imports():
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        assert "pkgutil" not in text, path
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                top = node.module.split(".")[0]
                if top in ("bot", "cards"):
                    continue
                private = [p for p in node.module.split(".") if p.startswith("_") and not p.startswith("__")]
                assert not private, (path, node.module)


def test_every_module_starts_with_a_one_line_docstring_and_stays_under_300_lines():
    problems = []
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        doc = ast.get_docstring(ast.parse(text))
        if not doc or not doc.splitlines()[0].strip():
            problems.append(f"{path.relative_to(ROOT)}: no docstring")
        if len(text.splitlines()) > 300:
            problems.append(f"{path.relative_to(ROOT)}: {len(text.splitlines())} lines")
    assert not problems, problems



def test_every_job_name_resolves_and_every_legacy_reference_has_a_name():
    for name in names.JOBS:
        assert callable(names.resolve(name)), name
    for ref, name in names.LEGACY.items():
        assert names.canonical(ref) == name
    with pytest.raises(KeyError):
        names.canonical("bot.somewhere:else")


def test_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        pytest.skip("import-linter is not installed (make dev installs it)")
    done = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-4000:]
