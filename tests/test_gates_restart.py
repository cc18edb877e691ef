"""Gate reminders across restarts: a reminder due while the bot is down comes once at start, before the deadline only."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import aiohttp

from bot.gates.store import GateRepo
from tests.dates import iso
from tests.gates_helpers import INVOLVED, PROJECT, reminders, run_reminder_now, set_deadline, setup_chats
from tests.harness import RunningBot, TeamsClient


async def _start(settings, clock) -> RunningBot:
    running = RunningBot(settings, clock)
    await running.start()
    return running


async def _misfire_then_restart(make_settings, clock, connector, leader, members, *, advance: timedelta | None = None):
    first = await _start(make_settings(), clock)
    try:
        async with aiohttp.ClientSession() as http:
            teams = TeamsClient(http, first.url, connector)
            await first.services.projects.create(PROJECT, "", leader.aad, INVOLVED)
            chats = await setup_chats(teams, leader, members)
            await set_deadline(teams, chats["Oppvekst"], leader, 2, iso(clock, 60))
        gate = await GateRepo(first.services.db).at(1, 2)
        # due in a moment; the bot stops before then, so it comes due while nobody runs the scheduler
        run_reminder_now(first.services, gate.id, "7", delay=0.6)
    finally:
        await first.stop()
    await asyncio.sleep(1.0)
    assert all(reminders(connector, chats[n]) == [] for n in INVOLVED)
    if advance:
        clock.advance(advance)
    return chats, gate


async def test_reminder_missed_while_down_is_sent_once_at_start(make_settings, clock, connector, leader, members):
    chats, gate = await _misfire_then_restart(make_settings, clock, connector, leader, members)
    second = await _start(make_settings(), clock)
    try:
        for name in INVOLVED:
            await connector.wait_for(lambda n=name: reminders(connector, chats[n]))
        assert second.services.scheduler.job_ids(f"gate:{gate.id}:reminder:7") == []
        assert sorted(second.services.scheduler.job_ids(f"gate:{gate.id}:")) == [
            f"gate:{gate.id}:overdue", f"gate:{gate.id}:reminder:1", f"gate:{gate.id}:reminder:14"]
    finally:
        await second.stop()
    # and once more: a third start sends nothing again
    third = await _start(make_settings(), clock)
    try:
        await asyncio.sleep(1.2)
        for name in INVOLVED:
            assert len(reminders(connector, chats[name])) == 1
        rows = [r for r in await third.services.outbox.group(f"gate:{gate.id}:reminders")]
        assert len(rows) == 2 and {r.state for r in rows} == {"sent"}
    finally:
        await third.stop()


async def test_reminder_missed_until_after_deadline_is_dropped(make_settings, clock, connector, leader, members):
    chats, gate = await _misfire_then_restart(make_settings, clock, connector, leader, members,
                                              advance=timedelta(days=200))
    second = await _start(make_settings(), clock)
    try:
        await asyncio.sleep(1.2)
        assert second.services.scheduler.job_ids(f"gate:{gate.id}:reminder:7") == []  # ran, and skipped
        assert all(reminders(connector, chats[n]) == [] for n in INVOLVED)
    finally:
        await second.stop()
