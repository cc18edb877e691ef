"""Gate reminder and overdue jobs (module-level, ids only) and the helpers that (re)schedule them.

Jobs are persisted with deterministic ids (`gate:{id}:reminder:{offset}`, `gate:{id}:overdue`); each message
they post is an outbox row with an idempotency key, so a job that runs twice (a restart, a second instance)
still posts once.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.delivery.keys import delivery_key
from bot.delivery.outbox import NewDelivery, OutboxRow
from bot.documents.model import has_draft
from bot.gates.model import DECISION_POINTS, OPEN, Gate, deadline_at, offset_key, overdue_at, parse_offset_key, reminder_plan
from bot.gates.store import GateRepo
from bot.messages import t as msg_t
from bot.scheduling import runtime
from cards.common import Card, attachment
from cards.gates import bp_label, left_text, overdue_card, reminder_card

if TYPE_CHECKING:
    from bot.kernel.projects import ProjectInfo
    from bot.services import Services

log = logging.getLogger(__name__)
REMINDER_FUNC = "gate.reminder"
OVERDUE_FUNC = "gate.overdue"
OVERDUE_GRACE = timedelta(days=7)  # an overdue notice still goes out after downtime of up to a week


def _t(key: str, **params: object) -> str:
    """A text in the organisation's language (BOT_LANGUAGE): reminders and notices go to whole chats."""
    return msg_t(key, runtime.services().settings.locale, **params)


def reminder_job_id(gate_id: int, offset: str) -> str:
    """The job id of one reminder of a gate."""
    return f"gate:{gate_id}:reminder:{offset}"


def overdue_job_id(gate_id: int) -> str:
    """The job id of a gate's overdue notice."""
    return f"gate:{gate_id}:overdue"


def reminder_group(gate_id: int) -> str:
    """The outbox group of a gate's reminders (cancelled together on approval)."""
    return f"gate:{gate_id}:reminders"


def notice_group(gate_id: int) -> str:
    """The outbox group of notices about a gate (not reminders)."""
    return f"gatenotice:{gate_id}"


def reminder_key(gate: Gate, offset: str, conversation_id: str) -> str:
    """`gate:{id}:reminder:{offset}@{deadline}:{conversation}`: the deadline keeps a moved deadline's reminders apart."""
    assert gate.deadline is not None
    stamp = gate.deadline.isoformat() + (gate.deadline_time.strftime("T%H%M") if gate.deadline_time else "")
    return delivery_key("gate", gate.id, "reminder", f"{offset}@{stamp}", conversation_id)


def message(card: Card) -> dict[str, object]:
    """A card as an outbox payload."""
    return {"activity": {"type": "message", "attachments": [attachment(card)]}}


# -- scheduling -------------------------------------------------------------------------------
def schedule_gate(services: Services, gate: Gate) -> list[tuple[timedelta, object]]:
    """Replace the gate's jobs with its reminders still to come and the overdue notice; returns the plan."""
    tz = services.settings.tz
    plan = reminder_plan(gate, tz, services.clock.now())
    sched = services.scheduler
    if sched is None:
        return list(plan)
    sched.remove_prefix(f"gate:{gate.id}:")  # replace, not add: a moved deadline leaves no old reminder behind
    if gate.deadline is None or gate.status != OPEN:
        return list(plan)
    due = deadline_at(gate.deadline, gate.deadline_time, tz)
    for offset, run_at in plan:
        # A reminder missed while the bot was down is still worth sending until the deadline, not after.
        grace = max(1, int((due - run_at).total_seconds()))
        sched.add(REMINDER_FUNC, reminder_job_id(gate.id, offset_key(offset)), run_at, (gate.id, offset_key(offset)),
                  misfire_grace_time=grace)
    sched.add(OVERDUE_FUNC, overdue_job_id(gate.id), overdue_at(gate.deadline, tz), (gate.id, gate.deadline.isoformat()),
              misfire_grace_time=int(OVERDUE_GRACE.total_seconds()))
    return list(plan)


async def unschedule_gate(services: Services, gate_id: int) -> int:
    """Remove a gate's jobs and cancel its reminders not yet sent; returns how many deliveries were cancelled."""
    if services.scheduler is not None:
        services.scheduler.remove_prefix(f"gate:{gate_id}:")
    return await services.outbox.cancel_group(reminder_group(gate_id))


async def _enqueue(services: Services, items: list[NewDelivery]) -> int:
    """Queue the deliveries (through the delivery service when wired, else straight to the outbox)."""
    if not items:
        return 0
    if services.delivery is not None:
        return await services.delivery.enqueue(items)
    return await services.outbox.enqueue(items)


async def leader_chats(services: Services, gate: Gate, project: ProjectInfo | None) -> list[str]:
    """Where the leaders hear about a gate: their personal chats, else the chat where the deadline was set."""
    people = [p for p in dict.fromkeys([gate.set_by, gate.decided_by, project.owner_id if project else ""]) if p]
    out: list[str] = []
    for person_id in people:
        chat = await services.conversations.personal_chat_of(person_id)
        if chat is not None and chat.active:
            out.append(chat.id)
    if not out and gate.set_in:
        out.append(gate.set_in)
    return list(dict.fromkeys(out))


# -- jobs -------------------------------------------------------------------------------------
async def send_reminder(gate_id: int, offset: str) -> int:
    """Post the reminder card in every involved faggruppe chat, if the deadline has not passed."""
    s = runtime.services()
    gate = await GateRepo(s.db).get(gate_id)
    if gate is None or gate.deadline is None or gate.status != OPEN:
        return 0
    if parse_offset_key(offset) not in gate.offsets:
        return 0  # a job left from an earlier set of offsets
    tz, now = s.settings.tz, s.clock.now()
    if now >= deadline_at(gate.deadline, gate.deadline_time, tz):
        log.info("gate reminder skipped: deadline passed", extra={"gate": gate_id, "offset": offset})
        return 0
    project = await s.projects.get(gate.project_id)
    if project is None:
        return 0
    status = None
    if s.input_status is not None:
        try:
            status = await s.input_status(gate.project_id)
        except Exception:
            log.warning("input status failed for gate reminder", exc_info=True)
    card = reminder_card(_t, project_id=project.id, project_name=project.name, bp=gate.bp, deadline=gate.deadline,
                         deadline_time=gate.deadline_time, left=left_text(_t, gate.deadline, now, tz),
                         documents=gate.documents or DECISION_POINTS[gate.bp].documents, status=status,
                         draft=has_draft(gate.bp))
    chats = await s.conversations.faggruppe_chats(list(gate.faggrupper))
    items = [NewDelivery(key=reminder_key(gate, offset, c.id), conversation_id=c.id, payload=message(card),
                         group_key=reminder_group(gate.id)) for c in chats]
    added = await _enqueue(s, items)
    log.info("gate reminder queued", extra={"gate": gate_id, "offset": offset, "chats": len(items), "new": added})
    return added


async def send_overdue(gate_id: int, deadline: str) -> int:
    """On the day after a missed deadline, tell the leader(s) unless a decision was recorded."""
    s = runtime.services()
    gate = await GateRepo(s.db).get(gate_id)
    if gate is None or gate.deadline is None or gate.status != OPEN or gate.deadline.isoformat() != deadline:
        return 0
    if s.clock.now() < deadline_at(gate.deadline, gate.deadline_time, s.settings.tz):
        return 0
    project = await s.projects.get(gate.project_id)
    if project is None:
        return 0
    card = overdue_card(_t, project_id=project.id, project_name=project.name, bp=gate.bp, deadline=gate.deadline,
                        deadline_time=gate.deadline_time)
    items = [NewDelivery(key=delivery_key("gate", gate.id, f"overdue@{deadline}", c), conversation_id=c,
                         payload=message(card), group_key=notice_group(gate.id))
             for c in await leader_chats(s, gate, project)]
    return await _enqueue(s, items)


async def on_reminder_delivery(row: OutboxRow, outcome: str, detail: str) -> None:
    """A reminder that can never arrive (403/404, bot removed): tell the leader(s) once per chat."""
    if outcome != "failed" or not (detail.startswith(("403", "404")) or detail == "inactive"):
        return
    s = runtime.services()
    try:
        gate_id = int(row.group_key.split(":")[1])
    except (IndexError, ValueError):
        return
    gate = await GateRepo(s.db).get(gate_id)
    project = await s.projects.get(gate.project_id) if gate else None
    if gate is None or project is None:
        return
    from cards.common import escape

    text = _t("gates.dead_chat", bp=bp_label(gate.bp), project=escape(project.name))
    payload = {"activity": {"type": "message", "text": text}}
    items = [NewDelivery(key=delivery_key("gate", gate.id, "dead", row.conversation_id, c), conversation_id=c,
                         payload=payload, group_key=notice_group(gate.id))
             for c in await leader_chats(s, gate, project) if c != row.conversation_id]
    await _enqueue(s, items)
