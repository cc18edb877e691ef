"""The bookings service in the running app: create once then update, pending and retried by the scheduler, off, healthz."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bot.calendar.bookings import BookingService, retry_job_id, spec_from_json, spec_to_json, transaction_id_for
from bot.calendar.ics import event_ics
from bot.calendar.port import BookingStatus, EventSpec
from bot.calendar.store import BookingRepo
from bot.config import Settings
from bot.kernel.clock import ShiftedClock
from bot.storage.db import Database
from tests.fakes.graph import FakeGraph
from tests.harness import RunningBot

OSLO = ZoneInfo("Europe/Oslo")


def spec(subject: str = "Avstemning: møte i faggruppe Helse og omsorg", **kw: Any) -> EventSpec:
    base: dict[str, Any] = dict(subject=subject, body_html="<p>Møte</p>", start=datetime(2009, 12, 3, 10, tzinfo=OSLO),
                                end=datetime(2009, 12, 3, 11, tzinfo=OSLO), attendees=("kari@digitalehelgeland.no",),
                                online_meeting=True, categories=("Faggruppe",))
    base.update(kw)
    return EventSpec(**base)


@pytest.fixture
async def graph_bot(make_settings: Callable[..., Settings], graph_settings: dict[str, str],
                    clock: ShiftedClock) -> AsyncIterator[RunningBot]:
    running = RunningBot(make_settings(**graph_settings, GRAPH_MAX_RETRIES="0"), clock)
    await running.start()
    running.services.bookings.retry_base = timedelta(milliseconds=200)  # type: ignore[union-attr]
    yield running
    await running.stop()


async def healthz(bot: RunningBot) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http, http.get(f"{bot.url}/healthz") as r:
        return await r.json()


async def test_book_creates_once_then_updates_then_cancels(graph_bot: RunningBot, fake_graph: FakeGraph):
    bookings = graph_bot.services.bookings
    assert isinstance(bookings, BookingService)
    first = await bookings.book("poll:1", spec())
    assert first.state == "booked" and first.event_id in fake_graph.events and first.join_url
    assert fake_graph.calls("POST", "/events")[0].body["transactionId"] == transaction_id_for("poll:1")
    second = await bookings.book("poll:1", spec("Møte flyttet", start=datetime(2009, 12, 4, 9, tzinfo=OSLO),
                                                end=datetime(2009, 12, 4, 10, tzinfo=OSLO)))
    assert second.event_id == first.event_id and len(fake_graph.events) == 1
    assert fake_graph.events[first.event_id]["subject"] == "Møte flyttet"
    assert (await bookings.status("poll:1")) == second
    cancelled = await bookings.cancel("poll:1", "Avlyst")
    assert cancelled.state == "cancelled" and first.event_id in fake_graph.cancelled and not fake_graph.events
    again = await bookings.book("poll:1", spec())  # booked again after a cancel: a new event, a new transactionId
    assert again.state == "booked" and again.event_id != first.event_id and len(fake_graph.events) == 1
    assert await bookings.status("nope") is None


async def test_event_deleted_in_outlook_is_booked_anew(graph_bot: RunningBot, fake_graph: FakeGraph):
    bookings = graph_bot.services.bookings
    first = await bookings.book("gate:7:deadline", spec(start=date(2010, 3, 28), end=date(2010, 3, 28)))
    fake_graph.events.clear()  # a person deleted it
    second = await bookings.book("gate:7:deadline", spec("Frist BP2", start=date(2010, 3, 28), end=date(2010, 3, 28)))
    assert second.state == "booked" and second.event_id != first.event_id and list(fake_graph.events) == [second.event_id]
    txns = [c.body["transactionId"] for c in fake_graph.calls("POST", "/events")]
    assert len(set(txns)) == 2


async def test_pending_booking_is_retried_by_the_scheduler(graph_bot: RunningBot, fake_graph: FakeGraph):
    bookings = graph_bot.services.bookings
    heard: list[BookingStatus] = []
    settled = asyncio.Event()

    async def listener(status: BookingStatus) -> None:
        heard.append(status)
        settled.set()

    bookings.on_change("poll:", listener)
    bookings.on_change("gate:", lambda s: (_ for _ in ()).throw(AssertionError("wrong prefix")))
    fake_graph.fault(503, method="POST", path="/events")
    pending = await bookings.book("poll:42", spec())
    assert pending.state == "pending" and "unavailable" in pending.last_error
    assert graph_bot.services.scheduler.job_ids("booking:") == [retry_job_id("poll:42")]
    await asyncio.wait_for(settled.wait(), 20)
    assert heard[0].state == "booked" and heard[0].event_id in fake_graph.events
    assert (await bookings.status("poll:42")).state == "booked"
    assert graph_bot.services.scheduler.job_ids("booking:") == []
    assert len(fake_graph.events) == 1


async def test_dropped_connection_then_retry_job_makes_no_duplicate(graph_bot: RunningBot, fake_graph: FakeGraph):
    bookings = graph_bot.services.bookings
    settled = asyncio.Event()

    async def listener(status: BookingStatus) -> None:
        settled.set()

    bookings.on_change("poll:", listener)
    # The create reaches Graph but every answer is lost for a while: the booking stays pending.
    fake_graph.fault(method="POST", path="/events", drop=True, after=True, times=3)
    pending = await bookings.book("poll:43", spec())
    assert pending.state == "pending"
    await asyncio.wait_for(settled.wait(), 20)
    status = await bookings.status("poll:43")
    assert status.state == "booked" and list(fake_graph.events) == [status.event_id]


async def test_permission_error_fails_with_a_clear_message(graph_bot: RunningBot, fake_graph: FakeGraph):
    fake_graph.permissions = set()
    status = await graph_bot.services.bookings.book("poll:9", spec())
    assert status.state == "failed" and "Calendars.ReadWrite" in status.last_error
    assert graph_bot.services.scheduler.job_ids("booking:") == []


async def test_healthz_shows_graph_on(graph_bot: RunningBot, fake_graph: FakeGraph):
    body = await healthz(graph_bot)
    assert body["graph"].startswith("on: organiser sekretariat@digitalehelgeland.no")


async def test_graph_off_bookings_are_off(bot: RunningBot):
    assert (await healthz(bot))["graph"].startswith("off: not configured")
    status = await bot.services.bookings.book("poll:1", spec())
    assert status.state == "off"
    assert (await bot.services.bookings.status("poll:1")).state == "off"
    assert (await bot.services.bookings.cancel("poll:1")).state == "off"
    ics = event_ics(spec(), "poll-1@faggruppe-bot", OSLO)
    assert b"DTSTART;TZID=Europe/Oslo:20091203T100000" in ics and b"BEGIN:VTIMEZONE" in ics


def test_spec_json_round_trip():
    for s in (spec(), spec(start=date(2010, 3, 28), end=date(2010, 3, 29), attendees=(), categories=())):
        assert spec_from_json(spec_to_json(s)) == s


def test_ics_all_day_and_text():
    ics = event_ics(spec(start=date(2009, 10, 25), end=date(2009, 10, 25), body_html="<p>Frist &amp; møte</p><p>BP2</p>"),
                    "gate-7@faggruppe-bot", OSLO).decode()
    assert "DTSTART;VALUE=DATE:20091025" in ics and "DTEND;VALUE=DATE:20091026" in ics
    assert "Frist & møte" in ics.replace("\r\n ", "") and "ATTENDEE" in ics


@pytest.mark.postgres
async def test_bookings_table_on_postgres(pg_url: str):
    db = Database(pg_url)
    try:
        await db.migrate()
        repo = BookingRepo(db)
        now = datetime(2009, 11, 24, 9, tzinfo=OSLO)
        await repo.put("poll:1", now, spec=spec_to_json(spec()), transaction_id="fb-1")
        row = await repo.put("poll:1", now, state="booked", event_id="AAMk=")
        assert row.state == "booked" and row.transaction_id == "fb-1" and row.spec["subject"].startswith("Avstemning")
        assert await repo.bump_attempts("poll:1") == 1
        assert [r.source_key for r in await repo.pending()] == []
    finally:
        await db.close()
