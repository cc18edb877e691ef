"""Defect 4: links to personal files never reach a group chat.

They go to the requester's personal chat (opened by the bot when there is none), work once, and expire after
DOWNLOAD_TTL_MINUTES (default 15) with a clear 410 page.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import aiohttp
from sqlalchemy import select

from bot.storage.models import Download
from tests.harness import TeamsClient, find_action

LINK = re.compile(r"https?://[^\s\"')\]]+/downloads/[A-Za-z0-9_-]+")


def texts(teams: TeamsClient, conv) -> list[str]:
    return [a.get("text") or "" for a in teams.connector.sent(conv.id)]


def links(activities: list[dict]) -> list[str]:
    return LINK.findall(json.dumps(activities, ensure_ascii=False))


async def get(url: str, method: str = "GET") -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.request(method, url) as r:
        return r.status, (await r.read()).decode("utf-8", "replace")


async def test_export_in_group_goes_to_a_new_personal_chat_and_works_once(teams: TeamsClient, bot, leader, members, clock):
    s = bot.services
    assert s.settings.download_ttl_minutes == 15
    await s.projects.create("Søknadsportal", "", leader.aad, ["Oppvekst"])
    group = teams.group("Oppvekst", [leader, *members])
    await teams.send(group, leader, "eksport Søknadsportal")

    # Nothing with a link in the group: only where the file went.
    assert links(teams.connector.sent(group.id)) == []
    assert texts(teams, group) == ["Jeg har sendt filen til deg i en privat chat."]
    # The leader had never written to the bot personally: the bot opened a 1:1 chat with them.
    created = [r for r in teams.connector.records if r.op == "create"]
    assert len(created) == 1
    assert [m["id"] for m in created[0].body["members"]] == [leader.id]
    assert created[0].body["isGroup"] is False
    chat = created[0].conversation_id
    urls = links(teams.connector.sent(chat))
    assert len(urls) == 2  # xlsx and csv
    stored = await s.conversations.personal_chat_of(leader.aad)
    assert stored is not None and stored.id == chat

    # HEAD (link checkers) does not use the link up; the first GET does.
    assert (await get(urls[0], "HEAD"))[0] == 200
    status, _ = await get(urls[0])
    assert status == 200
    status, page = await get(urls[0])
    assert status == 410 and "Lenken er allerede brukt eller utløpt" in page
    # The used file's content is gone from the database at once.
    async with s.db.session() as session:
        rows = list(await session.scalars(select(Download)))
    assert any(r.used_at is not None and r.content == b"" for r in rows)

    # The other link, unused, expires after 15 minutes: 410 as well.
    clock.advance(timedelta(minutes=16))
    status, page = await get(urls[1])
    assert status == 410 and "utløpt" in page
    assert (await get(urls[1].rsplit("/", 1)[0] + "/finnes-ikke-1234567890"))[0] == 404


async def test_export_uses_the_existing_personal_chat(teams: TeamsClient, bot, leader, members):
    personal = teams.personal(leader)
    await teams.send(personal, leader, "hjelp")
    await bot.services.projects.create("Portal", "", leader.aad, ["Oppvekst"])
    group = teams.group("Oppvekst", [leader, *members])
    await teams.send(group, leader, "eksport Portal")
    assert not [r for r in teams.connector.records if r.op == "create"]
    assert links(teams.connector.sent(group.id)) == []
    assert len(links(teams.connector.sent(personal.id))) == 2


async def test_audit_export_and_my_data_from_a_group(teams: TeamsClient, bot, leader, members):
    group = teams.group("Chat", [leader, *members])
    await teams.send(group, leader, "registrer Oppvekst")
    card = (await teams.send(group, leader, "logg")).card
    exported = await teams.press(group, leader, card, verb="audit.export")
    assert "privat chat" in exported.invoke_message and "/downloads/" not in exported.invoke_message
    await teams.send(group, members[0], "mine data")
    assert texts(teams, group)[-1] == "Jeg har sendt filen til deg i en privat chat."
    assert links(teams.connector.sent(group.id)) == []
    chats = {r.conversation_id for r in teams.connector.records if r.op == "create"}
    assert len(chats) == 2
    everything = [a for c in chats for a in teams.connector.sent(c)]
    assert len(links(everything)) == 3  # the audit log; JSON and spreadsheet of "mine data"


async def test_no_private_chat_means_no_link_anywhere(teams: TeamsClient, bot, leader, members):
    """A guest whose tenant will not let the bot open a chat: the group is told, the files are deleted at once."""
    await bot.services.projects.create("Portal", "", leader.aad, ["Oppvekst"])
    group = teams.group("Oppvekst", [leader, *members])
    teams.connector.fail(403, method="POST", code="BotNotInConversationRoster")  # the next POST: creating the chat
    await teams.send(group, leader, "eksport Portal")
    assert "fikk ikke sendt filen" in texts(teams, group)[0]
    assert links(teams.connector.sent()) == []
    async with bot.services.db.session() as session:
        assert list(await session.scalars(select(Download))) == []


async def test_shared_calendar_file_stays_in_the_chat_and_works_for_everyone(bot):
    """A meeting's .ics is not personal data of the register: its link is for the whole chat, until it expires."""
    url, _ = await bot.services.download_link(b"BEGIN:VCALENDAR", "mote-1.ics", "text/calendar")
    assert (await get(url))[0] == 200
    assert (await get(url))[0] == 200


async def test_private_card_buttons_are_links_only_in_the_personal_chat(teams: TeamsClient, bot, leader):
    personal = teams.personal(leader)
    res = await teams.send(personal, leader, "mine data")
    url = find_action(res.card, "Last ned JSON")["url"]
    assert (await get(url))[0] == 200
    assert (await get(url))[0] == 410


async def test_the_safety_net_knows_personal_links_without_being_told(bot):
    """A reply not marked private that carries a link to someone's file is still treated as private in a group."""
    from bot.chat.private import download_tokens
    from bot.chat.turn import Reply

    s = bot.services
    personal, _ = await s.download_link(b"data", "mine-data.json", "application/json", "someone")
    shared, _ = await s.download_link(b"BEGIN:VCALENDAR", "mote-2.ics", "text/calendar")
    in_card = Reply(card={"type": "AdaptiveCard", "actions": [{"type": "Action.OpenUrl", "url": personal}]})
    in_text = Reply(text=f"Her: [last ned]({personal})")
    for reply in (in_card, in_text):
        assert await s.downloads.is_personal(download_tokens(s, reply))
    assert not await s.downloads.is_personal(download_tokens(s, Reply(text=f"Kalender: {shared}")))
