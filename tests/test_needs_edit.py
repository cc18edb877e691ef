"""Editing and withdrawing entries: history kept, leaders may edit anything, other members may not (even replayed)."""

from __future__ import annotations

from tests.harness import TeamsClient, find_action
from tests.needs_support import NEED_OK, create_project, faggruppe_chat, filled, inputs, submit, texts


async def test_edit_and_withdraw_keep_history(teams: TeamsClient, bot, leader, members):
    await create_project(teams, leader, "Søknadsportal", ["Oppvekst"])
    conv = await faggruppe_chat(teams, leader, members, "Oppvekst")
    user = members[0]
    saved = await submit(teams, conv, user, "need", NEED_OK)
    repo = bot.services.needs
    [entry] = await repo.by_submitter(user.aad)
    mine = await teams.send(conv, user, "mine innspill")
    assert any(NEED_OK["title"].split()[0] in x for x in texts(mine.card))
    find_action(mine.card, "Trekk tilbake", entry_id=entry.id)
    form = await teams.press(conv, user, mine.card, "Endre", entry_id=entry.id)
    fields = inputs(form.card)
    assert fields["title"]["value"] == NEED_OK["title"] and fields["priority"]["value"] == "hoy"
    assert fields["municipalities"]["value"] == "Rana,Vefsn"
    edited = await teams.press(conv, user, form.card, verb="needs.save",
                               inputs=filled(form.card, {"priority": "lav", "title": "Ny tittel æøå"}))
    assert "Endret 2 felt" in str(edited.card)
    history = await repo.history(entry.id)
    assert [h.action for h in history] == ["created", "edited"]
    assert history[1].changes == {"title": [NEED_OK["title"], "Ny tittel æøå"], "priority": ["hoy", "lav"]}
    assert history[1].actor_id == user.aad
    same = await teams.press(conv, user, form.card, verb="needs.save",
                             inputs=filled(form.card, {"priority": "lav", "title": "Ny tittel æøå"}))
    assert "Ingen endringer" in str(same.card)
    assert len(await repo.history(entry.id)) == 2
    ask = await teams.press(conv, user, saved.card, "Trekk tilbake", entry_id=entry.id)
    withdrawn = await teams.press(conv, user, ask.card, "Trekk tilbake", entry_id=entry.id, step="confirm")
    assert "Trukket: Behov" in str(withdrawn.card)
    assert (await repo.get(entry.id)).status == "withdrawn"
    assert [h.action for h in await repo.history(entry.id)][-1] == "withdrawn"
    assert await repo.by_project(entry.project_id) == []


async def test_leader_may_edit_other_member_may_not(teams: TeamsClient, bot, leader, members):
    await create_project(teams, leader, "Søknadsportal", ["Oppvekst"])
    conv = await faggruppe_chat(teams, leader, members, "Oppvekst")
    owner, other = members[0], members[1]
    saved = await submit(teams, conv, owner, "need", NEED_OK)
    repo = bot.services.needs
    [entry] = await repo.by_submitter(owner.aad)
    # another member presses Edit on the owner's card, and replays the save with forged data
    refused = await teams.press(conv, other, saved.card, "Endre", entry_id=entry.id)
    assert "bare endre dine egne" in refused.invoke_message
    forged = await teams.press(conv, other, saved.card, verb="needs.edit", entry_id=entry.id)
    assert "bare endre dine egne" in forged.invoke_message
    form = await teams.press(conv, owner, saved.card, "Endre", entry_id=entry.id)
    hijack = await teams.press(conv, other, form.card, verb="needs.save", inputs=filled(form.card, {"title": "Kapret"}))
    assert "bare endre dine egne" in hijack.invoke_message
    withdraw = await teams.press(conv, other, saved.card, "Trekk tilbake", entry_id=entry.id)
    assert "bare endre dine egne" in withdraw.invoke_message
    assert (await repo.get(entry.id)).title == NEED_OK["title"] and (await repo.get(entry.id)).status == "active"
    # the leader can
    lform = await teams.press(conv, leader, saved.card, "Endre", entry_id=entry.id)
    done = await teams.press(conv, leader, lform.card, verb="needs.save", inputs=filled(lform.card, {"title": "Rettet av leder"}))
    assert "Endret 1 felt" in str(done.card)
    after = await repo.get(entry.id)
    assert after.title == "Rettet av leder" and after.submitter_id == owner.aad
    assert (await repo.history(entry.id))[-1].actor_id == leader.aad
    assert (await bot.services.audit.recent())[0].action == "needs.edit_other"
