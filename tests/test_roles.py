"""Role checks for every card verb: each leader-only verb, replayed by a member with the leader's card data, is refused
and changes nothing; owner-only verbs (close a poll, edit/withdraw an input) are refused to other members.

The verbs come from the router: a new verb fails `test_every_verb_is_classified` until it is put in one of the lists.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from bot.features import build_router
from tests.broadcast_helpers import compose, quick_chats
from tests.dates import iso
from tests.gates_helpers import INVOLVED, PROJECT, set_deadline, setup_chats, timeline
from tests.harness import TeamsClient, iter_actions
from tests.needs_support import NEED_OK, create_project, submit
from tests.test_polls_e2e import create_poll

LEADER_ONLY = {
    "broadcast.preview", "broadcast.edit", "broadcast.discard", "broadcast.send", "broadcast.cancel", "broadcast.report",
    "faggruppe.register", "gates.phase", "gates.form", "gates.save", "gates.remove", "gates.decision_form", "gates.decide",
    "needs.campaign.start", "audit.export", "project.create", "documents.draft", "broadcast.export", "broadcast.form",
}
OWNER_OR_LEADER = {"poll.close", "needs.edit", "needs.withdraw"}
OPEN_TO_MEMBERS = {
    "broadcast.ack", "gates.timeline", "needs.form", "needs.save", "poll.create", "poll.form", "poll.form.more", "poll.ics",
    "poll.refresh", "poll.show", "poll.suggest", "poll.vote", "privacy.erase", "privacy.erase_cancel",
}
REFUSED = ("bare prosjektledere", "Bare den som laget", "ikke tilgang", "bare endre dine egne")
# What must not change (last-seen times and the like may).
STATE_QUERIES = {
    "polls": "SELECT id, state, title, chosen_slot_id, deadline FROM polls ORDER BY id",
    "poll_votes": "SELECT poll_id, slot_id, voter_id, answer FROM poll_votes ORDER BY id",
    "need_entries": "SELECT id, title, status, fields FROM need_entries ORDER BY id",
    "gates": "SELECT * FROM gates ORDER BY id",
    "broadcasts": "SELECT id, state, title, message FROM broadcasts ORDER BY id",
    "projects": "SELECT id, name FROM projects ORDER BY id",
    "faggrupper": "SELECT * FROM faggrupper ORDER BY 1",
    "conversations": "SELECT id, faggruppe FROM conversations ORDER BY id",
    "roles": "SELECT id, role FROM people ORDER BY id",
    "outbox": "SELECT key, state FROM outbox ORDER BY key",
    "audit": "SELECT count(*) FROM audit_log",
    "campaigns": "SELECT * FROM input_campaigns ORDER BY id",
    "jobs": "SELECT id FROM apscheduler_jobs ORDER BY id",
}


def snapshot(db: Path) -> dict[str, Any]:
    with sqlite3.connect(db) as conn:
        return {k: conn.execute(q).fetchall() for k, q in STATE_QUERIES.items()}


def test_every_verb_is_classified():
    verbs = set(build_router().verbs)
    known = LEADER_ONLY | OWNER_OR_LEADER | OPEN_TO_MEMBERS
    assert verbs == known, sorted(verbs ^ known)


def refused(res: Any) -> bool:
    shown = res.invoke_message + " ".join(res.texts) + json.dumps(res.body, ensure_ascii=False)
    return res.status < 500 and any(r in shown for r in REFUSED)


async def test_members_replaying_leader_cards_are_refused_and_change_nothing(teams: TeamsClient, bot, leader, members,
                                                                             tmp_path: Path, clock):
    db = tmp_path / "bot.db"
    owner, intruder = members[0], members[3]
    await create_project(teams, leader, PROJECT, INVOLVED)
    chats = await setup_chats(teams, leader, members)
    group, personal = chats["Oppvekst"], chats["personal"]
    teams.add_members(group, [intruder])
    await set_deadline(teams, group, leader, 2, iso(clock, 60))
    await quick_chats(teams, bot, leader, {"Kultur": 2})
    # Every card the leader got, with the conversation it came in: the actions carry the data a replay would send.
    cards: list[tuple[Any, dict]] = [(group, await timeline(teams, group, leader))]
    tl = cards[0][1]
    for verb in ("gates.form", "gates.decision_form", "gates.phase"):
        action = next((a for a in iter_actions(tl) if a.get("verb") == verb), None)
        if action:
            res = await teams.press(group, leader, {"type": "AdaptiveCard", "actions": [action]}, verb=verb)
            cards.append((group, res.cards[-1] if res.cards else {}))
    preview = await compose(teams, personal, leader)
    cards.append((personal, preview))
    scheduled = await compose(teams, personal, leader, title="Planlagt", send_date=iso(clock, 30), send_time="09:00")
    cards.append((personal, (await teams.press(personal, leader, scheduled, verb="broadcast.send")).card))
    cards.append((personal, (await teams.send(personal, leader, "kunngjøringer")).card))
    cards.append((group, (await teams.send(group, leader, "registrer")).card))
    cards.append((personal, (await teams.send(personal, leader, "prosjekt ny")).card))
    cards += [(personal, c) for c in (await teams.send(personal, leader, "logg")).cards]
    for text in ("innspill kampanje", "innspill status", "innspill"):
        res = await teams.send(group, leader, text)
        cards += [(group, c) for c in res.cards]
    poll_id, aid, poll_card = await create_poll(teams, group, owner)
    cards.append((group, poll_card))
    saved = await submit(teams, group, owner, "need", NEED_OK)
    cards.append((group, saved.card))
    await bot.services.polls.settle()

    found: dict[str, tuple[Any, dict]] = {}
    for conv, card in cards:
        for action in iter_actions(card or {}):
            verb = action.get("verb") or (action.get("data") or {}).get("verb")
            if verb in LEADER_ONLY | OWNER_OR_LEADER and verb not in found:
                found[verb] = (conv, action)
    plausible = {"project_id": "1", "bp": "2", "gate_id": "1", "broadcast_id": "1", "faggruppe": "Oppvekst",
                 "name": "Kapret prosjekt", "faggrupper": "Oppvekst", "deadline": iso(clock, 90), "offsets": "7",
                 "decision": "approved", "note": "ok", "title": "Kapret", "message": "Kapret", "mode": "all",
                 "poll_id": str(poll_id), "entry_id": "1", "id": "1"}
    for conv in (group, teams.personal(intruder)):  # the intruder is known to the bot (first contact registers them)
        await teams.send(conv, intruder, "hjelp")
    before = snapshot(db)
    outcome: dict[str, str] = {}
    for verb in sorted(LEADER_ONLY | OWNER_OR_LEADER):
        conv, action = found.get(verb, (group, {"type": "Action.Execute", "verb": verb, "data": {}}))
        data = {**plausible, **(action.get("data") or {})}
        where = teams.personal(intruder) if conv is personal else conv
        card = {"type": "AdaptiveCard", "actions": [{**action, "type": action.get("type", "Action.Execute"), "data": data}]}
        res = await teams.press(where, intruder, card, verb=action.get("verb"), reply_to=aid if verb == "poll.close" else None)
        outcome[verb] = ("card data" if verb in found else "plausible data") + (" refused" if refused(res) else " NOT refused")
        assert refused(res), (verb, res.status, res.invoke_message, res.texts, str(res.body)[:500])
        await bot.services.polls.settle()
        assert snapshot(db) == before, f"{verb} replayed by a member changed the state"
    print(f"\nroles: {len(outcome)} leader/owner-only verbs replayed by a member, all refused, no state change: {outcome}")
