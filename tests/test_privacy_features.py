"""Personvern across features: votes and inputs are exported per person and anonymised on erasure."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.needs.model import BENEFIT, Benefit
from bot.privacy.pseudonyms import pseudonym, pseudonym_key
from bot.privacy.service import export_user, run_retention
from tests.harness import TeamsClient, find_action, iter_actions
from tests.needs_support import create_project
from tests.test_polls_e2e import create_poll, stored_card


async def _votes(teams, bot, conv, card, aid, voters):
    slots = [a["data"]["slot_id"] for a in iter_actions(card) if a.get("verb") == "poll.vote" and a["data"]["answer"] == "yes"]
    for user in voters:
        await teams.press(conv, user, card, verb="poll.vote", slot_id=slots[0], answer="yes", reply_to=aid)
        await teams.press(conv, user, card, verb="poll.vote", slot_id=slots[1], answer="no", reply_to=aid)
    await bot.services.polls.settle()


async def test_erasure_keeps_tallies_and_summaries_but_removes_identity(teams: TeamsClient, bot, leader, members):
    me, other = members[0], members[1]
    conv = teams.group("Oppvekst", [leader, me, other])
    poll_id, aid, card = await create_poll(teams, conv, other)
    await _votes(teams, bot, conv, card, aid, [me, other])
    await create_project(teams, leader, "Søknadsportal", ["Oppvekst"])
    project = await bot.services.projects.by_name("Søknadsportal")
    repo = bot.services.needs
    now = bot.services.clock.now()
    for who, name, nok in ((me.aad, me.name, 1000.0), (other.aad, other.name, 500.0)):
        await repo.create(BENEFIT, Benefit("Spart tid på søknader", "effektivisering", estimate_nok=nok),
                          project_id=project.id, faggruppe="Oppvekst", submitter_id=who, submitter_name=name, now=now)
    before_status = await bot.services.input_status(project.id)
    before_votes = sorted((v.slot_id, v.answer) for v in await bot.services.polls.repo.votes(poll_id))

    exported = await export_user(bot.services, me.aad)
    dump = json.dumps(exported, ensure_ascii=False)
    assert len(exported["data"]["polls"]["poll_votes"]) == 2
    assert len(exported["data"]["needs"]["entries"]) == 1
    assert other.aad not in dump and other.name not in dump

    erase_card = (await teams.send(teams.personal(me), me, "slett mine data")).card
    await teams.press(teams.personal(me), me, erase_card, verb="privacy.erase")
    await bot.services.polls.settle()
    after_votes = await bot.services.polls.repo.votes(poll_id)
    assert sorted((v.slot_id, v.answer) for v in after_votes) == before_votes
    assert me.aad not in {v.voter_id for v in after_votes}
    assert pseudonym(me.aad, await pseudonym_key(bot.services)) in {v.voter_id for v in after_votes}
    assert await bot.services.input_status(project.id) == before_status
    summary = await teams.send(teams.personal(leader), leader, "oversikt søknadsportal")
    assert "1\u00a0500" in json.dumps(summary.card, ensure_ascii=False)
    again = json.dumps(await export_user(bot.services, me.aad), ensure_ascii=False)
    assert me.name not in again
    stored = stored_card(teams, conv, aid)
    assert me.name not in json.dumps(stored, ensure_ascii=False)
    card_after = await teams.press(conv, other, {"actions": [stored["refresh"]["action"]]}, verb="poll.refresh", reply_to=aid)
    assert me.name not in json.dumps(card_after.card, ensure_ascii=False)
    find_action(card_after.card, verb="poll.vote")


async def test_retention_of_inputs(bot, clock):
    s = bot.services
    project = await s.projects.create("Gammelt prosjekt", "", "x", ["Oppvekst"])
    repo = s.needs
    await repo.create(BENEFIT, Benefit("Gammel", "kvalitet"), project_id=project.id, faggruppe="Oppvekst",
                      submitter_id="u1", submitter_name="A", now=s.clock.now())
    clock.advance(timedelta(days=bot.settings.retention_inputs_days + 1))
    await repo.create(BENEFIT, Benefit("Ny", "kvalitet"), project_id=project.id, faggruppe="Oppvekst",
                      submitter_id="u1", submitter_name="A", now=s.clock.now())
    counts = await run_retention(s, clock.now())
    assert counts["needs"] == 1
    status = await s.input_status(project.id)
    assert status.total == 1


async def test_broadcast_privacy_provider(bot, clock):
    from bot.broadcasts.privacy import PRIVACY
    from bot.broadcasts.store import BroadcastAck, BroadcastRow

    db = bot.services.db
    async with db.write() as s:
        row = BroadcastRow(author_id="lead", author_name="Lise", title="Hei", message="Tekst", created_at=clock.now())
        s.add(row)
        await s.flush()
        s.add(BroadcastAck(broadcast_id=row.id, person_id="u1", faggruppe="Oppvekst", at=clock.now()))
    exported = await PRIVACY.export(db, "u1")
    assert len(exported["read_acknowledgements"]) == 1 and exported["broadcasts_written"] == []
    assert await PRIVACY.erase(db, "u1", pseudonym("u1", b"k")) == 1
    assert (await PRIVACY.export(db, "u1"))["read_acknowledgements"] == []
    assert len((await PRIVACY.export(db, pseudonym("u1", b"k")))["read_acknowledgements"]) == 1
    assert await PRIVACY.retention(db, clock.now() + timedelta(days=bot.settings.retention_audit_days + 1), bot.settings) == 1
