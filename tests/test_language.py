"""BOT_LANGUAGE over HTTP: shared chats follow the organisation's language, the personal chat the member's Teams."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.broadcast_helpers import compose, quick_chats
from tests.fakes.connector import FakeConnector, card_of
from tests.harness import RunningBot, TeamsClient


def _shown(res) -> str:
    return json.dumps([res.body, *res.sent], ensure_ascii=False)


async def test_english_member_gets_norwegian_in_the_group_and_english_in_private(teams: TeamsClient, leader, members):
    member = members[0]
    group = teams.group("Oppvekst", [leader, *members])
    await teams.install(group, leader)
    await teams.send(group, leader, "registrer Oppvekst")
    shared = await teams.send(group, member, "hjelp", locale="en-US")
    assert "Dette kan jeg" in _shown(shared) and "What I can do" not in _shown(shared)
    unknown = await teams.send(group, member, "qwerty", locale="en-US")
    assert "Det forstod jeg ikke" in _shown(unknown)
    own = await teams.send(teams.personal(member), member, "help", locale="en-US")
    assert "What I can do" in _shown(own) and "Dette kan jeg" not in _shown(own)
    nynorsk = await teams.send(teams.personal(members[1]), members[1], "hjelp", locale="nn-NO")
    assert "Dette kan jeg" in _shown(nynorsk)  # bokmål until a nynorsk catalogue exists
    # a private answer asked for in the group ("mine data") reaches the personal chat in the member's language
    asked = await teams.send(group, member, "mine data", locale="en-US")
    assert "sendt filen til deg i en privat chat" in _shown(asked)  # the notice in the group: Norwegian
    private = json.dumps(card_of(teams.connector.sent(teams.personal(member).id)[-1]), ensure_ascii=False)
    assert "Download" in private and "Last ned" not in private


@pytest.fixture
async def english_org(make_settings, clock, connector: FakeConnector) -> AsyncIterator[tuple[TeamsClient, RunningBot]]:
    running = RunningBot(make_settings(BOT_LANGUAGE="en"), clock)
    await running.start()
    async with aiohttp.ClientSession() as http:
        yield TeamsClient(http, running.url, connector), running
    await running.stop()


async def test_bot_language_en_shares_english_and_proactive_cards_follow_it(english_org, leader, members):
    teams, bot = english_org
    assert bot.settings.locale == "en-GB"
    group = teams.group("Oppvekst", [leader, *members])
    await teams.install(group, leader)
    shared = await teams.send(group, members[0], "hjelp")  # a Norwegian Teams client in a shared chat
    assert "What I can do" in _shown(shared)
    own = await teams.send(teams.personal(members[0]), members[0], "hjelp")
    assert "Dette kan jeg" in _shown(own)
    # a broadcast composed in a leader's Norwegian personal chat reaches the group chats in English
    chats = await quick_chats(teams, bot, leader, {"Oppvekst": 1})
    personal = teams.personal(leader)
    preview = await compose(teams, personal, leader, ack="true")
    await teams.press(personal, leader, preview, "Send")
    target = chats["Oppvekst"][0]

    def delivered():
        sent = teams.connector.sent(target.id)
        return sent[0] if sent else None

    member_card = json.dumps(card_of(await teams.connector.wait_for(delivered)), ensure_ascii=False)
    assert '"Read"' in member_card and '"Lest"' not in member_card
