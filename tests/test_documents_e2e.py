"""Decision documents over HTTP: `dokument <prosjekt> BP2` gives the requester a DOCX link; roles, bad input, reminder."""

from __future__ import annotations

import json
import re
from typing import Any

import aiohttp
from sqlalchemy import func, select

from bot.gates.store import GateRepo
from bot.kernel.people import Role
from bot.storage.models import Download
from tests import documents_seed as seed
from tests.dates import iso, today
from tests.docx_reader import Read, read
from tests.fakes.connector import card_of
from tests.gates_helpers import PROJECT as GATES_PROJECT
from tests.gates_helpers import reminders, run_reminder_now, set_deadline, setup_chats
from tests.harness import TeamsClient, find_action, iter_actions
from tests.needs_support import create_project, texts

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
UNESCAPED_LINK = re.compile(r"(?<!\\)\]\((?!\\)")


async def seeded(teams: TeamsClient, bot: Any, leader: Any, clock: Any, name: str = seed.PROJECT) -> int:
    await create_project(teams, leader, name, seed.INVOLVED)
    project = await bot.services.projects.by_name(name)
    await seed.store(bot.services, project.id, today(clock))
    return project.id


async def download(url: str) -> tuple[aiohttp.ClientResponse, bytes]:
    async with aiohttp.ClientSession() as http, http.get(url) as r:
        return r, await r.read()


def link(card: dict[str, Any]) -> str:
    urls = [a["url"] for a in iter_actions(card) if a["type"] == "Action.OpenUrl"]
    assert len(urls) == 1, urls
    return urls[0]


async def fetch_doc(card: dict[str, Any]) -> tuple[aiohttp.ClientResponse, Read]:
    response, body = await download(link(card))
    assert response.status == 200, body[:200]
    return response, read(body)


async def downloads_by(bot: Any) -> dict[str, int]:
    async with bot.services.db.session() as s:
        return dict((await s.execute(select(Download.owner_id, func.count()).group_by(Download.owner_id))).all())


async def test_leader_gets_bp2_draft_as_a_link_to_a_valid_docx(teams: TeamsClient, bot, leader, clock):
    await seeded(teams, bot, leader, clock)
    res = await teams.send(teams.personal(leader), leader, f"dokument {seed.PROJECT} BP2")
    lines = texts(res.card)
    assert lines[0] == "Utkast: Behovs- og gevinstoversikt"
    for expected in ("3 gevinster mangler gevinsteier", "2 gevinster mangler indikator", "3 gevinster mangler nullpunkt",
                     "Ingen innspill fra: Helse og omsorg"):
        assert any(expected in x for x in lines), (expected, lines)
    response, doc = await fetch_doc(res.card)
    assert response.headers["Content-Type"] == DOCX and "no-store" in response.headers["Cache-Control"]
    assert re.search(r'filename="behovs-og-gevinstoversikt-utkast-Felles-sak-og-arkivlosning-for-Helgeland-[0-9-]+\.docx"',
                     response.headers["Content-Disposition"])
    assert doc.paragraphs("Title")[0].text == "Behovs- og gevinstoversikt"
    assert {r[0]: r[1] for r in doc.tables()[0].rows}["Prosjekt"] == seed.PROJECT
    benefit_rows = doc.table_after("Gevinstoversikt").rows[1:]
    assert len(benefit_rows) == 7 and seed.WITHDRAWN_TITLE not in doc.text()
    assert (await bot.services.audit.recent())[0].action == "documents.draft"
    assert await downloads_by(bot) == {leader.aad: 1}  # the link is issued to the requester


async def test_english_alias_bp3_and_bp5(teams: TeamsClient, bot, leader, clock):
    await seeded(teams, bot, leader, clock)
    conv = teams.personal(leader)
    res = await teams.send(conv, leader, "document felles sak bp 3", locale="en-US")
    lines = texts(res.card)
    assert lines[0] == "Draft: Benefits realisation plan" and any("3 benefits have no benefit owner" in x for x in lines)
    _, doc = await fetch_doc(res.card)
    assert doc.paragraphs("Title")[0].text == "Gevinstrealiseringsplan"  # the document itself is Norwegian
    assert "Måleplan per gevinst" in doc.headings(1)
    res = await teams.send(conv, leader, "dokument Felles sak BP5")
    _, doc = await fetch_doc(res.card)
    assert doc.headings(1)[-1] == "Status mot plan" and "Registeret har ingen målte verdier" in doc.text()


async def test_members_are_refused_and_the_secretariat_is_not(teams: TeamsClient, bot, leader, members, clock):
    project_id = await seeded(teams, bot, leader, clock)
    member, clerk = members[0], members[1]
    res = await teams.send(teams.personal(member), member, f"dokument {seed.PROJECT} BP2")
    assert res.texts == ["Beklager, utkast til beslutningsdokumenter kan bare prosjektledere og sekretariatet laste ned."]
    forged = {"type": "AdaptiveCard", "actions": [{"type": "Action.Execute", "verb": "documents.draft",
                                                   "data": {"verb": "documents.draft", "project_id": project_id, "bp": 3}}]}
    res = await teams.press(teams.personal(member), member, forged, verb="documents.draft")
    assert res.status == 200 and "bare prosjektledere" in res.invoke_message
    assert await downloads_by(bot) == {}
    await bot.services.people.upsert(person_id=clerk.aad, name=clerk.name, aad_object_id=clerk.aad)
    await bot.services.people.set_role(clerk.aad, Role.SECRETARIAT)
    res = await teams.send(teams.personal(clerk), clerk, "dokument BP3")  # no project named: the newest project
    _, doc = await fetch_doc(res.card)
    assert {r[0]: r[1] for r in doc.tables()[0].rows}["Prosjekt"] == seed.PROJECT
    assert await downloads_by(bot) == {clerk.aad: 1}


async def test_bad_bp_unknown_project_and_usage_are_explained(teams: TeamsClient, bot, leader, clock):
    conv = teams.personal(leader)
    assert "ingen prosjekter" in (await teams.send(conv, leader, "dokument BP2")).texts[0]
    project_id = await seeded(teams, bot, leader, clock)
    assert (await teams.send(conv, leader, "dokument")).texts[0].startswith("Skriv **dokument [prosjekt] BP2**")
    assert (await teams.send(conv, leader, f"dokument {seed.PROJECT}")).texts[0].startswith("Skriv **dokument")
    assert (await teams.send(conv, leader, f"dokument {seed.PROJECT} BP7")).texts[0].startswith(
        "«BP7» er ikke et beslutningspunkt. Utkast finnes for BP2")
    assert (await teams.send(conv, leader, f"dokument {seed.PROJECT} BP1")).texts[0].startswith(
        "Det finnes ikke noe utkast for BP1. Utkast finnes for BP2")
    evil = "[lenke](https://evil.example) <at>Alle</at>"
    for text in (f"dokument {evil} BP2", f"dokument {seed.PROJECT} bp[x](https://evil.example)"):
        res = await teams.send(conv, leader, text)
        assert res.status < 300 and len(res.texts) == 1, res.texts
        shown = res.texts[0]
        assert "evil" in shown and not UNESCAPED_LINK.search(shown) and "<at>" not in shown, shown
    assert "fant ikke prosjektet" in (await teams.send(conv, leader, f"dokument {evil} BP2")).texts[0]
    # forged ids: an id that does not exist is not found; one that cannot be an id is refused by the one validator
    for data, answer in (({"project_id": project_id + 1000, "bp": 3}, "fant ikke det du spurte etter"),
                         ({"project_id": "99999999999999999999999", "bp": 2}, "ugyldig verdi"),
                         ({"project_id": "abc", "bp": "BP3"}, "ugyldig verdi"), ({"bp": 3}, "ugyldig verdi")):
        card = {"type": "AdaptiveCard", "actions": [{"type": "Action.Execute", "verb": "documents.draft",
                                                     "data": {"verb": "documents.draft", **data}}]}
        res = await teams.press(conv, leader, card, verb="documents.draft")
        assert res.status == 200 and answer in res.invoke_message, (data, res.body)
    # the same overflowing id on a verb open to members: found nothing, not "something went wrong" (ProjectRepo.get)
    card = {"type": "AdaptiveCard", "actions": [{"type": "Action.Execute", "verb": "gates.timeline",
                                                 "data": {"verb": "gates.timeline", "project_id": "9" * 23}}]}
    res = await teams.press(conv, leader, card, verb="gates.timeline")
    assert "ugyldig verdi" in res.invoke_message and "galt" not in res.invoke_message, res.body
    card = {"type": "AdaptiveCard", "actions": [{"type": "Action.Execute", "verb": "documents.draft",
                                                 "data": {"verb": "documents.draft", "project_id": project_id, "bp": 4}}]}
    res = await teams.press(conv, leader, card, verb="documents.draft")
    assert res.invoke_message.startswith("Det finnes ikke noe utkast for BP4")
    assert await downloads_by(bot) == {}


async def test_project_without_input_gives_a_short_draft(teams: TeamsClient, bot, leader):
    await create_project(teams, leader, "Tomt prosjekt", ["Oppvekst"])
    res = await teams.send(teams.personal(leader), leader, "dokument Tomt prosjekt BP3")
    assert any("Registeret har ingen behov eller gevinster for prosjektet ennå" in x for x in texts(res.card))
    _, doc = await fetch_doc(res.card)
    assert doc.headings(1) == ["Om dette utkastet", "Hva mangler i registeret"]


async def test_reminder_card_offers_the_draft_to_leaders(teams: TeamsClient, bot, leader, members, connector, clock):
    project = await bot.services.projects.create(GATES_PROJECT, "Felles arkiv", leader.aad, ["Oppvekst", "Helse og omsorg"])
    await seed.store(bot.services, project.id, today(clock))
    chats = await setup_chats(teams, leader, members)
    group = chats["Oppvekst"]
    for bp in (3, 4):
        await set_deadline(teams, group, leader, bp, iso(clock, 40 + bp), groups=["Oppvekst"])
        run_reminder_now(bot.services, (await GateRepo(bot.services.db).at(project.id, bp)).id, "7")
        await connector.wait_for(lambda n=bp: [r for r in reminders(connector, group) if f"BP{n}" in str(r)])
    by_bp = {bp: card_of(next(r for r in reminders(connector, group) if f"BP{bp}" in str(r))) for bp in (3, 4)}
    assert "Last ned utkast" not in str(by_bp[4])  # BP4 has no draft
    card = by_bp[3]
    button = find_action(card, "Last ned utkast")
    assert button["type"] == "Action.Execute" and button["verb"] == "documents.draft"
    assert button["data"] == {"verb": "documents.draft", "project_id": project.id, "bp": 3}
    # the buttons the reminder always had keep their verb and data
    assert find_action(card, "Gi innspill")["data"] == {"verb": "cmd", "command": "innspill", "project_id": project.id}
    assert find_action(card, "Se tidslinjen")["data"] == {"verb": "cmd", "command": f"faser {GATES_PROJECT}"}
    refused = await teams.press(group, members[0], card, "Last ned utkast")
    assert "bare prosjektledere" in refused.invoke_message and await downloads_by(bot) == {}
    res = await teams.press(group, leader, card, "Last ned utkast")
    assert res.status == 200
    draft = next(c for c in res.cards if "Utkast: Gevinstrealiseringsplan" in str(c))
    _, doc = await fetch_doc(draft)
    assert doc.paragraphs("Title")[0].text == "Gevinstrealiseringsplan"
    assert await downloads_by(bot) == {leader.aad: 1}
    # pressed in the group chat: the link went to the leader's personal chat, the group got none
    assert "/downloads/" not in json.dumps(connector.sent(group.id))
    assert "/downloads/" in json.dumps(connector.sent(chats["personal"].id))
