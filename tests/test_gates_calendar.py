"""Gate deadlines in the organiser's calendar through the fake Graph: one event, created, updated, cancelled."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from bot.config import Settings
from bot.gates.store import GateRepo
from bot.kernel.clock import ShiftedClock
from tests.dates import at_local, day, iso, summer_time_starts
from tests.gates_helpers import INVOLVED, PROJECT, set_deadline, setup_chats, timeline
from tests.harness import RunningBot, TeamsClient


@pytest.fixture
async def graph_teams(make_settings: Callable[..., Settings], graph_settings: dict[str, str], clock: ShiftedClock,
                      connector) -> AsyncIterator[tuple[RunningBot, TeamsClient]]:
    running = RunningBot(make_settings(**graph_settings, GRAPH_MAX_RETRIES="0"), clock)
    await running.start()
    async with aiohttp.ClientSession() as http:
        yield running, TeamsClient(http, running.url, connector)
    await running.stop()


async def test_deadline_event_created_updated_cancelled_once(graph_teams, fake_graph, connector, leader, members, clock):
    bot, teams = graph_teams
    await bot.services.projects.create(PROJECT, "", leader.aad, INVOLVED)
    chats = await setup_chats(teams, leader, members)
    conv = chats["Oppvekst"]
    deadline = day(clock, 60)
    res = await set_deadline(teams, conv, leader, 2, deadline.isoformat())
    assert "Kalender: på" in str(res.card)
    gate = await GateRepo(bot.services.db).at(1, 2)
    key = f"gate:{gate.id}"
    status = await _settled(bot, key, "booked")
    event = fake_graph.events[status.event_id]
    assert event["isAllDay"] is True
    assert event["start"]["dateTime"].startswith(deadline.isoformat())
    assert event["end"]["dateTime"].startswith((deadline + timedelta(days=1)).isoformat())
    attendees = {a["emailAddress"]["address"].lower() for a in event["attendees"]}
    assert attendees == {m.upn for m in (leader, members[0], members[1], members[2])}  # Oppvekst + Helse, not IT
    assert "BP2" in event["subject"]

    summer = summer_time_starts(day(clock, 70)) + timedelta(days=8)  # a day in summer time (CEST, UTC+2)
    await set_deadline(teams, conv, leader, 2, summer.isoformat(), at="10:00")
    await connector.wait_for(lambda: fake_graph.calls("PATCH", "/events/"))
    assert list(fake_graph.events) == [status.event_id]  # the same event, updated
    moved = fake_graph.events[status.event_id]
    assert not moved.get("isAllDay")
    start = datetime.fromisoformat(fake_graph._answer(moved)["start"]["dateTime"].rstrip("Z")[:19]).replace(tzinfo=UTC)
    assert start == at_local(summer, 10) and start.hour == 8  # 10:00 Oslo summer time
    card = await timeline(teams, conv, leader)
    assert "i kalenderen" in str(card)

    form = (await teams.press(conv, leader, card, verb="gates.form", bp=2)).card
    await teams.press(conv, leader, form, verb="gates.remove")
    await connector.wait_for(lambda: fake_graph.cancelled)
    assert list(fake_graph.cancelled) == [status.event_id] and fake_graph.live_events() == []
    assert len([c for c in fake_graph.calls("POST", "/events") if c.path.endswith("/events")]) == 1  # one create
    assert len([c for c in fake_graph.calls("POST", "/cancel")]) == 1
    await _settled(bot, key, "cancelled")


async def _settled(bot: RunningBot, key: str, state: str):
    for _ in range(100):
        status = await bot.services.bookings.status(key)
        if status is not None and status.state == state:
            return status
        await asyncio.sleep(0.05)
    raise AssertionError(f"booking {key} never became {state}: {status}")


async def test_without_graph_the_timeline_says_calendar_off(teams, bot, leader, clock):
    await bot.services.projects.create(PROJECT, "", leader.aad, INVOLVED)
    res = await set_deadline(teams, teams.personal(leader), leader, 1, iso(clock, 30))
    assert "Kalender: av" in str(res.card)
    assert bot.services.scheduler.job_ids("gate:1:reminder")
