"""Calendar events for gate deadlines, booked after the answer is sent: Graph may be slow."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from bot.calendar.port import EventSpec
from bot.chat.messenger import roster
from bot.gates.model import Gate, local_at
from bot.services import Services
from bot.storage.projects import ProjectInfo
from cards.gates import bp_label

log = logging.getLogger(__name__)
MAX_ATTENDEES = 500


def calendar_on(s: Services) -> bool:
    """Graph is configured (without it the bookings service only records 'off')."""
    return s.bookings is not None and s.calendar is not None


def spawn(s: Services, coro: Any) -> None:
    """Run a booking after the answer is sent (Graph may be slow); dropped when no calendar is configured."""
    if not calendar_on(s):
        coro.close()
        return
    task = asyncio.create_task(coro)
    s.background.add(task)
    task.add_done_callback(s.background.discard)


def event_spec(s: Services, gate: Gate, project: ProjectInfo, attendees: list[str]) -> EventSpec:
    """The calendar event of a gate deadline: all-day without a time, one hour at the time otherwise."""
    assert gate.deadline is not None
    start: Any
    end: Any
    if gate.deadline_time is None:
        start, end = gate.deadline, gate.deadline + timedelta(days=1)
    else:
        start = local_at(gate.deadline, gate.deadline_time, s.settings.tz).astimezone(s.settings.tz)
        end = start + timedelta(hours=1)
    docs = "".join(f"<li>{_html(d)}</li>" for d in gate.documents)
    body = (f"<p>{_html(project.name)}: {bp_label(gate.bp)}</p>"
            + (f"<ul>{docs}</ul>" if docs else ""))
    return EventSpec(subject=f"{project.name}: {bp_label(gate.bp)} – frist"[:250], body_html=body, start=start, end=end,
                     attendees=tuple(attendees[:MAX_ATTENDEES]), categories=("Faggruppe-bot",))


def _html(value: str) -> str:
    """`value` escaped for the event's HTML body."""
    import html

    return html.escape(value)


async def book(s: Services, gate: Gate, project: ProjectInfo) -> None:
    """Book (or move) the deadline's calendar event for the faggrupper's members; failures are only logged."""
    if s.bookings is None:
        return
    try:
        attendees = await attendee_upns(s, list(gate.faggrupper))
        await s.bookings.book(f"gate:{gate.id}", event_spec(s, gate, project, attendees))
    except Exception:
        log.warning("gate calendar booking failed", exc_info=True)


async def cancel_booking(s: Services, gate_id: int) -> None:
    """Cancel the deadline's calendar event; failures are only logged."""
    if s.bookings is None:
        return
    try:
        await s.bookings.cancel(f"gate:{gate_id}")
    except Exception:
        log.warning("gate calendar cancel failed", exc_info=True)


async def attendee_upns(s: Services, faggrupper: list[str]) -> list[str]:
    """UPNs of the members of the faggrupper's chats: the connector's member lists, plus people stored."""
    upns: dict[str, None] = {}
    chats = await s.conversations.faggruppe_chats(faggrupper)
    for chat in chats:
        for upn in await _connector_members(s, chat.id):
            upns[upn.lower()] = None
        people = await s.people.many(await s.conversations.member_ids(chat.id))
        for p in people.values():
            if p.upn:
                upns[p.upn.lower()] = None
    return list(upns)


async def _connector_members(s: Services, conversation_id: str) -> list[str]:
    """UPNs (or e-mail addresses) of a chat's members, from the host's one roster reader."""
    members = await roster(s, conversation_id)
    return [upn for m in members if (upn := m.upn or m.email)]
