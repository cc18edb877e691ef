"""Setting and removing a gate deadline: the one path the chat form and the leaders' tab share (validation, reminders,
audit, the calendar event booked after the answer)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.gates.booking import book, cancel_booking, spawn
from bot.gates.jobs import schedule_gate, unschedule_gate
from bot.gates.model import APPROVED, DECISION_POINTS, DEFAULT_OFFSETS, Gate, parse_deadline_form
from bot.gates.store import GateRepo
from bot.kernel.errors import Conflict
from bot.kernel.people import Person, require_leader
from bot.kernel.projects import ProjectInfo
from bot.services import Services
from cards.gates import bp_label

log = logging.getLogger(__name__)
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
    # "Today" is the organisation's date (BOT_TIMEZONE), not the server's: a deadline may not lie before it.
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
    # Graph can be slow: the meeting is booked in the background, after the leader has their answer.
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
