"""`logg` speaks Norwegian sentences with names, every audited action has one, user text is escaped."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bot.gates.model import APPROVED, POSTPONED
from bot.messages import catalogue
from bot.privacy.audit_text import ACTIONS
from tests import card_rules as rules
from tests.dates import day, long_nb
from tests.gates_helpers import PROJECT, set_deadline, setup_chats
from tests.needs_support import texts

BOT = Path(__file__).resolve().parents[1] / "bot"
CALL = re.compile(r"audit\.record\(\s*[^,()]+(?:\([^)]*\))?[^,]*,\s*(f?)\"([^\"]+)\"", re.S)


def written_actions() -> set[str]:
    """Every action code passed to audit.record anywhere in bot/ (f-strings expanded over their known values)."""
    found: set[str] = set()
    for path in BOT.rglob("*.py"):
        for is_f, action in CALL.findall(path.read_text(encoding="utf-8")):
            if is_f and action == "gate.decision.{decision}":
                found |= {f"gate.decision.{d}" for d in (APPROVED, POSTPONED)}
            else:
                assert not is_f, f"{path}: new f-string audit action {action!r}: list its values here"
                found.add(action)
    return found


def test_every_written_action_has_a_sentence_in_both_languages():
    written = written_actions()
    assert len(written) >= 20  # the grep found the call sites
    assert written <= ACTIONS, written - ACTIONS
    for lang in ("nb", "en"):
        texts_ = catalogue()[lang]
        for action in ACTIONS:
            key = f"audit.action.{action}"
            assert key in texts_ or f"{key}.one" in texts_, (lang, key)


async def test_logg_after_leader_actions_reads_as_sentences(teams, bot, leader, members, clock):
    s = bot.services
    await s.projects.create(PROJECT, "", leader.aad, ["Oppvekst"])
    hostile = await s.projects.create("**Ny** skole <b>", "", leader.aad, ["Oppvekst"])
    chats = await setup_chats(teams, leader, members)
    conv = chats["Oppvekst"]
    deadline = day(clock, 40)
    await set_deadline(teams, conv, leader, 2, deadline.isoformat())
    await s.audit.record("erased-person-id", "project.create", str(hostile.id), name="x")
    await s.audit.record(leader.aad, "some.future.action", "guid-1234")
    card = (await teams.send(teams.personal(leader), leader, "logg")).card
    shown = "\n".join(texts(card))
    assert "Lise Leder registrerte chatten som Oppvekst" in shown
    assert f"Lise Leder satte frist for BP2 i {PROJECT} til" in shown.replace("\\", "") and long_nb(deadline) in shown
    assert "en tidligere bruker opprettet prosjektet \\*\\*Ny\\*\\* skole" in shown
    dumped = json.dumps(card, ensure_ascii=False)
    for raw in ("faggruppe.register", "gate.deadline.set", leader.aad, "<b>"):
        assert raw not in dumped
    assert rules.weak_colours(card) == [] and rules.literal_backslashes(card) == []
