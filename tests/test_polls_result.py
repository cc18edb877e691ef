"""A poll's result over the wire: the best slot is the one most can attend, it is booked, and the chat hears it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest

from bot.config import Settings
from bot.domain.clock import ShiftedClock
from tests import dates
from tests.fakes.connector import FakeConnector, card_of
from tests.fakes.graph import FakeGraph
from tests.harness import Conv, RunningBot, TeamsClient, User, find_action, iter_actions

WINDOWS_OSLO = "W. Europe Standard Time"


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
    form = (await teams.send(conv, user, "avstemning")).card
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
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock" and "⭐" in node.get("text", ""):
                found.append(node["text"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(card)
    return found


async def test_slot_most_can_attend_is_marked_and_booked(graph_teams, fake_graph: FakeGraph, clock, leader, members):
    bot, teams = graph_teams
    conv = teams.group("Oppvekst", [leader, *members])
    pid, aid, card, (s1, s2) = await post_poll(teams, conv, members[0], clock)
    assert find_action(card, verb="poll.close")["title"] == "Avslutt og book beste tidspunkt"
    await vote(teams, conv, card, aid, issue_votes(leader, members, s1, s2))
    await bot.services.extras["polls"].settle()
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
    poll = await bot.services.extras["polls"].repo.get(pid)
    assert poll.chosen_slot_id == s2 and poll.booking_state == "booked"
    (post,) = fake_graph.calls("POST", "/events")
    assert post.body["start"] == {"dateTime": f"{second_day.isoformat()}T10:00:00", "timeZone": WINDOWS_OSLO}


async def test_all_can_and_some_cannot_are_said(teams: TeamsClient, bot, clock, leader, members):
    conv = teams.group("Oppvekst", [leader, *members])
    _pid, aid, card, (s1, s2) = await post_poll(teams, conv, members[0], clock)
    await vote(teams, conv, card, aid, {s1: [(members[0], "yes"), (members[1], "no")],
                                         s2: [(members[0], "yes"), (members[1], "maybe")]})
    await bot.services.extras["polls"].settle()
    marked = best_marked(card_of(teams.connector.activities[(conv.id, aid)]))
    assert len(marked) == 1 and "alle kan" in marked[0] and f"{dates.day(clock, 4).day}." in marked[0]
    await vote(teams, conv, card, aid, {s2: [(leader, "no")], s1: [(leader, "yes")]})
    await bot.services.extras["polls"].settle()
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
