"""Meeting polls booked in a fake Microsoft Graph end to end: the request, 429, Graph down and retry, DST, suggestions."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bot.calendar.bookings import transaction_id_for
from bot.config import Settings
from bot.kernel.clock import ShiftedClock
from tests import dates
from tests.fakes.connector import FakeConnector, card_of
from tests.fakes.graph import FakeGraph, _to_utc
from tests.harness import RunningBot, TeamsClient, User, find_action, iter_actions
from tests.test_polls_e2e import create_poll, day, iter_inputs, stored_card

OSLO = ZoneInfo("Europe/Oslo")
WINDOWS_OSLO = "W. Europe Standard Time"
GUEST = User(name="Gjest Gjestesen", aad="", upn="gjest@annen.no", id="29:guest-9", tenant="99999999-0000-0000-0000-000000000000")


async def _start(make_settings: Callable[..., Settings], env: dict[str, str], clock: ShiftedClock) -> RunningBot:
    running = RunningBot(make_settings(**env), clock)
    await running.start()
    running.services.bookings.retry_base = timedelta(milliseconds=200)  # type: ignore[union-attr]
    return running


@pytest.fixture
async def graph_teams(make_settings: Callable[..., Settings], graph_settings: dict[str, str], clock: ShiftedClock,
                      connector: FakeConnector) -> AsyncIterator[tuple[RunningBot, TeamsClient]]:
    """The bot against the fake Graph, with the SDK's own retries on (as in production)."""
    running = await _start(make_settings, graph_settings, clock)
    async with aiohttp.ClientSession() as http:
        yield running, TeamsClient(http, running.url, connector)
    await running.stop()


@pytest.fixture
async def graph_teams_no_sdk_retry(make_settings: Callable[..., Settings], graph_settings: dict[str, str], clock: ShiftedClock,
                                   connector: FakeConnector) -> AsyncIterator[tuple[RunningBot, TeamsClient]]:
    """The bot against the fake Graph; failures go straight to the bookings service (pending, retry job)."""
    running = await _start(make_settings, {**graph_settings, "GRAPH_MAX_RETRIES": "0"}, clock)
    async with aiohttp.ClientSession() as http:
        yield running, TeamsClient(http, running.url, connector)
    await running.stop()


def polls(bot: RunningBot) -> Any:
    return bot.services.polls


def yes_slots(card: dict) -> list[int]:
    return [a["data"]["slot_id"] for a in iter_actions(card) if a.get("verb") == "poll.vote" and a["data"]["answer"] == "yes"]


async def vote_three(teams: TeamsClient, conv: Any, members: list[User], card: dict, aid: str, slot_id: int) -> None:
    """Three members answer the slot: Ja, Ja, Nei."""
    for user, answer in zip(members[:3], ("yes", "yes", "no"), strict=True):
        res = await teams.press(conv, user, card, verb="poll.vote", slot_id=slot_id, answer=answer, reply_to=aid)
        assert res.status == 200


def booked_card(teams: TeamsClient, conv: Any, aid: str) -> Callable[[], dict | None]:
    def check() -> dict | None:
        c = stored_card(teams, conv, aid)
        return c if "Møtet er booket" in json.dumps(c, ensure_ascii=False) else None

    return check


async def test_close_books_in_graph_with_attendees_and_join_link(graph_teams, fake_graph: FakeGraph, leader, members):
    bot, teams = graph_teams
    conv = teams.group("Oppvekst", [leader, *members])
    pid, aid, card = await create_poll(teams, conv, members[0])
    slot_id = yes_slots(card)[0]
    await vote_three(teams, conv, members, card, aid, slot_id)
    closed = await teams.press(conv, leader, card, verb="poll.close", poll_id=pid)
    assert closed.status == 200 and "Avstemningen er lukket" in json.dumps(closed.card, ensure_ascii=False)
    final = await teams.connector.wait_for(booked_card(teams, conv, aid), timeout=15)

    posts = fake_graph.calls("POST", "/events")
    assert len(posts) == 1 and len(fake_graph.events) == 1
    body = posts[0].body
    assert posts[0].path == f"/v1.0/users/{fake_graph.organizer}/events"
    assert body["subject"] == "Arbeidsmøte Oppvekst"
    assert body["start"] == {"dateTime": f"{day(3)}T10:00:00", "timeZone": WINDOWS_OSLO}
    assert body["end"] == {"dateTime": f"{day(3)}T11:00:00", "timeZone": WINDOWS_OSLO}
    start_utc = datetime.fromisoformat(f"{day(3)}T10:00").replace(tzinfo=OSLO).astimezone(UTC)
    assert _to_utc(body["start"]) == start_utc
    invited = {a["emailAddress"]["address"] for a in body["attendees"]}
    # everyone in the chat except the member who answered Nei (non-voters are invited too), by UPN/email
    assert invited == {u.upn.lower() for u in (leader, members[0], members[1], members[3])}
    assert all(a["type"] == "required" for a in body["attendees"])
    assert body["isOnlineMeeting"] is True and body["onlineMeetingProvider"] == "teamsForBusiness"
    assert body["transactionId"] == transaction_id_for(f"poll:{pid}")

    event = next(iter(fake_graph.events.values()))
    join = event["onlineMeeting"]["joinUrl"]
    assert find_action(final, "Bli med i Teams-møtet")["url"] == join
    text = json.dumps(final, ensure_ascii=False)
    assert "10.00–11.00" in text and "Avstemningen er lukket" in text
    poll = await polls(bot).repo.get(pid)
    assert poll.booking_state == "booked" and poll.join_url == join and poll.chosen_slot_id == slot_id
    assert bot.services.scheduler.job_ids("booking:") == []


async def test_invoke_is_answered_before_graph_answers(graph_teams, fake_graph: FakeGraph, leader, members):
    _bot, teams = graph_teams
    conv = teams.group("Oppvekst", [leader, *members])
    pid, aid, card = await create_poll(teams, conv, members[0])
    fake_graph.fault(method="POST", path="/events", delay=4.0)  # Graph is slow (within GRAPH_DEADLINE_SECONDS)
    closed = await teams.press(conv, leader, card, verb="poll.close", poll_id=pid)
    # The invoke came back while Graph was still working on the create: the card says it is booking.
    assert closed.status == 200 and not fake_graph.events
    assert "Booker møtet i kalenderen" in json.dumps(closed.card, ensure_ascii=False)
    await teams.connector.wait_for(booked_card(teams, conv, aid), timeout=15)
    assert len(fake_graph.events) == 1


async def test_graph_429_then_success_books_once(graph_teams, fake_graph: FakeGraph, leader, members):
    bot, teams = graph_teams
    conv = teams.group("Oppvekst", [leader, *members])
    pid, aid, card = await create_poll(teams, conv, members[0])
    fake_graph.fault(429, method="POST", path="/events", retry_after=1)
    await teams.press(conv, leader, card, verb="poll.close", poll_id=pid)
    final = await teams.connector.wait_for(booked_card(teams, conv, aid), timeout=15)
    assert len(fake_graph.calls("POST", "/events")) == 2 and len(fake_graph.events) == 1
    event = next(iter(fake_graph.events.values()))
    assert find_action(final, "Bli med i Teams-møtet")["url"] == event["onlineMeeting"]["joinUrl"]
    assert (await polls(bot).repo.get(pid)).booking_state == "booked"


@pytest.mark.parametrize("outage", ["503", "unreachable"])
async def test_graph_down_pending_then_retry_job_books(graph_teams_no_sdk_retry, fake_graph: FakeGraph, leader, members,
                                                       outage: str):
    bot, teams = graph_teams_no_sdk_retry
    conv = teams.group("Oppvekst", [leader, *members])
    pid, aid, card = await create_poll(teams, conv, members[0])
    slot_id = yes_slots(card)[1]
    await vote_three(teams, conv, members, card, aid, slot_id)
    if outage == "503":
        down = fake_graph.fault(503, method="POST", path="/events", times=None)
    else:
        down = fake_graph.fault(method="POST", path="/events", drop=True, times=None)
    await teams.press(conv, leader, card, verb="poll.close", poll_id=pid)

    def pending() -> dict | None:
        c = stored_card(teams, conv, aid)
        return c if "Bookingen venter" in json.dumps(c, ensure_ascii=False) else None

    await teams.connector.wait_for(pending, timeout=15)
    assert bot.services.scheduler.job_ids("booking:") == [f"booking:poll:{pid}:retry"]
    assert (await polls(bot).repo.get(pid)).booking_state == "pending" and not fake_graph.events
    fake_graph.faults.remove(down)  # Graph is back: the scheduler's retry job books it and the listener updates the card
    final = await teams.connector.wait_for(booked_card(teams, conv, aid), timeout=20)
    assert len(fake_graph.events) == 1
    event = next(iter(fake_graph.events.values()))
    assert find_action(final, "Bli med i Teams-møtet")["url"] == event["onlineMeeting"]["joinUrl"]
    assert {c.body["transactionId"] for c in fake_graph.calls("POST", "/events")} == {transaction_id_for(f"poll:{pid}")}
    assert {a["emailAddress"]["address"] for a in event["attendees"]} == {u.upn.lower() for u in (leader, members[0],
                                                                                                  members[1], members[3])}
    poll = await polls(bot).repo.get(pid)
    assert poll.booking_state == "booked" and poll.join_url == event["onlineMeeting"]["joinUrl"]
    assert bot.services.scheduler.job_ids("booking:") == []


async def test_dst_slots_get_the_right_time_zone_in_graph(graph_teams, fake_graph: FakeGraph, clock: ShiftedClock,
                                                          leader, members):
    bot, teams = graph_teams
    autumn = dates.winter_time_starts(dates.day(clock, 30))  # the next switch to winter time at least a month ahead
    spring = dates.summer_time_starts(autumn)
    summer_day, winter_day = spring + timedelta(days=1), autumn + timedelta(days=1)
    conv = teams.group("Oppvekst", [leader, *members])
    inputs = {"slot_date_0": summer_day.isoformat(), "slot_time_0": "10:00", "slot_date_1": winter_day.isoformat(),
              "slot_time_1": "10:00", "slot_date_2": (autumn + timedelta(days=8)).isoformat(), "slot_time_2": "10:00"}
    expected = {summer_day.isoformat(): dates.at_local(summer_day, 10),  # summer time (CEST, UTC+2): 08:00Z
                winter_day.isoformat(): dates.at_local(winter_day, 10)}  # winter time (CET, UTC+1): 09:00Z
    assert [t.hour for t in expected.values()] == [8, 9]
    for local_day, utc_start in expected.items():
        pid, aid, card = await create_poll(teams, conv, members[0], title=f"Møte {local_day}", **inputs)
        poll = await polls(bot).repo.get(pid)
        slot = next(s for s in poll.slots if s.start == utc_start)
        await teams.press(conv, leader, card, verb="poll.close", poll_id=pid, inputs={"slot_id": str(slot.id)})
        await teams.connector.wait_for(booked_card(teams, conv, aid), timeout=15)
        body = next(c.body for c in fake_graph.calls("POST", "/events") if c.body["subject"] == f"Møte {local_day}")
        assert body["start"] == {"dateTime": f"{local_day}T10:00:00", "timeZone": WINDOWS_OSLO}
        assert body["end"] == {"dateTime": f"{local_day}T11:00:00", "timeZone": WINDOWS_OSLO}
        assert _to_utc(body["start"]) == utc_start and _to_utc(body["end"]) == utc_start + timedelta(hours=1)
    assert len(fake_graph.events) == 2


async def test_suggest_times_from_graph_free_busy(graph_teams, fake_graph: FakeGraph, leader, members):
    bot, teams = graph_teams
    unknown = members[3]  # in our tenant by Teams, but Graph cannot resolve the mailbox
    in_tenant = [leader, *members[:3]]
    for u in in_tenant:
        fake_graph.tenant_users.add(u.upn.lower())
    tz = bot.settings.tz
    first = (bot.services.clock.now().astimezone(tz) + timedelta(days=1)).date()
    busy_days = [first + timedelta(days=n) for n in range(14)]
    # Åse is busy 08-12 every day and Ørjan 13-16: only 12:00-13:00 is free for everyone.
    for d in busy_days:
        fake_graph.set_busy(members[0].upn, datetime(d.year, d.month, d.day, 8, tzinfo=OSLO), datetime(d.year, d.month, d.day, 12,
                                                                                                        tzinfo=OSLO))
        fake_graph.set_busy(members[1].upn, datetime(d.year, d.month, d.day, 13, tzinfo=OSLO),
                            datetime(d.year, d.month, d.day, 16, tzinfo=OSLO), status="tentative")
    conv = teams.group("Oppvekst", [leader, *members, GUEST])
    form = await teams.open_form(conv, members[0], "avstemning Styremøte")
    res = await teams.press(conv, members[0], form, verb="poll.suggest", inputs={"title": "Styremøte", "duration": "60"})
    assert res.status == 200
    text = json.dumps(res.card, ensure_ascii=False)
    assert "Styremøte" in text and "Jeg fylte inn" in text
    # the guest from another organisation is not looked up; Graph could not resolve the fourth member: both are named
    assert "Ikke med i forslaget" in text and "Gjest Gjestesen" in text and unknown.name in text
    asked = fake_graph.calls("POST", "/getSchedule")
    assert len(asked) == 1
    schedules = {s.lower() for s in (asked[0].body.get("Schedules") or asked[0].body.get("schedules"))}
    assert schedules == {u.upn.lower() for u in members} | {leader.upn.lower()} and GUEST.upn not in schedules
    values = {el["id"]: el.get("value") for el in iter_inputs(res.card)}
    starts = []
    for i in range(5):
        d, t = values.get(f"slot_date_{i}"), values.get(f"slot_time_{i}")
        assert d and t, i
        starts.append(datetime.fromisoformat(f"{d}T{t}").replace(tzinfo=OSLO))
    assert starts == sorted(starts) and len(set(starts)) == 5
    for s in starts:  # every suggestion avoids everyone's busy time: 12:00 on a weekday
        assert (s.hour, s.minute) == (12, 0) and s.weekday() < 5 and s.date() in busy_days
    # the suggested form can be posted as a poll
    created = await teams.press(conv, members[0], res.card, verb="poll.create", inputs={**values, "title": "Styremøte"})
    assert "er lagt ut" in created.invoke_message  # the dialog closes with this message
    assert any(card_of(a) for a in created.sent)


async def test_suggest_button_absent_without_graph(teams: TeamsClient, members):
    conv = teams.group("Oppvekst", members)
    form = await teams.open_form(conv, members[0], "avstemning")
    assert not any(a.get("verb") == "poll.suggest" for a in iter_actions(form))
