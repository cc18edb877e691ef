"""Setting and removing a gate deadline: the one path the chat form and the leaders' tab share (validation, reminders,
audit, the calendar event booked after the answer)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.calendar.port import EventSpec
from bot.gates.jobs import schedule_gate, unschedule_gate
from bot.gates.model import APPROVED, DECISION_POINTS, DEFAULT_OFFSETS, Gate, local_at, parse_deadline_form
from bot.gates.store import GateRepo
from bot.kernel.errors import Conflict
from bot.kernel.people import Person, require_leader
from bot.kernel.projects import ProjectInfo
from bot.services import Services
from cards.gates import bp_label

log = logging.getLogger(__name__)
MAX_ATTENDEES = 500
FIELDS = ("deadline", "deadline_time", "faggrupper", "documents", "offsets")


@dataclass(frozen=True)
class Saved:
    """The gate as saved and when its reminders go out."""

    gate: Gate
    plan: list[tuple[timedelta, datetime]]


async def save_deadline(services: Services, actor: Person, project: ProjectInfo, bp: int, values: dict[str, Any],
                        origin: str = "") -> Saved:
    """Validate and save a BP deadline, reschedule its reminders, audit it and (re)book its calendar event.

    `values` are the form's fields (faggrupper as a list); InvalidInput for bad values, Conflict once approved."""
    require_leader(actor)
    repo = GateRepo(services.db)
    existing = await repo.at(project.id, bp)
    if existing and existing.status == APPROVED:
        raise Conflict("gates.approved_locked", bp=bp_label(bp))
    groups = await services.conversations.faggrupper(services.settings.faggrupper)
    today = services.clock.now().astimezone(services.settings.tz).date()
    form = parse_deadline_form(values, today=today, faggrupper=groups)
    gate = await repo.set_deadline(
        project.id, bp, deadline=form.deadline, deadline_time=form.deadline_time, faggrupper=form.faggrupper,
        documents=form.documents, offsets=form.offsets, set_by=actor.id, set_in=origin,
    )
    plan = schedule_gate(services, gate)
    await services.audit.record(actor.id, "gate.deadline.set", f"gate:{gate.id}", project_id=project.id, bp=bp,
                                deadline=form.deadline.isoformat(),
                                time=form.deadline_time.strftime("%H:%M") if form.deadline_time else "",
                                faggrupper=list(form.faggrupper), offsets_days=[o.days for o in form.offsets],
                                changed=existing is not None and existing.deadline is not None)
    spawn(services, book(services, gate, project))
    return Saved(gate, list(plan))


def current_values(project: ProjectInfo, bp: int, gate: Gate | None) -> dict[str, Any]:
    """The deadline form's values: the gate's, or for a new one the project's faggrupper, the BP's documents and the
    default reminder days (faggrupper as a list)."""
    if gate is None or gate.deadline is None:
        return {"deadline": "", "deadline_time": "",
                "faggrupper": list(gate.faggrupper if gate and gate.faggrupper else project.faggrupper),
                "documents": "\n".join(gate.documents if gate and gate.documents else DECISION_POINTS[bp].documents),
                "offsets": ", ".join(str(o.days) for o in DEFAULT_OFFSETS)}
    return {"deadline": gate.deadline.isoformat(),
            "deadline_time": gate.deadline_time.strftime("%H:%M") if gate.deadline_time else "",
            "faggrupper": list(gate.faggrupper), "documents": "\n".join(gate.documents),
            "offsets": ", ".join(str(o.days) for o in gate.offsets)}


async def remove_deadline(services: Services, actor: Person, project: ProjectInfo, bp: int) -> Gate | None:
    """Remove a BP deadline: reminders unscheduled, audited, calendar event cancelled; None when there was none."""
    require_leader(actor)
    repo = GateRepo(services.db)
    gate = await repo.at(project.id, bp)
    if gate is None or gate.deadline is None:
        return None
    await repo.clear_deadline(gate.id)
    await unschedule_gate(services, gate.id)
    await services.audit.record(actor.id, "gate.deadline.remove", f"gate:{gate.id}", project_id=project.id, bp=bp,
                                deadline=gate.deadline.isoformat())
    spawn(services, cancel_booking(services, gate.id))
    return gate


# -- calendar (after the answer: Graph may be slow) ---------------------------------------------
def calendar_on(s: Services) -> bool:
    """Graph is configured (without it the bookings service only records 'off')."""
    return s.bookings is not None and s.calendar is not None


def spawn(s: Services, coro: Any) -> None:
    if not calendar_on(s):
        coro.close()
        return
    tasks: set[asyncio.Task[None]] = s.extras.setdefault("gate_tasks", set())
    task = asyncio.create_task(coro)
    tasks.add(task)
    task.add_done_callback(tasks.discard)


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
    import html

    return html.escape(value)


async def book(s: Services, gate: Gate, project: ProjectInfo) -> None:
    if s.bookings is None:
        return
    try:
        attendees = await attendee_upns(s, list(gate.faggrupper))
        await s.bookings.book(f"gate:{gate.id}", event_spec(s, gate, project, attendees))
    except Exception:
        log.warning("gate calendar booking failed", exc_info=True)


async def cancel_booking(s: Services, gate_id: int) -> None:
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
        for upn in await _connector_members(s, chat.reference):
            upns[upn.lower()] = None
        people = await s.people.many(await s.conversations.member_ids(chat.id))
        for p in people.values():
            if p.upn:
                upns[p.upn.lower()] = None
    return list(upns)


async def _connector_members(s: Services, reference: dict[str, Any]) -> list[str]:
    adapter = s.extras.get("adapter")
    if adapter is None:
        return []
    from botbuilder.core import TurnContext
    from botbuilder.core.teams import TeamsInfo
    from botbuilder.schema import ConversationReference

    found: list[str] = []

    async def callback(turn: TurnContext) -> None:
        # Errors are caught here: the adapter's on_turn_error would post an apology into the chat.
        token = None
        if turn.activity.channel_data is None:
            turn.activity.channel_data = {}  # a continued conversation carries none; TeamsInfo expects a mapping
        try:
            for _ in range(20):  # at most 20 pages
                page = await TeamsInfo.get_paged_members(turn, token, 100)
                for m in page.members or []:
                    upn = getattr(m, "user_principal_name", None) or getattr(m, "email", None)
                    if upn:
                        found.append(upn)
                token = page.continuation_token
                if not token:
                    break
        except Exception:
            log.warning("member list for calendar attendees failed", exc_info=True)

    try:
        ref = ConversationReference().deserialize(reference)
        await adapter.continue_conversation(ref, callback, s.settings.app_id or None)
    except Exception:
        log.warning("member list for calendar attendees failed", exc_info=True)
    return found
