"""Gates on PostgreSQL: the gate table, one scheduler leader among instances, and each reminder sent once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from bot.gates.jobs import REMINDER_FUNC, reminder_job_id
from bot.gates.model import APPROVED, DEFAULT_OFFSETS
from bot.gates.store import GateRepo
from bot.kernel.clock import SystemClock  # the bot processes run on the system clock
from bot.scheduling.scheduler import RUN_NAMED
from bot.storage.db import Database, sync_url
from bot.storage.projects import ProjectRepo
from tests.dates import iso
from tests.gates_helpers import INVOLVED, PROJECT, reminders, set_deadline, setup_chats
from tests.harness import TeamsClient, free_port
from tests.procs import ROOT

pytestmark = pytest.mark.postgres


async def test_gate_repo_on_postgres(pg_url):
    db = Database(pg_url)
    await db.migrate()
    try:
        project = await ProjectRepo(db).create("Ærlig prosjekt", "", "p1", ["Oppvekst"])
        repo = GateRepo(db)
        first = await repo.set_deadline(project.id, 2, deadline=date(2010, 3, 29), deadline_time=None,
                                        faggrupper=("Oppvekst",), documents=("Faseplan",), offsets=DEFAULT_OFFSETS,
                                        set_by="p1", set_in="c1")
        second = await repo.set_deadline(project.id, 2, deadline=date(2010, 4, 1), deadline_time=dtime(12, 0),
                                         faggrupper=("Oppvekst", "Helse og omsorg"), documents=(),
                                         offsets=(timedelta(days=3),), set_by="p2", set_in="c2")
        assert second.id == first.id and second.deadline == date(2010, 4, 1) and second.deadline_time == dtime(12, 0)
        assert second.offsets == (timedelta(days=3),)
        assert await repo.decide(first.id, APPROVED, "ok", "p2", datetime.now(UTC))
        assert not await repo.decide(first.id, APPROVED, "ok", "p2", datetime.now(UTC))
        assert (await repo.for_project(project.id))[2].status == APPROVED
    finally:
        await db.close()


def _spawn(pg_url: str, port: int, leader_aad: str, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MICROSOFT_APP", "GRAPH_"))}
    env.update(DATABASE_URL=pg_url, PORT=str(port), HOST="127.0.0.1", BOT_LEADERS=leader_aad, LOG_LEVEL="INFO",
               PYTHONPATH=str(ROOT))
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "bot"], cwd=log.parent, env=env, stdout=out,
                                stderr=subprocess.STDOUT)


async def _health(http: aiohttp.ClientSession, url: str) -> dict[str, Any] | None:
    try:
        async with http.get(f"{url}/healthz", timeout=aiohttp.ClientTimeout(total=2)) as r:
            return await r.json() if r.status == 200 else None
    except (aiohttp.ClientError, TimeoutError, OSError):
        return None


async def _until(check: Any, timeout: float = 60.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await check()
        if value:
            return value
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out: {what}")


def _run_now(pg_url: str, gate_id: int, offset: str) -> None:
    """Put a reminder job, due now, into the shared job store (as a deadline set long ago would have)."""
    store = SQLAlchemyJobStore(url=sync_url(pg_url), tablename="apscheduler_jobs")
    sched = BackgroundScheduler(jobstores={"default": store}, timezone="Europe/Oslo")
    sched.start(paused=True)  # paused: writes to the store, never runs anything in this process
    try:
        sched.add_job(RUN_NAMED, "date", run_date=datetime.now(UTC) + timedelta(seconds=0.3),
                      id=reminder_job_id(gate_id, offset), args=[REMINDER_FUNC, gate_id, offset], replace_existing=True,
                      misfire_grace_time=3600)
    finally:
        sched.shutdown(wait=False)


async def test_two_instances_send_each_reminder_once_and_fail_over(pg_url, connector, leader, members, tmp_path):
    ports = [free_port(), free_port()]
    urls = [f"http://127.0.0.1:{p}" for p in ports]
    procs = [_spawn(pg_url, p, leader.aad, tmp_path / f"bot{i}.log") for i, p in enumerate(ports)]
    try:
        async with aiohttp.ClientSession() as http:
            async def leaders() -> list[bool] | None:
                states = [await _health(http, u) for u in urls]
                if any(s is None for s in states):
                    return None
                flags = [bool(s["scheduler"]["leader"]) for s in states]  # type: ignore[index]
                return flags if any(flags) else None

            flags = await _until(leaders, 90, "both instances healthy with a leader")
            await asyncio.sleep(1.5)  # a second leader would have shown up by now
            flags = await leaders()
            assert flags is not None and flags.count(True) == 1, flags
            lead = flags.index(True)
            other = 1 - lead

            db = Database(pg_url)
            try:
                await ProjectRepo(db).create(PROJECT, "", leader.aad, INVOLVED)
                # drive the standby instance: everything is shared through the database
                teams = TeamsClient(http, urls[other], connector)
                chats = await setup_chats(teams, leader, members)
                res = await set_deadline(teams, chats["Oppvekst"], leader, 2, iso(SystemClock(), 60))
                assert "Fristen for BP2" in res.texts[0]
                gate = await GateRepo(db).at(1, 2)
            finally:
                await db.close()

            await asyncio.to_thread(_run_now, pg_url, gate.id, "7")
            for name in INVOLVED:
                await connector.wait_for(lambda n=name: reminders(connector, chats[n]), timeout=20)
            await asyncio.sleep(1.5)
            assert [len(reminders(connector, chats[n])) for n in INVOLVED] == [1, 1]

            # the leader dies; the standby takes over the scheduler and sends the next reminder, once
            procs[lead].send_signal(signal.SIGKILL)
            procs[lead].wait(10)

            async def took_over() -> bool:
                state = await _health(http, urls[other])
                return bool(state and state["scheduler"]["leader"])

            await _until(took_over, 30, "standby takes over")
            await asyncio.to_thread(_run_now, pg_url, gate.id, "1")
            for name in INVOLVED:
                await connector.wait_for(lambda n=name: len(reminders(connector, chats[n])) >= 2, timeout=20)
            await asyncio.sleep(1.0)
            assert [len(reminders(connector, chats[n])) for n in INVOLVED] == [2, 2]
            assert reminders(connector, chats["IT-drift og sikkerhet"]) == []
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
