"""Helpers for the broadcast tests: registered faggruppe chats, the form, the leader's report card."""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from tests.fakes.connector import card_of
from tests.harness import Conv, RunningBot, TeamsClient, User


async def quick_chats(teams: TeamsClient, bot: RunningBot, leader: User, spec: dict[str, int]) -> dict[str, list[Conv]]:
    """Register chats straight in the registry (fast, for many chats): faggruppe -> number of chats."""
    repo = bot.services.conversations
    out: dict[str, list[Conv]] = {}
    for faggruppe, n in spec.items():
        for i in range(n):
            conv = teams.group(f"{faggruppe} chat {i + 1}")
            act = Activity().deserialize(teams.activity(conv, leader))
            ref = TurnContext.get_conversation_reference(act).serialize()
            await repo.touch(conversation_id=conv.id, kind="groupChat", tenant_id=leader.tenant, team_id="",
                             service_url=teams.connector.url, reference=ref, name=conv.name, installed=True)
            await repo.set_faggruppe(conv.id, faggruppe)
            out.setdefault(faggruppe, []).append(conv)
    return out


def form(title: str = "Frist for behov", message: str = "Husk å levere **behovene** innen fredag.", **extra: Any) -> dict:
    """Form inputs as Teams sends them."""
    return {"title": title, "message": message, "mode": "all", "faggrupper": "", "project": "", "send_date": "",
            "send_time": "", "ack": "false", "link": "", **extra}


async def compose(teams: TeamsClient, conv: Conv, leader: User, **inputs: Any) -> dict:
    """Write `kunngjøring`, fill in the form, press preview; returns the preview card."""
    if conv.kind == "personal":
        form_card = (await teams.send(conv, leader, "kunngjøring")).card
    else:  # in a group chat the form opens in the leader's own dialog
        form_card = await teams.open_form(conv, leader, "kunngjøring")
    res = await teams.press(conv, leader, form_card, verb="broadcast.preview", inputs=form(**inputs))
    assert res.status == 200
    return res.card


def report_text(bot: RunningBot, teams: TeamsClient, conv: Conv, broadcast_id: int, aid: str) -> str:
    """The report card as it stands now."""
    return str(card_of(teams.connector.activities.get((conv.id, aid))))


async def broadcast(bot: RunningBot, broadcast_id: int):
    """The stored broadcast."""
    from bot.broadcasts.service import broadcaster

    return await broadcaster(bot.services).repo.get(broadcast_id)
