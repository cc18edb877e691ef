"""Every id, index and number in card data goes through one validator: for every verb that takes one (enumerated from
the router), hostile values (2**70, -1, "abc", 1.5, [], {}, true, ...) get a polite Norwegian answer, never a turn
error, and change nothing; on SQLite and PostgreSQL.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.features import build_router
from bot.messages import t
from tests.broadcast_helpers import compose
from tests.fakes.connector import FakeConnector
from tests.gates_helpers import INVOLVED, PROJECT, setup_chats
from tests.harness import RunningBot, TeamsClient, find_action
from tests.needs_support import NEED_OK, create_project, submit
from tests.test_polls_e2e import create_poll

# Verb -> (ids it must have, ids it may have, numbers it only uses as hints or clamps).
REQUIRED, OPTIONAL, LENIENT = 0, 1, 2
ID_VERBS: dict[str, dict[str, int]] = {
    "poll.vote": {"poll_id": REQUIRED, "slot_id": REQUIRED},
    "poll.refresh": {"poll_id": REQUIRED}, "poll.show": {"poll_id": REQUIRED}, "poll.ics": {"poll_id": REQUIRED},
    "poll.close": {"poll_id": REQUIRED, "slot_id": OPTIONAL},
    "poll.form.more": {"rows": LENIENT}, "poll.suggest": {"rows": LENIENT, "duration": LENIENT},
    "poll.create": {"rows": LENIENT, "duration": LENIENT, "duration_custom": LENIENT},
    "needs.form": {"project_id": LENIENT}, "needs.campaign.start": {"project_id": LENIENT},
    "needs.save": {"entry_id": OPTIONAL, "project_id": LENIENT, "estimate_nok": LENIENT},
    "needs.edit": {"entry_id": REQUIRED}, "needs.withdraw": {"entry_id": REQUIRED},
    **{v: {"project_id": REQUIRED, "bp": REQUIRED} for v in (
        "gates.form", "gates.save", "gates.remove", "gates.decision_form", "gates.decide")},
    "gates.timeline": {"project_id": REQUIRED}, "gates.phase": {"project_id": REQUIRED},
    "documents.draft": {"project_id": REQUIRED},
    "broadcast.preview": {"broadcast_id": OPTIONAL, "project": LENIENT},
    **{v: {"broadcast_id": REQUIRED} for v in (
        "broadcast.edit", "broadcast.discard", "broadcast.send", "broadcast.cancel", "broadcast.report", "broadcast.ack",
        "broadcast.export")},
}
NO_IDS = {"poll.form", "broadcast.form",
          "faggruppe.register", "project.create", "privacy.erase", "privacy.erase_cancel", "audit.export"}
HOSTILE: list[Any] = [2**70, 2**63, 2**63 - 1, 2**31, -(2**70), -1, 0, "abc", 1.5, [], {}, {"id": 1}, [1], True,
                      "1_000", "٣", "1e3", "9" * 30, float("1e300"), " 1 2 "]
BAD_VALUE = t("input.bad_value")
GENERIC = (t("error.generic"), t("error.bad_card"))


@pytest.fixture(params=["sqlite", "postgresql"])
async def store_teams(request, make_settings, clock, connector: FakeConnector) -> AsyncIterator[tuple[TeamsClient, Any]]:
    env = {"DATABASE_URL": request.getfixturevalue("pg_url")} if request.param == "postgresql" else {}
    running = RunningBot(make_settings(**env), clock)
    await running.start()
    async with aiohttp.ClientSession() as http:
        yield TeamsClient(http, running.url, connector), running
    await running.stop()


def test_every_verb_is_classified():
    assert set(build_router().verbs) == set(ID_VERBS) | NO_IDS, sorted(set(build_router().verbs) ^ (set(ID_VERBS) | NO_IDS))


def _said(res: Any) -> str:
    return " ".join([res.invoke_message, *res.texts])


async def test_hostile_ids_get_a_polite_answer_on_every_verb(store_teams, leader, members, caplog):
    teams, bot = store_teams
    await create_project(teams, leader, PROJECT, INVOLVED)
    chats = await setup_chats(teams, leader, members)
    group, personal = chats["Oppvekst"], chats["personal"]
    poll_id, _aid, poll_card = await create_poll(teams, group, members[0])
    slot_id = find_action(poll_card, verb="poll.vote")["data"]["slot_id"]
    saved = await submit(teams, group, members[0], "need", NEED_OK)
    entry_id = find_action(saved.card, verb="needs.edit")["data"]["entry_id"]
    preview = await compose(teams, personal, leader)
    broadcast_id = find_action(preview, verb="broadcast.send")["data"]["broadcast_id"]
    project_id = (await bot.services.projects.all())[0].id
    valid = {"poll_id": poll_id, "slot_id": slot_id, "entry_id": entry_id, "project_id": project_id, "bp": 2,
             "broadcast_id": broadcast_id, "rows": 3, "answer": "yes", "kind": "need", "phase": "konsept",
             "decision": "approved", "title": "T", "message": "M"}
    await bot.services.polls.settle()
    caplog.set_level(logging.WARNING)
    tried = 0
    for verb, keys in sorted(ID_VERBS.items()):
        conv = personal if verb.startswith("broadcast.") else group
        for key, kind in keys.items():
            for value in [*HOSTILE, *([None, ""] if kind == REQUIRED else [])]:
                data = {**valid, key: value}
                card = {"type": "AdaptiveCard", "actions": [{"type": "Action.Execute", "verb": verb, "data": data}]}
                res = await teams.press(conv, leader, card, verb=verb)
                tried += 1
                where = (verb, key, value)
                assert res.status == 200, where
                assert not any(g in _said(res) for g in GENERIC), (where, _said(res))
                if kind != LENIENT:
                    assert _said(res).strip() == BAD_VALUE, (where, _said(res))
                else:
                    assert _said(res).strip() or res.cards or res.body, where
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
    # Nothing was changed by the hostile values: the poll is open, the entry and the broadcast draft are as they were.
    poll = await bot.services.polls.repo.get(poll_id)
    assert poll is not None and poll.state == "open" and await bot.services.polls.repo.votes(poll_id) == []
    print(f"\ncard ids: {tried} hostile values over {len(ID_VERBS)} verbs, all answered politely")
