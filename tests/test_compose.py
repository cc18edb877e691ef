"""compose.yaml: PostgreSQL, a migration step and two identical bot instances behind nginx, as the two-instance tests run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from bot.config import load_settings
from bot.configspec import SPEC
from bot.ops.lifecycle import EXIT_SLACK_S

ROOT = Path(__file__).resolve().parents[1]


def resolved(env: dict[str, str]) -> dict[str, str]:
    """Compose's ${NAME:-default} with nothing set: the defaults."""
    return {k: re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(v)) for k, v in env.items()}


def test_compose_runs_a_migration_then_two_identical_instances_behind_one_port():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "migrate", "bot-1", "bot-2", "proxy"} <= set(services)
    one, two = services["bot-1"], services["bot-2"]
    assert one["environment"] == two["environment"] == services["migrate"]["environment"]
    env = resolved(one["environment"])
    settings = load_settings(env)  # a valid configuration
    assert settings.database_url.startswith("postgresql+psycopg://") and "@postgres:5432/" in settings.database_url
    assert settings.host == "0.0.0.0" and settings.log_format == "json"
    assert services["migrate"]["command"] == ["migrate"]
    for bot in (one, two):
        assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert bot.get("ports") is None  # only the proxy is published
        grace = int(re.fullmatch(r"(\d+)s", bot["stop_grace_period"]).group(1))
        assert grace >= settings.shutdown_grace_seconds + EXIT_SLACK_S  # SIGKILL only after the bot's own bound
    assert services["proxy"]["ports"] == ["127.0.0.1:3978:80"]
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "server bot-1:3978" in nginx and "server bot-2:3978" in nginx
    assert re.search(r"location = /metrics \{\s*return 404;", nginx)


def test_the_migration_step_is_a_real_command(tmp_path: Path):
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "PYTHONPATH": str(ROOT),
           "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/m.db"}
    done = subprocess.run([sys.executable, "-m", "bot", "migrate"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "database migrated" in done.stderr and (tmp_path / "m.db").exists()


def test_compose_sets_only_known_settings_with_valid_values():
    """compose.yaml and the settings spec (bot/configspec.py) cannot drift: every variable it sets is one the bot reads,
    with a value that parses, and the ones the two-instance tests set (scaling out) are there too."""
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    known = {v.name: v for v in SPEC}
    for name in ("migrate", "bot-1", "bot-2"):
        env = resolved(compose["services"][name]["environment"])
        assert set(env) <= set(known), f"{name}: not in bot/configspec.py: {sorted(set(env) - set(known))}"
        for key, value in env.items():
            known[key].parse(value)  # raises bot.configparse.Invalid for a value the bot would refuse
    env = resolved(compose["services"]["bot-1"]["environment"])
    settings = load_settings(env)
    # What tests/test_rate_instances.py and tests/test_kill_midbroadcast.py run two instances with.
    assert {"DATABASE_URL", "TEAMS_APP_RATE_LIMIT", "OUTBOX_STALE_SECONDS"} <= set(env)
    assert settings.teams_app_rate_limit < 50  # room for the replies of the instance that does not lead
    assert settings.scheduler_enabled  # both may lead; PostgreSQL's lock picks one
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r'ENTRYPOINT \["python", "-m", "bot"\]', dockerfile)  # `command: ["migrate"]` is `python -m bot migrate`
    for line in re.findall(r"^ENV ((?:[^\n]*\\\n)*[^\n]*)", dockerfile, flags=re.M):
        names = re.findall(r"([A-Z_]+)=", line)
        assert all(n in known or n in ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PATH", "PIP_NO_CACHE_DIR",
                                       "PIP_DISABLE_PIP_VERSION_CHECK") or n.startswith("UV_") for n in names), names
