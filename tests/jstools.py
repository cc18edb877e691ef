"""Node and Chromium for the tests that use Microsoft's own JS tools (tests/js): detection and clear skip reasons."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

JS_DIR = Path(__file__).resolve().parent / "js"
NODE_MODULES = JS_DIR / "node_modules"
NODE = shutil.which("node")
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


def _has(package: str) -> bool:
    return (NODE_MODULES / package / "package.json").is_file()


def node_reason(*packages: str) -> str | None:
    """Why the Node tools cannot run, or None when they can."""
    if not NODE:
        return "Node.js is not installed (apt-get install nodejs npm)"
    missing = [p for p in packages if not _has(p)]
    if missing:
        return f"npm packages missing in tests/js ({', '.join(missing)}): run `make test` or `npm ci --prefix tests/js`"
    return None


def browser_reason(*packages: str) -> str | None:
    """Why the browser tests cannot run, or None when they can."""
    reason = node_reason("playwright-core", *packages)
    if reason:
        return reason
    if not CHROMIUM:
        return "Chromium is not installed (apt-get install chromium; .ci/run does this)"
    return None


def requires_node(*packages: str) -> pytest.MarkDecorator:
    """Skip unless Node and these npm packages are installed in tests/js."""
    reason = node_reason(*packages)
    return pytest.mark.skipif(reason is not None, reason=reason or "")


def requires_browser(*packages: str) -> pytest.MarkDecorator:
    """Skip unless Node, playwright-core (plus these packages) and Chromium are installed."""
    reason = browser_reason(*packages)
    return pytest.mark.skipif(reason is not None, reason=reason or "")


def run_node(script: str, *args: str, timeout: float = 120, env: dict[str, str] | None = None) -> Any:
    """Run a script in tests/js and parse the JSON it prints on stdout."""
    full_env = {**os.environ, **(env or {})}
    if CHROMIUM:
        full_env.setdefault("CHROMIUM_PATH", CHROMIUM)
    proc = subprocess.run([NODE or "node", str(JS_DIR / script), *args], cwd=JS_DIR, capture_output=True, text=True,
                          timeout=timeout, env=full_env)
    if proc.returncode != 0:
        raise AssertionError(f"{script} failed ({proc.returncode}):\n{proc.stderr[-4000:]}\n{proc.stdout[-2000:]}")
    return json.loads(proc.stdout)


async def run_node_async(script: str, *args: str, timeout: float = 120, env: dict[str, str] | None = None) -> Any:
    """run_node without blocking the event loop (for tests whose bot runs in the same loop)."""
    import asyncio

    full_env = {**os.environ, **(env or {})}
    if CHROMIUM:
        full_env.setdefault("CHROMIUM_PATH", CHROMIUM)
    proc = await asyncio.create_subprocess_exec(NODE or "node", str(JS_DIR / script), *args, cwd=JS_DIR, env=full_env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise AssertionError(f"{script} timed out after {timeout} s") from None
    text = out.decode()
    if proc.returncode != 0:
        raise AssertionError(f"{script} failed ({proc.returncode}):\n{err.decode()[-4000:]}\n{text[-4000:]}")
    return json.loads(text)
