"""Shared set-up for the gate tests: a project, registered faggruppe chats, the timeline and the deadline form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.gates.jobs import REMINDER_FUNC, reminder_job_id
from bot.kernel.choices import encode_multi
from tests.harness import Conv, TeamsClient, User

PROJECT = "Felles sak/arkiv – Ærlig og Åpen"
INVOLVED = ["Oppvekst", "Helse og omsorg"]


async def setup_chats(teams: TeamsClient, leader: User, members: list[User]) -> dict[str, Conv]:
    """Three faggruppe chats (two of them involved) and the leader's personal chat."""
    chats = {
        "Oppvekst": teams.group("Oppvekst", [leader, members[0], members[1]]),
        "Helse og omsorg": teams.channel("Helse", [leader, members[2]]),
        "IT-drift og sikkerhet": teams.group("IT", [leader, members[3]]),
    }
    for name, conv in chats.items():
        await teams.install(conv, leader)
        res = await teams.send(conv, leader, f"registrer {name}")
        assert "registrert" in res.texts[0]
    personal = teams.personal(leader)
    await teams.send(personal, leader, "hjelp")
    chats["personal"] = personal
    return chats


async def timeline(teams: TeamsClient, conv: Conv, user: User, name: str = PROJECT) -> dict[str, Any]:
    res = await teams.send(conv, user, f"faser {name}")
    return res.card


async def set_deadline(teams: TeamsClient, conv: Conv, leader: User, bp: int, deadline: str, *, offsets: str = "14, 7, 1",
                       groups: list[str] | None = None, at: str = "", documents: str | None = None) -> Any:
    card = await timeline(teams, conv, leader)
    form = (await teams.press(conv, leader, card, verb="gates.form", bp=bp)).card
    inputs = {"deadline": deadline, "deadline_time": at, "offsets": offsets,
              "faggrupper": encode_multi(INVOLVED if groups is None else groups)}
    if documents is not None:
        inputs["documents"] = documents
    return await teams.press(conv, leader, form, verb="gates.save", inputs=inputs)


def run_reminder_now(services: Any, gate_id: int, offset: str, delay: float = 0.2) -> None:
    """Move a scheduled reminder job to run in a moment (the same id, so it replaces the real one)."""
    run_at = datetime.now(UTC) + timedelta(seconds=delay)  # APScheduler runs on the real clock
    services.scheduler.add(REMINDER_FUNC, reminder_job_id(gate_id, offset), run_at, (gate_id, offset),
                           misfire_grace_time=3600)


def reminders(connector: Any, conv: Conv) -> list[dict[str, Any]]:
    return [a for a in connector.sent(conv.id) if "Påminnelse" in str(a.get("attachments"))]
