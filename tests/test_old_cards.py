"""Cards posted by v1.1.0 keep working: every captured verb + data shape, pressed over HTTP against objects made here.

tests/fixtures/card_actions-1.1.0.json comes from scripts/capture_card_actions.py (run on the v1.1.0 tree). Each entry
is pressed exactly as the old card holds it (its data, with the ids replaced by those of objects this test makes, plus
what a user types into the card's inputs) and must be answered by the verb's own handler: HTTP 200, none of the
generic refusals, and the handler's own effect. One bot serves the whole module.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from bot.config import load_settings
from bot.features import build_router
from bot.gates.model import APPROVED
from bot.kernel.choices import encode_multi
from bot.kernel.clock import ShiftedClock
from bot.messages import t
from tests import old_cards_setup as s
from tests.fakes.connector import FakeConnector
from tests.harness import RunningBot, TeamsClient, make_user

FIXTURE = Path(__file__).parent / "fixtures" / "card_actions-1.1.0.json"
ENTRIES: list[dict[str, Any]] = json.loads(FIXTURE.read_text(encoding="utf-8"))
# The dispatcher's own pseudo-verb: {"verb": "cmd", "command": ...} runs a text command (bot/hosts/botbuilder/bot.py).
DISPATCHER_VERBS = {"cmd"}
# Verbs added after release 1.1.0: no old card carries them (their own tests drive them).
NEWER_VERBS = {"broadcast.export", "broadcast.form", "poll.form"}
# What the bot says when no handler took the action, or one failed: none may appear in an answer to an old card.
REFUSALS = ("error.unknown_action", "error.generic", "error.bad_card", "error.invalid_input", "error.not_found",
            "error.not_allowed", "error.leader_only", "error.export_only", "error.conflict", "unknown.hint",
            "input.bad_value", "input.command_too_long")


def _id(e: dict[str, Any]) -> str:
    extra = [str(e["data"].get(k)) for k in ("command", "kind", "step") if k in e["data"]]
    keys = ",".join(sorted(k for k in e["data"] if k not in ("verb", "command", "kind", "step")))
    return "|".join([e["verb"], *extra, keys]).replace(" ", "_")


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=["botbuilder", "agents"])
async def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                migrated_template: Path) -> AsyncIterator[s.World]:
    """One bot per chat host (BOT_HOST) for the whole module: every old card is pressed on both."""
    tmp = tmp_path_factory.mktemp("old-cards")
    (tmp / "bot.db").write_bytes(migrated_template.read_bytes())
    leader = make_user("Lise Leder")
    members = [make_user(n) for n in ("Åse Ærlig", "Ørjan Øverli")]
    settings = load_settings({"DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/bot.db", "BOT_LEADERS": leader.aad,
                              "LOG_LEVEL": "WARNING", "BOT_HOST": request.param})
    connector = FakeConnector()
    await connector.start()
    bot = RunningBot(settings, ShiftedClock())
    await bot.start()
    async with aiohttp.ClientSession() as http:
        teams = TeamsClient(http, bot.url, connector)
        group = teams.group("Oppvekst", [leader, *members])
        await teams.install(group, leader)
        assert "Oppvekst" in (await teams.send(group, leader, "registrer Oppvekst")).texts[0]
        await teams.send(teams.personal(leader), leader, "hjelp")
        w = s.World(teams, bot.services, leader, members, group)
        w.project_id, w.project_name = await s.new_project(w)
        yield w
    await bot.stop()
    await connector.stop()


Setup = Callable[[s.World, dict[str, Any]], Awaitable[s.Press]]


async def _poll(w: s.World, e: dict[str, Any]) -> s.Press:
    verb = e["verb"]
    if verb in ("poll.create", "poll.form.more", "poll.suggest"):
        follow = {"poll.create": s.has("er lagt ut"),
                  "poll.form.more": s.has('"slot_date_4"'), "poll.suggest": s.offers("poll.create")}[verb]
        return s.Press(w.group, w.leader, inputs=s.poll_inputs(w), check=follow)
    if verb == "poll.ics":
        return s.Press(w.group, w.leader, {"poll_id": await s.closed_poll(w)}, check=s.has("/downloads/"))
    poll_id, slots, aid = await s.new_poll(w)
    if verb == "poll.vote":
        return s.Press(w.group, w.members[0], {"poll_id": poll_id, "slot_id": slots[0], "answer": "yes"},
                       check=s.has("✓ "), reply_to=aid)
    if verb == "poll.close":
        async def closed(res: Any) -> None:
            poll = await w.services.polls.repo.get(poll_id)
            assert poll.state == "closed"
        return s.Press(w.group, w.leader, {"poll_id": poll_id}, check=closed, reply_to=aid)
    return s.Press(w.group, w.members[1], {"poll_id": poll_id}, check=s.offers("poll.vote"), reply_to=aid)


async def _broadcast(w: s.World, e: dict[str, Any]) -> s.Press:
    verb, data = e["verb"], e["data"]
    if verb == "broadcast.preview":
        ids = {"broadcast_id": await s.draft(w)} if "broadcast_id" in data else {}
        return s.Press(w.personal, w.leader, ids, s.broadcast_form(), s.offers("broadcast.send", "broadcast.edit"))
    if verb == "broadcast.ack":
        return s.Press(w.group, w.members[1], {"broadcast_id": await s.sent_with_ack(w)},
                       check=s.has(t("broadcasts.card.acked", "nb-NO")))
    bid = await (s.scheduled(w) if verb == "broadcast.cancel" else s.draft(w))
    want = {"broadcast.cancel": "cancelled", "broadcast.discard": "cancelled", "broadcast.send": "done"}

    async def moved(res: Any) -> None:
        if verb in want:
            assert await s.state_of(w, bid) in (want[verb], "sending"), await s.state_of(w, bid)
        if verb == "broadcast.edit":
            assert "broadcast.preview" in s.verbs_in(res)
        if data.get("source") == "list":  # back to the list, whose rows open reports
            assert "broadcast.report" in s.verbs_in(res)
        if verb == "broadcast.report":
            assert res.cards or (isinstance(res.body, dict) and res.body.get("value"))
    return s.Press(w.personal, w.leader, {"broadcast_id": bid}, check=moved)


async def _gates(w: s.World, e: dict[str, Any]) -> s.Press:
    verb, data = e["verb"], e["data"]
    if verb == "gates.remove":
        pid, bp = await s.gate_with_deadline(w)

        async def removed(res: Any) -> None:
            assert (await s.gate_of(w, pid, bp)).deadline is None
        return s.Press(w.personal, w.leader, {"project_id": pid, "bp": bp}, check=removed)
    pid, name = await s.new_project(w)
    ids = {"project_id": pid, "bp": 2} if "bp" in data else ({"project_id": pid} if "project_id" in data else {})
    if verb == "gates.timeline" and "project_id" not in data:  # the project chooser: the id is an input
        return s.Press(w.personal, w.leader, inputs={"project_id": str(pid)}, check=s.has(name[:12]))
    inputs = {"gates.save": s.gate_inputs(w), "gates.phase": {"phase": "planlegge"},
              "gates.decide": {"decision": APPROVED, "comment": "Vedtatt i styringsgruppa"}}.get(verb, {})

    async def effect(res: Any) -> None:
        if verb in ("gates.save", "gates.decide"):
            gate = await s.gate_of(w, pid, 2)
            assert gate is not None and (gate.deadline is not None if verb == "gates.save" else gate.status == APPROVED)
        if verb == "gates.form":
            assert "gates.save" in s.verbs_in(res)
        if verb == "gates.decision_form":
            assert "gates.decide" in s.verbs_in(res)
        if verb in ("gates.timeline", "gates.phase"):
            assert name[:12] in s.dump(res)
    return s.Press(w.personal, w.leader, ids, inputs, effect)


async def _needs(w: s.World, e: dict[str, Any]) -> s.Press:
    verb, data = e["verb"], e["data"]
    if verb == "needs.form":
        return s.Press(w.group, w.members[0], {"project_id": w.project_id}, check=s.offers("needs.save"))
    if verb == "needs.campaign.start":
        inputs = {"project_id": str(w.project_id), "faggrupper": encode_multi(["Oppvekst"]),
                  "deadline_date": s.iso(w.services.clock, 7), "deadline_time": "12:00"}
        return s.Press(w.personal, w.leader, inputs=inputs, check=s.has(w.project_name[:12]))
    if verb == "needs.save" and "entry_id" not in data:
        return s.Press(w.group, w.members[0], inputs=s.need_inputs(w, w.project_id), check=s.offers("needs.edit"))
    kind = str(data.get("kind") or "need")
    entry_id = await s.entry(w, kind)
    if verb == "needs.save":
        inputs = {**s.BENEFIT_OK, "title": "Spart tid, endret", "project_id": str(w.project_id), "faggruppe": "Oppvekst"}
        return s.Press(w.group, w.members[0], {"entry_id": entry_id}, inputs, s.has("Spart tid, endret"))
    if verb == "needs.edit":
        return s.Press(w.group, w.members[0], {"entry_id": entry_id}, check=s.offers("needs.save"))
    step = data.get("step")

    async def withdrawn(res: Any) -> None:
        assert (await s.entry_status(w, entry_id) == "withdrawn") == (step == "confirm")
        if step is None:  # a card from before the question: it asks first
            assert "needs.withdraw" in s.verbs_in(res)
        if step == "cancel":  # back to the entry, with its buttons
            assert "needs.edit" in s.verbs_in(res)
    return s.Press(w.group, w.members[0], {"entry_id": entry_id}, check=withdrawn)


async def _other(w: s.World, e: dict[str, Any]) -> s.Press:
    verb = e["verb"]
    if verb == "cmd":
        ids = {"project_id": w.project_id} if "project_id" in e["data"] else {}
        return s.Press(w.group, w.leader, ids, check=_answered)
    if verb == "faggruppe.register":
        conv = w.teams.group("Ny chat", [w.leader])
        await w.teams.install(conv, w.leader)
        return s.Press(conv, w.leader, inputs={"faggruppe": "Helse og omsorg", "new_faggruppe": ""},
                       check=s.has(t("register.done", "nb-NO", name="Helse og omsorg")))
    if verb == "project.create":
        return s.Press(w.personal, w.leader, inputs={"name": "Nytt prosjekt æøå", "description": "Felles",
                                                     "faggrupper": encode_multi(s.INVOLVED)}, check=s.has("Nytt prosjekt"))
    if verb == "documents.draft":
        return s.Press(w.personal, w.leader, {"project_id": w.project_id, "bp": 3}, check=s.has("/downloads/"))
    if verb == "audit.export":
        return s.Press(w.personal, w.leader, check=s.has(t("privacy.audit_export_ready", "nb-NO")))
    user = s.fresh_user()
    await w.teams.send(w.teams.personal(user), user, "hjelp")
    key = {"privacy.erase": "privacy.erased", "privacy.erase_cancel": "privacy.erase_cancelled"}[verb]
    return s.Press(w.teams.personal(user), user, check=s.has(t(key, "nb-NO", n=0)[:20]))


async def _answered(res: Any) -> None:
    assert res.sent or res.invoke_message or (isinstance(res.body, dict) and res.body.get("value")), res.body


SETUPS: dict[str, Setup] = {
    **{v: _poll for v in ("poll.create", "poll.form.more", "poll.suggest", "poll.vote", "poll.refresh", "poll.show",
                          "poll.close", "poll.ics")},
    **{v: _broadcast for v in ("broadcast.preview", "broadcast.edit", "broadcast.discard", "broadcast.send",
                               "broadcast.cancel", "broadcast.report", "broadcast.ack")},
    **{v: _gates for v in ("gates.timeline", "gates.phase", "gates.form", "gates.save", "gates.remove",
                           "gates.decision_form", "gates.decide")},
    **{v: _needs for v in ("needs.form", "needs.save", "needs.edit", "needs.withdraw", "needs.campaign.start")},
    **{v: _other for v in ("cmd", "faggruppe.register", "project.create", "documents.draft", "audit.export",
                           "privacy.erase", "privacy.erase_cancel")},
}


def test_capture_covers_every_registered_verb():
    registered = set(build_router().verbs)
    captured = {e["verb"] for e in ENTRIES}
    assert registered - captured - NEWER_VERBS == set(), "verbs no v1.1.0 card carries (capture is stale?)"
    assert captured - registered <= DISPATCHER_VERBS


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("entry", ENTRIES, ids=[_id(e) for e in ENTRIES])
async def test_old_card_action_still_works(world: s.World, entry: dict[str, Any]):
    verb, old = entry["verb"], entry["data"]
    assert verb in SETUPS, f"no set-up for {verb}: add one"
    p = await SETUPS[verb](world, entry)
    assert set(p.ids) <= set(old), f"ids {sorted(set(p.ids) - set(old))} are not in the old card's data {old}"
    assert set(p.inputs) <= set(entry["inputs"]), f"inputs {sorted(set(p.inputs) - set(entry['inputs']))} not in the card"
    data = {k: v for k, v in {**old, **p.ids}.items() if k != "verb"}
    res = await s.press(world, p.conv, p.user, verb, data, p.inputs, entry["kind"], p.reply_to)
    # An invoke is answered 200; a Submit is a message, which the Bot Framework adapter answers 201 (as any message).
    assert res.status == (200 if entry["kind"] == "Execute" else 201), res.body
    text = s.dump(res)
    for key in REFUSALS:
        refusal = json.dumps(t(key, "nb-NO", max=4000), ensure_ascii=False)[1:41]
        assert refusal not in text, f"{verb} answered {key}: {text[:500]}"
    await _answered(res)
    if p.check:
        await p.check(res)
