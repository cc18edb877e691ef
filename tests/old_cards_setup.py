"""State for tests/test_old_cards.py: per verb, the objects an old card's ids point at, the ids to put in, the inputs."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.broadcasts.service import broadcaster
from bot.gates.store import GateRepo
from bot.kernel.choices import encode_multi
from bot.needs.service import needs_repo
from bot.services import Services
from tests.dates import iso
from tests.fakes.connector import card_of
from tests.harness import Conv, Result, TeamsClient, User, iter_actions, make_user
from tests.needs_support import BENEFIT_OK, NEED_OK

INVOLVED = ["Oppvekst", "Helse og omsorg"]
_n = itertools.count(1)


@dataclass
class World:
    """One running bot shared by the module: a leader, members, a registered faggruppe chat, a project."""

    teams: TeamsClient
    services: Services
    leader: User
    members: list[User]
    group: Conv
    project_id: int = 0
    project_name: str = ""

    @property
    def personal(self) -> Conv:
        return self.teams.personal(self.leader)


Check = Callable[[Result], Awaitable[None]]


@dataclass
class Press:
    """Who presses where, the ids that replace the captured ones, the values typed into the card, and the effect."""

    conv: Conv
    user: User
    ids: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)
    check: Check | None = None
    reply_to: str | None = None


def dump(res: Result) -> str:
    """Everything the bot answered (invoke body and messages sent meanwhile) as one text."""
    return json.dumps([res.body, res.sent], ensure_ascii=False)


def verbs_in(res: Result) -> set[str]:
    """Verbs of every action in the cards of the answer."""
    cards = [*res.cards, *([res.body["value"]] if isinstance(res.body, dict) and isinstance(res.body.get("value"), dict)
                           else [])]
    return {str(a.get("verb") or (a.get("data") or {}).get("verb")) for c in cards for a in iter_actions(c)}


async def press(w: World, conv: Conv, user: User, verb: str, data: dict[str, Any], inputs: dict[str, Any] | None = None,
                kind: str = "Execute", reply_to: str | None = None) -> Result:
    """Press one action as an old card holds it: exactly this verb and data, plus what the user typed."""
    action: dict[str, Any] = {"type": f"Action.{kind}", "title": "x", "data": {"verb": verb, **data}}
    if kind == "Execute":
        action["verb"] = verb
    return await w.teams.press(conv, user, {"actions": [action]}, inputs=inputs, reply_to=reply_to)


async def new_project(w: World) -> tuple[int, str]:
    name = f"Felles arkiv {next(_n)} – Ærlig og Åpen"
    p = await w.services.projects.create(name, "Felles løsning", w.leader.aad, INVOLVED)
    return p.id, name


def poll_inputs(w: World) -> dict[str, str]:
    data = {"title": f"Arbeidsmøte {next(_n)}", "duration": "60", "mode": "online"}
    for i in range(3):
        data[f"slot_date_{i}"], data[f"slot_time_{i}"] = iso(w.services.clock, 3 + i), "10:00"
    return data


async def new_poll(w: World) -> tuple[int, list[int], str]:
    """A poll posted in the group: (poll id, slot ids, activity id of the posted card)."""
    res = await press(w, w.group, w.leader, "poll.create", {"rows": 3}, poll_inputs(w))
    posted = [a for a in res.sent if card_of(a) and "poll.vote" in json.dumps(card_of(a))]
    votes = [a for a in iter_actions(card_of(posted[0])) if a.get("verb") == "poll.vote"]
    return votes[0]["data"]["poll_id"], sorted({a["data"]["slot_id"] for a in votes}), posted[0]["id"]


async def closed_poll(w: World) -> int:
    poll_id, _, aid = await new_poll(w)
    await press(w, w.group, w.leader, "poll.close", {"poll_id": poll_id}, reply_to=aid)
    return poll_id


def broadcast_form(**extra: str) -> dict[str, str]:
    return {"title": f"Frist for behov {next(_n)}", "message": "Husk å levere **behovene** innen fredag.", "mode": "all",
            "faggrupper": "", "project": "", "send_date": "", "send_time": "", "ack": "false", "link": "", **extra}


async def draft(w: World, **extra: str) -> int:
    """A broadcast draft (the preview stage); returns its id."""
    res = await press(w, w.personal, w.leader, "broadcast.preview", {}, broadcast_form(**extra))
    send = next(a for a in iter_actions(res.card) if a.get("verb") == "broadcast.send")
    return int(send["data"]["broadcast_id"])


async def scheduled(w: World) -> int:
    bid = await draft(w, send_date=iso(w.services.clock, 2), send_time="10:00")
    await press(w, w.personal, w.leader, "broadcast.send", {"broadcast_id": bid})
    return bid


async def sent_with_ack(w: World) -> int:
    bid = await draft(w, ack="true")
    await press(w, w.personal, w.leader, "broadcast.send", {"broadcast_id": bid})
    for _ in range(200):
        b = await broadcaster(w.services).repo.get(bid)
        if b and b.state.value == "done":
            return bid
        await asyncio.sleep(0.05)
    raise AssertionError(f"broadcast {bid} was not delivered")


async def state_of(w: World, bid: int) -> str:
    b = await broadcaster(w.services).repo.get(bid)
    assert b is not None
    return str(b.state.value)


def need_inputs(w: World, pid: int) -> dict[str, str]:
    return {**NEED_OK, "project_id": str(pid), "faggruppe": "Oppvekst"}


async def entry(w: World, kind: str = "need", pid: int | None = None) -> int:
    """An entry submitted by a member in the faggruppe chat; returns its id."""
    values = need_inputs(w, pid or w.project_id) if kind == "need" else {
        **BENEFIT_OK, "project_id": str(pid or w.project_id), "faggruppe": "Oppvekst"}
    res = await press(w, w.group, w.members[0], "needs.save", {"kind": kind}, values)
    edit = next(a for a in iter_actions(res.card) if a.get("verb") == "needs.edit")
    return int(edit["data"]["entry_id"])


async def gate_with_deadline(w: World) -> tuple[int, int]:
    pid, _ = await new_project(w)
    await press(w, w.personal, w.leader, "gates.save", {"project_id": pid, "bp": 2}, gate_inputs(w))
    return pid, 2


def gate_inputs(w: World) -> dict[str, str]:
    return {"deadline": iso(w.services.clock, 30), "deadline_time": "", "offsets": "14, 7, 1",
            "faggrupper": encode_multi(INVOLVED), "documents": ""}


def has(*needles: str) -> Check:
    """The answer contains every needle."""
    async def check(res: Result) -> None:
        text = dump(res)
        for n in needles:
            assert n in text, f"{n!r} not in the answer: {text[:600]}"
    return check


def offers(*verbs: str) -> Check:
    """The answer's card has buttons with these verbs (the next step of the flow)."""
    async def check(res: Result) -> None:
        assert set(verbs) <= verbs_in(res), f"want {verbs}, answer offers {sorted(verbs_in(res))}"
    return check


def fresh_user() -> User:
    return make_user(f"Gjest Gjestesen {next(_n)}")


async def gate_of(w: World, pid: int, bp: int) -> Any:
    return await GateRepo(w.services.db).at(pid, bp)


async def entry_status(w: World, entry_id: int) -> str:
    e = await needs_repo(w.services).get(entry_id)
    assert e is not None
    return e.status
