"""Reproducible installs: uv.lock covers pyproject.toml and is current, make/CI/Docker install from it, SBOM of the lock."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def req_name(requirement: str) -> str:
    return norm(re.split(r"[\s\[<>=~!;]", requirement, maxsplit=1)[0])


def find_uv() -> str | None:
    """The uv `make` bootstraps (.tools/), else one on PATH or beside this Python."""
    for candidate in (ROOT / ".tools" / "bin" / "uv", Path(sys.executable).with_name("uv")):
        if candidate.exists():
            return str(candidate)
    return shutil.which("uv")


UV = find_uv()
needs_uv = pytest.mark.skipif(UV is None, reason="uv is not installed (make bootstraps it into .tools/)")


def uv(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    assert UV is not None
    return subprocess.run([UV, *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"})


def test_lock_pins_every_dependency_of_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    assert lock["requires-python"] == project["requires-python"]
    locked = {norm(p["name"]): p for p in lock["package"]}
    wanted = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values() for r in extra)]
    missing = {req_name(r) for r in wanted} - set(locked)
    assert not missing, f"not in uv.lock (run `make lock`): {missing}"
    for name in ("aiohttp", "prometheus-client", "pytest"):
        package = locked[name]
        assert package["version"] and package["source"] == {"registry": "https://pypi.org/simple"}
        assert all(w["hash"].startswith("sha256:") for w in package["wheels"])


@needs_uv
@pytest.mark.real_clock  # uv asks PyPI over TLS: certificates are not valid on a clock moved two years ahead
def test_lock_is_current_and_a_changed_pyproject_without_a_new_lock_fails(tmp_path: Path):
    assert uv("lock", "--check", "--offline").returncode == 0, "uv.lock is stale: run `make lock` and commit it"
    for name in ("pyproject.toml", "uv.lock", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    # A dependency dropped from pyproject.toml but still locked (uv asks PyPI about the changed set, as `make` would).
    text = (tmp_path / "pyproject.toml").read_text()
    (tmp_path / "pyproject.toml").write_text(text.replace('    "xlsxwriter>=3.1,<4",\n', "", 1))
    stale = uv("lock", "--check", cwd=tmp_path)
    assert stale.returncode != 0 and "needs to be updated" in stale.stderr


@needs_uv
def test_sbom_lists_the_locked_runtime_set_with_hashes(tmp_path: Path):
    out = tmp_path / "sbom.json"
    done = uv("export", "--locked", "--offline", "--format", "cyclonedx1.5", "--no-dev", "-o", str(out), "-q")
    assert done.returncode == 0, done.stderr
    bom = json.loads(out.read_text())
    assert bom["bomFormat"] == "CycloneDX" and bom["specVersion"] == "1.5"
    components = {c["name"]: c for c in bom["components"]}
    assert {"aiohttp", "botbuilder-core", "prometheus-client", "sqlalchemy"} <= set(components)
    assert "pytest" not in components and "ruff" not in components  # dev tools are not shipped
    locked = {norm(p["name"]): p["version"] for p in tomllib.loads((ROOT / "uv.lock").read_text())["package"]}
    for name, component in components.items():
        assert component["version"] == locked[norm(name)]
        assert component["purl"] == f"pkg:pypi/{name}@{component['version']}"
        assert any(h["alg"] == "SHA-256" for ref in component["externalReferences"] for h in ref.get("hashes", []))


def test_make_ci_and_docker_install_from_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    docker = (ROOT / "Dockerfile").read_text()
    assert "pip install -e" not in makefile and "pip install ." not in docker
    assert "SYNC := $(UV) sync --locked" in makefile and "$(SYNC) --extra dev" in makefile
    assert re.search(r"^test: dev", makefile, re.M) and "-n $(PYTEST_WORKERS) --dist loadfile" in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert len(re.findall(r"^RUN uv sync --locked", docker, re.M)) == 2
    make_uv = re.search(r"^UV_VERSION := (\S+)$", makefile, re.M)
    docker_uv = re.search(r"^ARG UV_VERSION=(\S+)$", docker, re.M)
    assert make_uv and docker_uv and make_uv.group(1) == docker_uv.group(1)
    # Every stage starts from the base pinned by digest (through the one ARG).
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", docker, re.M)
    assert base and re.fullmatch(r"python:3\.11-slim-bookworm@sha256:[0-9a-f]{64}", base.group(1))
    assert re.findall(r"^FROM (\S+)", docker, re.M) == ["${PYTHON_IMAGE}", "${PYTHON_IMAGE}"]
    for target in ("sbom:", "audit:", "lock:"):
        assert re.search(rf"^{target}", makefile, re.M)
