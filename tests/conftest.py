"""Shared fixtures: a fake connector, the running bot over HTTP, users and a Teams client."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import psycopg
import pytest

from bot.config import Settings, load_settings
from bot.kernel.clock import ShiftedClock
from bot.storage.db import Database
from tests.fakes.connector import FakeConnector
from tests.harness import RunningBot, TeamsClient, User, make_user

PG_ADMIN = os.environ.get("TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def pg_available() -> bool:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=2):
            return True
    except Exception:
        return False


PG_OK = pg_available()
requires_pg = pytest.mark.skipif(not PG_OK, reason="PostgreSQL is not reachable on 127.0.0.1:5432 (set TEST_PG_URL)")


@pytest.fixture
def pg_url() -> Any:
    """A fresh PostgreSQL schema-isolated database URL (a new database per test)."""
    if not PG_OK:
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    name = f"fb_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0]
    yield f"postgresql+psycopg://{base.split('://', 1)[1]}/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    c = FakeConnector()
    await c.start()
    yield c
    await c.stop()


@pytest.fixture
def leader() -> User:
    return make_user("Lise Leder")


@pytest.fixture
def members() -> list[User]:
    return [make_user(n) for n in ("Åse Ærlig", "Ørjan Øverli", "Kari Nordmann", "Per Hansen")]


@pytest.fixture
def clock() -> ShiftedClock:
    return ShiftedClock()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite database migrated to head per test worker: each test's bot starts from a copy of it, because running
    every migration again costs about 0.1 s of CPU per test (a minute over the suite). tests/test_migrations.py and the
    process tests still migrate from nothing."""
    path = tmp_path_factory.mktemp("template") / "bot.db"

    async def build() -> None:
        db = Database(f"sqlite+aiosqlite:///{path}")
        try:
            await db.migrate()
        finally:
            await db.close()

    asyncio.run(build())
    return path


# The end-to-end modules run on both chat hosts (BOT_HOST), parametrized here rather than copied: ids [botbuilder],
# [agents]. A test that concerns one SDK's internals says so with @pytest.mark.only_host("botbuilder").
HOSTS = ("botbuilder", "agents")
BOTH_HOSTS = {"test_auth", "test_tenants", "test_faults", "test_faults_features", "test_old_cards", "test_playground_e2e",
              "test_dialogs", "test_language"}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if "bot_host" not in metafunc.fixturenames or not (module.endswith("_e2e") or module in BOTH_HOSTS):
        return
    only = metafunc.definition.get_closest_marker("only_host")
    hosts = [h for h in HOSTS if only is None or h in only.args]
    metafunc.parametrize("bot_host", hosts, indirect=True)


@pytest.fixture
def bot_host(request: pytest.FixtureRequest) -> str:
    """The chat host the bot runs on: both for the end-to-end modules, else the default."""
    return getattr(request, "param", "botbuilder")


@pytest.fixture
def make_settings(tmp_path: Path, leader: User, migrated_template: Path, bot_host: str) -> Callable[..., Settings]:
    def make(**env: str) -> Settings:
        if "DATABASE_URL" not in env and not (tmp_path / "bot.db").exists():
            shutil.copyfile(migrated_template, tmp_path / "bot.db")
        base = {
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
            "BOT_LEADERS": leader.aad,
            "LOG_LEVEL": "INFO",
            "BOT_HOST": bot_host,
        }
        base.update(env)
        return load_settings(base)

    return make


@pytest.fixture
async def bot(make_settings: Callable[..., Settings], clock: ShiftedClock) -> AsyncIterator[RunningBot]:
    running = RunningBot(make_settings(), clock)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def teams(bot: RunningBot, connector: FakeConnector) -> AsyncIterator[TeamsClient]:
    async with aiohttp.ClientSession() as http:
        yield TeamsClient(http, bot.url, connector)


# -- Microsoft Graph (a fake Graph + token endpoint over HTTPS; see tests/fakes/graph.py) ----------------------------
@pytest.fixture
async def fake_graph() -> AsyncIterator[Any]:
    """A running fake Graph; configure faults, busy times and permissions on it."""
    from tests.fakes.graph import FakeGraph

    g = FakeGraph()
    await g.start()
    yield g
    await g.stop()


@pytest.fixture
def graph_settings(fake_graph: Any) -> dict[str, str]:
    """Env vars that turn Graph on against the fake: `make_settings(**graph_settings)`."""
    return fake_graph.env()
