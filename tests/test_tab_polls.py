"""The tab's polls over HTTP with Entra ID tokens: response rate and who has not answered, close and book for the
creator or a leader only, and a member sees only the polls they made or answered."""

from __future__ import annotations

from collections.abc import Callable

import aiohttp
import pytest

from bot.config import Settings
from tests.dates import iso
from tests.fakes.connector import FakeConnector, card_of
from tests.fakes.identity import FakeIdentity
from tests.harness import RunningBot, TeamsClient, User, find_action, iter_actions
from tests.test_tab_api import auth, get, identity, tab

__all__ = ["identity", "tab"]


@pytest.fixture
async def poll_in_chat(make_settings: Callable[..., Settings], clock, connector: FakeConnector,
                       members: list[User]) -> int:
    """A poll made in a group chat by members[0]; members[0] and members[1] answered."""
    chat = RunningBot(make_settings(), clock)
    await chat.start()
    async with aiohttp.ClientSession() as http:
        teams = TeamsClient(http, chat.url, connector)
        conv = teams.group("Oppvekst-møte", members)
        form = await teams.open_form(conv, members[0], "avstemning")
        inputs = {"title": "Arbeidsmøte", "duration": "60", "mode": "online"}
        for i in range(2):
            inputs |= {f"slot_date_{i}": iso(clock, 3 + i), f"slot_time_{i}": "10:00"}
        res = await teams.press(conv, members[0], form, verb="poll.create", inputs=inputs)
        posted = next(a for a in res.sent if card_of(a) and any(x.get("verb") == "poll.vote" for x in iter_actions(card_of(a))))
        card = card_of(posted)
        poll_id = find_action(card, verb="poll.vote")["data"]["poll_id"]
        slot = find_action(card, verb="poll.vote", answer="yes")["data"]["slot_id"]
        for user in members[:2]:
            await teams.press(conv, user, card, verb="poll.vote", slot_id=slot, answer="yes", reply_to=posted["id"])
        await chat.services.polls.settle()
    await chat.stop()
    return poll_id


async def test_polls_rate_missing_and_close(poll_in_chat: int, tab, identity: FakeIdentity, leader: User,
                                            members: list[User]):
    running, http = tab
    base = f"{running.url}/api/tab/polls"
    status, data = await get(http, base, auth(identity, leader))
    assert status == 200
    [poll] = [p for p in data["items"] if p["id"] == poll_in_chat]
    assert poll["state"] == "open" and poll["answered"] == 2 and poll["members"] == len(members)
    assert poll["missing"] == sorted(m.name for m in members[2:]) and poll["can_close"]
    assert poll["slots"][0]["yes"] == 2
    _, mine = await get(http, base, auth(identity, members[1]))
    assert [p["id"] for p in mine["items"]] == [poll_in_chat] and not mine["items"][0]["can_close"]
    _, other = await get(http, base, auth(identity, members[3]))
    assert other["items"] == []
    async with http.post(f"{base}/{poll_in_chat}/close", json={}, headers=auth(identity, members[1])) as resp:
        assert resp.status == 403
    async with http.post(f"{base}/{poll_in_chat}/close", json={"slot_id": poll["slots"][0]["id"]},
                         headers=auth(identity, leader)) as resp:
        assert resp.status == 200, await resp.text()
        closed = (await resp.json())["poll"]
    assert closed["state"] == "closed" and closed["chosen"] == poll["slots"][0]["start"]
    [record] = [a for a in await running.services.audit.recent() if a.action == "poll.close"]
    assert record.actor_id == leader.aad
    async with http.post(f"{base}/{poll_in_chat}/close", json={}, headers=auth(identity, leader)) as resp:
        assert resp.status == 409
    await running.services.polls.settle()  # the booking runs after the answer, as in chat
