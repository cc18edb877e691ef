"""A poll's result over the wire: the best slot is the one most can attend, it is booked, and the chat hears it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest

from bot.config import Settings
from bot.kernel.clock import ShiftedClock
from bot.polls import jobs as poll_jobs
from tests import dates
from tests.card_rules import elements
from tests.fakes.connector import FakeConnector, card_of
from tests.fakes.graph import FakeGraph
from tests.harness import Conv, RunningBot, TeamsClient, User, find_action, iter_actions, make_user

WINDOWS_OSLO = "W. Europe Standard Time"
WEEKDAYS_NB = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")


@pytest.fixture
async def graph_teams(make_settings: Callable[..., Settings], graph_settings: dict[str, str], clock: ShiftedClock,
                      connector: FakeConnector) -> AsyncIterator[tuple[RunningBot, TeamsClient]]:
    """The bot against the fake Graph."""
    running = RunningBot(make_settings(**graph_settings), clock)
    await running.start()
    async with aiohttp.ClientSession() as http:
        yield running, TeamsClient(http, running.url, connector)
    await running.stop()


def text_of(node: Any) -> str:
    return json.dumps(node, ensure_ascii=False)


async def post_poll(teams: TeamsClient, conv: Conv, user: User, clock: ShiftedClock, slots: int = 2,
                    **extra: str) -> tuple[int, str, dict, list[int]]:
    """Create a poll (slots on the coming days at 10:00); returns (poll id, activity id, posted card, slot ids)."""
    inputs = {"title": "Arbeidsmøte Oppvekst", "duration": "60", "mode": "online", **extra}
    for i in range(slots):
        inputs[f"slot_date_{i}"], inputs[f"slot_time_{i}"] = dates.iso(clock, 3 + i), "10:00"
    form = await teams.open_form(conv, user, "avstemning")
    res = await teams.press(conv, user, form, verb="poll.create", inputs=inputs)
    posted = next(a for a in res.sent if card_of(a) and any(x.get("verb") == "poll.vote" for x in iter_actions(card_of(a))))
    card = card_of(posted)
    slot_ids = list(dict.fromkeys(a["data"]["slot_id"] for a in iter_actions(card) if a.get("verb") == "poll.vote"))
    return find_action(card, verb="poll.vote")["data"]["poll_id"], posted["id"], card, slot_ids


async def vote(teams: TeamsClient, conv: Conv, card: dict, aid: str, answers: dict[int, list[tuple[User, str]]]) -> None:
    for slot_id, pairs in answers.items():
        for user, answer in pairs:
            res = await teams.press(conv, user, card, verb="poll.vote", slot_id=slot_id, answer=answer, reply_to=aid)
            assert res.status == 200


def issue_votes(leader: User, members: list[User], s1: int, s2: int) -> dict[int, list[tuple[User, str]]]:
    """Slot 1: Ja 3 · Om nødvendig 1 · Nei 1; slot 2: Ja 3 · Om nødvendig 1 · Nei 0 (the leader left it blank)."""
    return {s1: [(members[0], "yes"), (members[1], "yes"), (members[2], "yes"), (members[3], "maybe"), (leader, "no")],
            s2: [(members[0], "yes"), (members[1], "yes"), (members[2], "yes"), (members[3], "maybe")]}


def best_marked(card: dict) -> list[str]:
    """The texts that carry the best-slot star."""
    return [el["text"] for el, _ in elements(card) if el.get("type") == "TextBlock" and "⭐" in el.get("text", "")]


async def test_slot_most_can_attend_is_marked_and_booked(graph_teams, fake_graph: FakeGraph, clock, leader, members):
    bot, teams = graph_teams
    conv = teams.group("Oppvekst", [leader, *members])
    pid, aid, card, (s1, s2) = await post_poll(teams, conv, members[0], clock)
    assert find_action(card, verb="poll.close")["title"] == "Avslutt og book beste tidspunkt"
    await vote(teams, conv, card, aid, issue_votes(leader, members, s1, s2))
    await bot.services.polls.settle()
    stored = card_of(teams.connector.activities[(conv.id, aid)])
    marked = best_marked(stored)
    second_day = dates.day(clock, 4)
    assert len(marked) == 1 and f"{second_day.day}." in marked[0] and "4 kan, ingen har sagt nei" in marked[0]
    # the "other time" picker starts on the best slot too
    picker = next(el for el in _inputs(stored) if el["id"] == "slot_id")
    assert picker["value"] == str(s2)

    closed = await teams.press(conv, leader, stored, verb="poll.close", poll_id=pid)
    assert closed.status == 200

    def booked() -> bool:
        return "Møtet er booket" in text_of(card_of(teams.connector.activities[(conv.id, aid)]))

    await teams.connector.wait_for(booked, timeout=15)
    poll = await bot.services.polls.repo.get(pid)
    assert poll.chosen_slot_id == s2 and poll.booking_state == "booked"
    (post,) = fake_graph.calls("POST", "/events")
    assert post.body["start"] == {"dateTime": f"{second_day.isoformat()}T10:00:00", "timeZone": WINDOWS_OSLO}
    # the chat hears it, with the booked event's join link, and everyone who answered is mentioned
    (message,) = await teams.connector.wait_for(lambda: results(teams, conv))
    join = next(iter(fake_graph.events.values()))["onlineMeeting"]["joinUrl"]
    assert f"({join})" in message["text"] and when_nb(second_day) in message["text"]
    assert {e["mentioned"]["id"] for e in message["entities"]} == {u.id for u in (leader, *members)}


def when_nb(day: Any) -> str:
    return f"{WEEKDAYS_NB[day.weekday()]} {day.day}. {dates.MONTHS_NB[day.month - 1]} kl. 10.00–11.00"


def results(teams: TeamsClient, conv: Conv) -> list[dict]:
    """The result messages the bot posted in the chat."""
    return [a for a in teams.connector.sent(conv.id) if "Møtet **" in (a.get("text") or "")]


async def test_close_twice_and_auto_close_race_announce_once(teams: TeamsClient, bot, clock, members):
    odd = make_user("Kari <b>Nord_mann</b> *x*")
    conv = teams.group("Oppvekst", [*members, odd])
    pid, aid, card, (s1, s2) = await post_poll(teams, conv, members[0], clock)
    await vote(teams, conv, card, aid, {s1: [(members[1], "yes"), (odd, "maybe")], s2: [(members[2], "no")]})
    pressed, _ = await asyncio.gather(teams.press(conv, members[0], card, verb="poll.close", poll_id=pid),
                                      poll_jobs.close_poll(pid))
    again = await teams.press(conv, members[0], card, verb="poll.close", poll_id=pid)
    assert pressed.status == 200 and again.status == 200
    await poll_jobs.close_poll(pid)
    await bot.services.polls.settle()
    (message,) = await teams.connector.wait_for(lambda: results(teams, conv))
    await asyncio.sleep(0.5)
    assert len(results(teams, conv)) == 1  # once, however many closed it
    text = message["text"]
    assert text.startswith(f"Møtet **Arbeidsmøte Oppvekst** blir {when_nb(dates.day(clock, 3))}.")
    assert "/downloads/" in text and ".ics" in text
    mentioned = {e["mentioned"]["id"]: e for e in message["entities"]}
    assert set(mentioned) == {members[1].id, members[2].id, odd.id}  # who answered: not the creator, who did not vote
    for e in message["entities"]:
        assert e["type"] == "mention" and e["text"] in text and e["text"].count("<") == 2  # no markup from the name
    assert "<at>Kari b Nord mann /b x</at>" in text

    closed = card_of(teams.connector.activities[(conv.id, aid)])
    shown = text_of(closed)
    assert "Ikke svart ennå" not in shown
    assert not [el for el in _blocks(closed) if el.get("color")]  # neutral: no red, green or yellow text
    assert not [c for c in _blocks(closed, "Container") if c.get("style") in ("attention", "good", "warning")]
    texts = [el["text"] for el in _blocks(closed)]
    chosen = next(i for i, x in enumerate(texts) if x.startswith("📅 Møtet blir"))
    assert chosen == 2 and when_nb(dates.day(clock, 3)) in texts[chosen]  # straight after the by-line and the title


def _blocks(node: Any, kind: str = "TextBlock") -> list[dict]:
    out: list[dict] = []
    if isinstance(node, dict):
        if node.get("type") == kind:
            out.append(node)
        for k, v in node.items():
            if k != "actions":
                out += _blocks(v, kind)
    elif isinstance(node, list):
        for v in node:
            out += _blocks(v, kind)
    return out


async def test_all_can_and_some_cannot_are_said(teams: TeamsClient, bot, clock, leader, members):
    conv = teams.group("Oppvekst", [leader, *members])
    _pid, aid, card, (s1, s2) = await post_poll(teams, conv, members[0], clock)
    await vote(teams, conv, card, aid, {s1: [(members[0], "yes"), (members[1], "no")],
                                         s2: [(members[0], "yes"), (members[1], "maybe")]})
    await bot.services.polls.settle()
    marked = best_marked(card_of(teams.connector.activities[(conv.id, aid)]))
    assert len(marked) == 1 and "alle kan" in marked[0] and f"{dates.day(clock, 4).day}." in marked[0]
    await vote(teams, conv, card, aid, {s2: [(leader, "no")], s1: [(leader, "yes")]})
    await bot.services.polls.settle()
    marked = best_marked(card_of(teams.connector.activities[(conv.id, aid)]))
    assert len(marked) == 1 and "2 kan, 1 kan ikke" in marked[0] and f"{dates.day(clock, 3).day}." in marked[0]


async def test_close_button_promises_no_booking_without_calendar(teams: TeamsClient, bot, clock, members):
    conv = teams.group("Oppvekst", members)
    pid, _aid, card, _slots = await post_poll(teams, conv, members[0], clock)
    close = find_action(card, verb="poll.close")
    assert close["title"] == "Avslutt og velg tidspunkt" and close["data"] == {"verb": "poll.close", "poll_id": pid}
    assert "book" not in text_of(card).lower()


def _inputs(node: Any) -> list[dict]:
    out: list[dict] = []
    if isinstance(node, dict):
        if str(node.get("type", "")).startswith("Input."):
            out.append(node)
        for v in node.values():
            out += _inputs(v)
    elif isinstance(node, list):
        for v in node:
            out += _inputs(v)
    return out


def test_anonymous_poll_mentions_no_one_and_names_cannot_break_the_tag():
    from datetime import UTC, datetime, timedelta

    from bot.messages import t
    from bot.polls.model import Poll, Slot, Vote
    from bot.polls.result import mention_name, result_activity

    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    poll = Poll(id=1, conversation_id="c", creator_id="x", title="Møte", duration_min=60, slots=(Slot(1, start),),
                chosen_slot_id=1, state="closed", booking_state="pending", anonymous=True)
    votes = [Vote(1, "a", "yes", "Åse", "29:a")]
    tr = lambda key, **p: t(key, "nb-NO", **p)  # noqa: E731
    anonymous = result_activity(tr, poll, votes, dates.OSLO, None)
    assert anonymous["entities"] == [] and "<at>" not in anonymous["text"] and "så snart kalenderen svarer" in anonymous["text"]
    assert mention_name("</at><at>Alle</at>") == "/at at Alle /at"
    assert mention_name("[x](https://e.vil) & <b>") == "x https://e.vil b"
    assert mention_name("  ") == "?"
