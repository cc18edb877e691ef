"""The chat SDKs stay behind bot/hosts: only bot/hosts/botbuilder imports botbuilder, only bot/hosts/agents the Agents
SDK, and features never import a host."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.kernel.bounded import BoundedCache

BOT = Path(__file__).resolve().parents[1] / "bot"
# The HTTP edge builds the host; the operator's doctor asks Entra ID for the bot's token through the host's credentials.
HOST_USERS = {"app.py", "ops/doctor.py"}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_only_the_botbuilder_host_imports_the_sdk():
    sdk = ("botbuilder", "botframework")
    offenders = [str(p.relative_to(BOT)) for p in BOT.rglob("*.py") if not p.is_relative_to(BOT / "hosts" / "botbuilder")
                 and any(m.split(".")[0] in sdk for m in _imports(p))]
    assert offenders == []


def test_only_the_agents_host_imports_the_agents_sdk():
    offenders = [str(p.relative_to(BOT)) for p in BOT.rglob("*.py") if not p.is_relative_to(BOT / "hosts" / "agents")
                 and any(m.split(".")[0] == "microsoft_agents" for m in _imports(p))]
    assert offenders == []


def test_importing_the_host_chooser_loads_no_sdk():
    """bot.hosts picks the host by BOT_HOST; the SDK of the other host is never imported."""
    import subprocess
    import sys

    code = "import sys, bot.hosts; print(any(m.split('.')[0] in ('botbuilder', 'microsoft_agents') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=BOT.parent).stdout.strip()
    assert out == "False"


def test_nothing_outside_the_hosts_imports_one():
    offenders = [rel for p in BOT.rglob("*.py") if not p.is_relative_to(BOT / "hosts")
                 and (rel := p.relative_to(BOT).as_posix()) not in HOST_USERS
                 and any(m == "bot.hosts" or m.startswith("bot.hosts.") for m in _imports(p))]
    assert offenders == []


def test_bounded_cache_drops_the_least_recent_and_the_old():
    now = [0.0]
    cache: BoundedCache[str, int] = BoundedCache(2, 10.0, timer=lambda: now[0])
    cache["a"], cache["b"] = 1, 2
    assert cache.get("a") == 1  # "a" is now the most recently used
    cache["c"] = 3
    assert cache.get("b") is None and cache.get("a") == 1 and len(cache) == 2
    now[0] = 11.0
    assert cache.get("a") is None and "c" not in cache
    cache["d"] = 4
    assert len(cache) == 1 and cache.setdefault("d", 5) == 4 and cache.pop("d") == 4
