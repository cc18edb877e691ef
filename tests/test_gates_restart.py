"""Gate reminders across restarts: a reminder due while the bot is down comes once at start, before the deadline only."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import aiohttp

from bot.domain.calendar import BookingStatus, EventSpec
from bot.storage.gates import GateRepo
from tests.gates_helpers import INVOLVED, PROJECT, reminders, run_reminder_now, set_deadline, setup_chats, timeline
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
            await set_deadline(teams, chats["Oppvekst"], leader, 2, "2027-03-29")
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


class FakeBookings:
    """Records what the gate feature asks of the bookings service (one event per source key)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, EventSpec | None]] = []
        self.events: dict[str, str] = {}

    async def book(self, source_key: str, spec: EventSpec) -> BookingStatus:
        op = "update" if source_key in self.events else "create"
        self.events.setdefault(source_key, f"ev-{len(self.events) + 1}")
        self.calls.append((op, source_key, spec))
        return BookingStatus(source_key, "booked", self.events[source_key])

    async def cancel(self, source_key: str, comment: str = "") -> BookingStatus:
        self.calls.append(("cancel", source_key, None))
        return BookingStatus(source_key, "cancelled", self.events.get(source_key, ""))

    async def status(self, source_key: str) -> BookingStatus | None:
        if source_key not in self.events:
            return None
        state = "cancelled" if self.calls and self.calls[-1][0] == "cancel" else "booked"
        return BookingStatus(source_key, state, self.events[source_key])

    def on_change(self, prefix: str, listener: object) -> None:
        pass


async def test_calendar_event_created_updated_cancelled_once(teams, bot, leader, members, connector):
    fake = FakeBookings()
    bot.services.bookings = fake
    await bot.services.projects.create(PROJECT, "", leader.aad, INVOLVED)
    chats = await setup_chats(teams, leader, members)
    conv = chats["Oppvekst"]
    res = await set_deadline(teams, conv, leader, 2, "2027-03-29")
    assert "Kalender: på" in str(res.card)
    await connector.wait_for(lambda: len(fake.calls) >= 1)
    op, key, spec = fake.calls[0]
    gate = await GateRepo(bot.services.db).at(1, 2)
    assert (op, key) == ("create", f"gate:{gate.id}")
    assert spec.all_day and spec.start == datetime(2027, 3, 29).date() and spec.end == datetime(2027, 3, 30).date()
    expected = {m.upn for m in (leader, members[0], members[1], members[2])}  # Oppvekst and Helse, not IT
    assert set(spec.attendees) == expected
    await set_deadline(teams, conv, leader, 2, "2027-04-05", at="10:00")
    await connector.wait_for(lambda: len(fake.calls) >= 2)
    op, key, spec = fake.calls[1]
    assert (op, key) == ("update", f"gate:{gate.id}") and not spec.all_day
    assert spec.start.astimezone(UTC) == datetime(2027, 4, 5, 8, tzinfo=UTC)
    card = await timeline(teams, conv, leader)
    assert "i kalenderen" in str(card)
    form = (await teams.press(conv, leader, card, verb="gates.form", bp=2)).card
    await teams.press(conv, leader, form, verb="gates.remove")
    await connector.wait_for(lambda: len(fake.calls) >= 3)
    assert [c[:2] for c in fake.calls] == [("create", key), ("update", key), ("cancel", key)]
    assert len(fake.events) == 1
