"""Personvern: own-data export, erasure, retention, audit log, admin CLI."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import aiohttp
from openpyxl import load_workbook

from bot.privacy.pseudonyms import pseudonym, pseudonym_key
from bot.privacy.service import run_retention
from tests.harness import TeamsClient, find_action


async def _download(url: str) -> bytes:
    async with aiohttp.ClientSession() as http, http.get(url) as r:
        assert r.status == 200, url
        return await r.read()


async def test_my_data_contains_exactly_my_data(teams: TeamsClient, bot, leader, members):
    me, other = members[0], members[1]
    group = teams.group("Oppvekst", [leader, me, other])
    await teams.send(group, me, "hjelp")
    await teams.send(group, other, "hjelp")
    await teams.send(teams.personal(other), other, "hjelp")
    res = await teams.send(teams.personal(me), me, "mine data")
    card = res.card
    data = json.loads(await _download(find_action(card, "Last ned JSON")["url"]))
    core = data["data"]["core"]
    assert [p["id"] for p in core["people"]] == [me.aad]
    assert {m["person_id"] for m in core["memberships"]} == {me.aad}
    dumped = json.dumps(data, ensure_ascii=False)
    assert other.aad not in dumped and other.name not in dumped
    wb = load_workbook(io.BytesIO(await _download(find_action(card, "Last ned regneark")["url"])))
    assert "Oversikt" in wb.sheetnames and any(n.startswith("core-people") for n in wb.sheetnames)


async def test_my_data_asked_in_group_goes_to_a_private_chat(teams: TeamsClient, members):
    conv = teams.group("Oppvekst", members)
    await teams.send(conv, members[0], "mine data")
    in_group = teams.connector.sent(conv.id)
    assert [a.get("text") for a in in_group] == ["Jeg har sendt filen til deg i en privat chat."]
    assert "/downloads/" not in json.dumps(in_group)


async def test_erase_asks_then_anonymises(teams: TeamsClient, bot, leader, members):
    target = members[1]
    conv = teams.group("Chat", [leader, target])
    await teams.send(conv, leader, "leder legg til", mentions=[target])
    await teams.send(conv, target, "registrer Oppvekst")  # target is a leader now: audited action
    personal = teams.personal(target)
    card = (await teams.send(personal, target, "slett mine data")).card
    assert await bot.services.people.get(target.aad) is not None
    cancel = await teams.press(personal, target, card, verb="privacy.erase_cancel")
    assert "Ingenting" in cancel.invoke_message
    done = await teams.press(personal, target, card, verb="privacy.erase")
    assert "slettet" in done.invoke_message
    assert await bot.services.people.get(target.aad) is None
    audit = await bot.services.audit.recent()
    actors = {a.actor_id for a in audit}
    assert target.aad not in actors and pseudonym(target.aad, await pseudonym_key(bot.services)) in actors
    assert all(a.target != target.aad for a in audit)
    # The chat is still registered: aggregate data survives.
    assert (await bot.services.conversations.get(conv.id)).faggruppe == "Oppvekst"


async def test_retention_deletes_only_old_audit(bot, clock):
    s = bot.services
    await s.audit.record("a", "old.action")
    clock.advance(timedelta(days=bot.settings.retention_audit_days + 1))
    await s.audit.record("a", "new.action")
    counts = await run_retention(s, clock.now())
    assert counts["core"] >= 1
    assert [a.action for a in await s.audit.recent()] == ["new.action"]


async def test_audit_log_for_leaders_only(teams: TeamsClient, leader, members):
    conv = teams.group("Chat", [leader, *members])
    await teams.send(conv, leader, "registrer Helse og omsorg")
    refused = await teams.send(conv, members[0], "logg")
    assert "bare prosjektledere" in refused.texts[0]
    card = (await teams.send(conv, leader, "logg")).card
    assert "Lise Leder registrerte chatten som Helse og omsorg" in json.dumps(card, ensure_ascii=False)
    assert "Lise Leder" in json.dumps(card, ensure_ascii=False)
    replay = await teams.press(conv, members[0], card, verb="audit.export")
    assert "bare prosjektledere" in replay.invoke_message
    exported = await teams.press(conv, leader, card, verb="audit.export")
    # The link itself went to the leader's personal chat.
    assert exported.invoke_message == "Jeg har sendt filen til deg i en privat chat."
    private = [r.body for r in teams.connector.records if r.op in ("send", "reply") and r.conversation_id.startswith("a:")]
    url = private[-1]["text"].split("](")[1].split(")")[0]
    wb = load_workbook(io.BytesIO(await _download(url)))
    actions = [r[2] for r in wb["Logg"].iter_rows(min_row=2, values_only=True)]
    assert "faggruppe.register" in actions


async def test_retention_job_is_scheduled(bot):
    assert "privacy:retention" in bot.services.scheduler.job_ids("privacy:")


async def test_admin_cli_export_and_erase(teams: TeamsClient, bot, members, tmp_path):
    from bot.ops.privacy_cli import run_privacy

    user = members[2]
    await teams.send(teams.personal(user), user, "hjelp")
    out = tmp_path / "export"
    assert await run_privacy(bot.settings, "export", user.aad, str(out)) == 0
    data = json.loads(out.with_suffix(".json").read_text())
    assert data["data"]["core"]["people"][0]["name"] == user.name
    assert await run_privacy(bot.settings, "erase", user.aad) == 0
    assert await bot.services.people.get(user.aad) is None


async def test_bot_keeps_answering_after_erasure(teams: TeamsClient, bot, members):
    """Erasure deletes the personal chat's row; the next message stores it again instead of failing."""
    user = members[3]
    personal = teams.personal(user)
    card = (await teams.send(personal, user, "slett mine data")).card
    await teams.press(personal, user, card, verb="privacy.erase")
    assert await bot.services.conversations.get(personal.id) is None
    res = await teams.send(personal, user, "hjelp")
    assert "Dette kan jeg" in str(res.card)
    assert await bot.services.conversations.get(personal.id) is not None
