"""Meeting polls: reminders, auto-close by the scheduler, closing and booking (.ics, bookings port), deleted cards."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import aiohttp
from icalendar import Calendar

from bot.calendar.port import BookingStatus, EventSpec
from bot.polls import jobs as poll_jobs
from tests.harness import TeamsClient, find_action, iter_actions
from tests.test_polls_e2e import create_poll, day, stored_card


def polls(bot):
    return bot.services.polls


async def test_reminder_mentions_non_voters_once(teams: TeamsClient, bot, members):
    conv = teams.group("Oppvekst", members)
    pid, aid, card = await create_poll(teams, conv, members[0], deadline_date=day(2), deadline_time="15:00")
    assert set(bot.services.scheduler.job_ids(f"poll:{pid}:")) == {f"poll:{pid}:reminder", f"poll:{pid}:close"}
    slot_id = find_action(card, verb="poll.vote")["data"]["slot_id"]
    await teams.press(conv, members[1], card, verb="poll.vote", slot_id=slot_id, answer="yes", reply_to=aid)
    await poll_jobs.remind(pid)
    await poll_jobs.remind(pid)  # a retried job never sends twice
    def reminders():
        return [a for a in teams.connector.sent(conv.id) if "Påminnelse" in (a.get("text") or "")]

    await teams.connector.wait_for(reminders)
    await asyncio.sleep(0.3)
    sent = reminders()
    assert len(sent) == 1
    mentioned = {e["mentioned"]["id"] for e in sent[0]["entities"]}
    assert mentioned == {members[0].id, members[2].id, members[3].id}
    for e in sent[0]["entities"]:
        assert e["type"] == "mention" and e["text"] in sent[0]["text"]
    assert "Påminnelse" in sent[0]["text"] and "<at>Åse Ærlig</at>" in sent[0]["text"]


async def test_auto_close_by_scheduler_then_ics_download(teams: TeamsClient, bot, members):
    conv = teams.group("Oppvekst", members)
    pid, aid, card = await create_poll(teams, conv, members[0], deadline_date=day(2))
    slots = [a["data"]["slot_id"] for a in iter_actions(card) if a.get("verb") == "poll.vote" and a["data"]["answer"] == "yes"]
    await teams.press(conv, members[1], card, verb="poll.vote", slot_id=slots[1], answer="yes", reply_to=aid)
    await teams.press(conv, members[2], card, verb="poll.vote", slot_id=slots[0], answer="maybe", reply_to=aid)
    # the real scheduler runs the persisted close job; bring its time forward to 1 s from now
    sched = bot.services.scheduler
    sched.add("poll.close", f"poll:{pid}:close", bot.services.clock.now() + timedelta(seconds=1),
              (pid,), misfire_grace_time=None)

    def closed_with_ics():
        c = stored_card(teams, conv, aid)
        return c if any(a.get("title") == "Last ned kalenderfil (.ics)" for a in iter_actions(c)) else None

    final = await teams.connector.wait_for(closed_with_ics, timeout=15)
    text = json.dumps(final, ensure_ascii=False)
    assert "Avstemningen er lukket" in text and "Kalenderen er ikke koblet til" in text
    assert not any(a.get("verb") == "poll.vote" for a in iter_actions(final))
    poll = await polls(bot).repo.get(pid)
    assert poll.state == "closed" and poll.chosen_slot_id == slots[1] and poll.booking_state == "off"
    assert sched.job_ids(f"poll:{pid}:") == []
    url = find_action(final, "Last ned kalenderfil (.ics)")["url"]
    async with aiohttp.ClientSession() as http, http.get(url) as r:
        assert r.status == 200 and r.headers["Content-Type"].startswith("text/calendar")
        cal = Calendar.from_ical(await r.read())
    event = next(iter(cal.walk("VEVENT")))
    assert cal["METHOD"] == "PUBLISH" and cal["PRODID"] and next(iter(cal.walk("VTIMEZONE")))["TZID"] == "Europe/Oslo"
    assert event["SUMMARY"] == "Arbeidsmøte Oppvekst" and event["UID"] == f"poll-{pid}@faggruppe-bot" and "DTSTAMP" in event
    assert event["DTSTART"].params["TZID"] == "Europe/Oslo" and event["LOCATION"]
    assert event.decoded("DTSTART") == poll.chosen.start
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=60)
    late = await teams.press(conv, members[3], card, verb="poll.vote", slot_id=slots[0], answer="yes", reply_to=aid)
    assert "lukket" in late.invoke_message


async def test_creator_closes_with_another_slot(teams: TeamsClient, bot, members):
    conv = teams.group("Oppvekst", members)
    pid, aid, card = await create_poll(teams, conv, members[0])
    slots = [a["data"]["slot_id"] for a in iter_actions(card) if a.get("verb") == "poll.vote" and a["data"]["answer"] == "yes"]
    await teams.press(conv, members[1], card, verb="poll.vote", slot_id=slots[0], answer="yes", reply_to=aid)
    res = await teams.press(conv, members[0], card, "Avslutt med dette tidspunktet", inputs={"slot_id": str(slots[2])})
    assert res.status == 200 and "lukket" in json.dumps(res.card, ensure_ascii=False)
    await polls(bot).settle()
    poll = await polls(bot).repo.get(pid)
    assert poll.chosen_slot_id == slots[2] and poll.booking_state == "off" and poll.ics_url
    again = await teams.press(conv, members[0], card, verb="poll.close", poll_id=pid)
    assert "allerede lukket" in again.invoke_message
    link = await teams.press(conv, members[1], stored_card(teams, conv, aid), verb="poll.ics")
    assert any("/downloads/" in t for t in link.texts)


class FakeBookings:
    """The bookings port as the Graph branch implements it: pending first, settled later through on_change."""

    def __init__(self) -> None:
        self.specs: list[tuple[str, EventSpec]] = []
        self.listeners: list = []

    async def book(self, source_key: str, spec: EventSpec) -> BookingStatus:
        self.specs.append((source_key, spec))
        return BookingStatus(source_key, "pending", last_error="503")

    def on_change(self, prefix: str, listener) -> None:
        self.listeners.append((prefix, listener))

    async def settle(self, source_key: str) -> None:
        for prefix, listener in self.listeners:
            if source_key.startswith(prefix):
                await listener(BookingStatus(source_key, "booked", event_id="ev1", join_url="https://teams.example/join/1"))


async def test_booking_pending_then_booked_with_attendees(teams: TeamsClient, bot, leader, members):
    fake = FakeBookings()
    bot.services.bookings = fake
    conv = teams.group("Oppvekst", [leader, *members])
    pid, aid, card = await create_poll(teams, conv, members[0])
    slot_id = find_action(card, verb="poll.vote")["data"]["slot_id"]
    await teams.press(conv, members[1], card, verb="poll.vote", slot_id=slot_id, answer="no", reply_to=aid)
    await teams.press(conv, members[2], card, verb="poll.vote", slot_id=slot_id, answer="yes", reply_to=aid)
    await teams.press(conv, leader, card, verb="poll.close", poll_id=pid)
    await polls(bot).settle()
    key, spec = fake.specs[0]
    assert key == f"poll:{pid}" and spec.subject == "Arbeidsmøte Oppvekst" and spec.online_meeting
    assert set(spec.attendees) == {leader.upn, members[0].upn, members[2].upn, members[3].upn}
    assert spec.end - spec.start == timedelta(minutes=60) and spec.start.utcoffset() == timedelta(0)
    assert "Bookingen venter" in json.dumps(stored_card(teams, conv, aid), ensure_ascii=False)
    await fake.settle(f"poll:{pid}")
    await polls(bot).settle()
    final = stored_card(teams, conv, aid)
    assert find_action(final, "Bli med i Teams-møtet")["url"] == "https://teams.example/join/1"
    assert "Møtet er booket" in json.dumps(final, ensure_ascii=False)


async def test_deleted_poll_message_stops_reminder_and_close(teams: TeamsClient, bot, members):
    conv = teams.group("Oppvekst", members)
    pid, aid, _ = await create_poll(teams, conv, members[0], deadline_date=day(2))
    teams.connector.deleted.add((conv.id, aid))
    before = len(teams.connector.sent(conv.id))
    await poll_jobs.remind(pid)
    poll = await polls(bot).repo.get(pid)
    assert poll.message_gone and bot.services.scheduler.job_ids(f"poll:{pid}:") == []
    await poll_jobs.close_poll(pid)
    poll = await polls(bot).repo.get(pid)
    assert poll.state == "closed" and poll.booking_state == "skipped"
    assert len(teams.connector.sent(conv.id)) == before
    assert (await bot.services.conversations.get(conv.id)).active  # a deleted message is not a dead chat
    res = await teams.send(conv, members[0], "avstemninger")
    assert "Ingen åpne" in json.dumps(res.card, ensure_ascii=False)
