"""Withdrawing an entry asks first ("Trekk tilbake"), and a button on a card posted before the question existed asks too."""

from __future__ import annotations

from tests.harness import TeamsClient, find_action
from tests.needs_support import NEED_OK, create_project, faggruppe_chat, submit


async def _entry(teams: TeamsClient, bot, leader, members):
    await create_project(teams, leader, "Søknadsportal", ["Oppvekst"])
    conv = await faggruppe_chat(teams, leader, members, "Oppvekst")
    saved = await submit(teams, conv, members[0], "need", NEED_OK)
    [entry] = await bot.services.needs.by_submitter(members[0].aad)
    return conv, saved, entry


async def test_withdraw_asks_then_cancel_keeps_the_entry(teams: TeamsClient, bot, leader, members):
    conv, saved, entry = await _entry(teams, bot, leader, members)
    repo = bot.services.needs
    ask = await teams.press(conv, members[0], saved.card, "Trekk tilbake", entry_id=entry.id)
    assert "Trekke tilbake behov" in str(ask.card) and (await repo.get(entry.id)).status == "active"
    back = await teams.press(conv, members[0], ask.card, "Avbryt", entry_id=entry.id)
    assert (await repo.get(entry.id)).status == "active"
    find_action(back.card, "Trekk tilbake", entry_id=entry.id)  # the entry's card again, not a stale question
    ask = await teams.press(conv, members[0], back.card, "Trekk tilbake", entry_id=entry.id)
    done = await teams.press(conv, members[0], ask.card, "Trekk tilbake", entry_id=entry.id, step="confirm")
    assert "Trukket: Behov" in str(done.card) and (await repo.get(entry.id)).status == "withdrawn"
    # pressing the question's button again (a second tap, a replay) changes nothing and says it is withdrawn
    again = await teams.press(conv, members[0], ask.card, "Trekk tilbake", entry_id=entry.id, step="confirm")
    assert "Trukket: Behov" in str(again.card)
    assert [h.action for h in await repo.history(entry.id)].count("withdrawn") == 1


async def test_old_card_button_asks_instead_of_withdrawing(teams: TeamsClient, bot, leader, members):
    conv, _saved, entry = await _entry(teams, bot, leader, members)
    # exactly what a card posted by the previous release sends: verb needs.withdraw, data {"entry_id": n}
    old_card = {"type": "AdaptiveCard", "version": "1.5", "body": [], "actions": [
        {"type": "Action.Execute", "title": "Trekk", "verb": "needs.withdraw", "data": {"entry_id": entry.id}}]}
    res = await teams.press(conv, members[0], old_card, "Trekk")
    assert res.status == 200 and "Trekke tilbake behov" in str(res.card)
    assert (await bot.services.needs.get(entry.id)).status == "active"
    forged = await teams.press(conv, members[1], old_card, "Trekk", inputs={"step": "confirm"})
    assert "bare endre dine egne" in forged.invoke_message
    assert (await bot.services.needs.get(entry.id)).status == "active"
