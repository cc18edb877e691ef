"""Decisions at the decision points (BP): recording them, moving the project's phase, telling the faggrupper."""

from __future__ import annotations

from datetime import datetime

from bot.chat.turn import Ctx
from bot.delivery.keys import delivery_key
from bot.delivery.outbox import NewDelivery
from bot.gates.jobs import message, notice_group, unschedule_gate
from bot.gates.model import APPROVED, DECISION_POINTS, Gate, phase_index
from bot.gates.store import GateRepo
from bot.services import Services
from bot.storage.projects import ProjectInfo
from cards.common import escape
from cards.gates import announcement_card, bp_label


async def record_decision(ctx: Ctx, project: ProjectInfo, bp: int, decision: str, comment: str) -> str:
    """Record a leader's decision at a BP, move the project on when approved, tell the faggrupper; the answer text."""
    s = ctx.services
    repo = GateRepo(s.db)
    gate = await repo.at(project.id, bp)
    if gate is None:  # a decision without a deadline: the gate row holds it
        gate = await _empty_gate(s, project, bp, ctx)
    at = s.clock.now()
    if not await repo.decide(gate.id, decision, comment, ctx.actor.id, at):
        return ctx.t("gates.decided.already", bp=bp_label(bp), project=escape(project.name))
    cancelled = await unschedule_gate(s, gate.id)
    bp_def = DECISION_POINTS[bp]
    if decision == APPROVED and phase_index(project.phase) < phase_index(bp_def.enters):
        await s.projects.set_phase(project.id, bp_def.enters)
    await s.audit.record(ctx.actor.id, f"gate.decision.{decision}", f"gate:{gate.id}", project_id=project.id, bp=bp,
                         comment=comment[:500], phase_before=project.phase, cancelled_reminders=cancelled)
    await _announce(ctx, gate, project, decision, comment, at)
    if decision == APPROVED:
        return ctx.t("gates.decided.approved", bp=bp_label(bp), project=escape(project.name),
                     phase=ctx.t(f"gates.phase.{bp_def.enters}"))
    return ctx.t("gates.decided.postponed", bp=bp_label(bp), project=escape(project.name), comment=escape(comment))


async def _announce(ctx: Ctx, gate: Gate, project: ProjectInfo, decision: str, comment: str, at: datetime) -> None:
    """Post the decision in the gate's faggrupper's chats (not in the chat it was made in: the answer says it there)."""
    s = ctx.services
    bp_def = DECISION_POINTS[gate.bp]
    card = announcement_card(ctx.t, project_name=project.name, bp=gate.bp, decision=decision, phase=bp_def.enters,
                             comment=comment)
    chats = [c.id for c in await s.conversations.faggruppe_chats(list(gate.faggrupper))] if gate.faggrupper else []
    stamp = at.strftime("%Y%m%dT%H%M%S")
    items = [NewDelivery(key=delivery_key("gate", gate.id, "decision", stamp, cid), conversation_id=cid, payload=message(card),
                         group_key=notice_group(gate.id)) for cid in chats if cid != ctx.conversation.id]
    if items and s.delivery is not None:
        await s.delivery.enqueue(items)


async def _empty_gate(s: Services, project: ProjectInfo, bp: int, ctx: Ctx) -> Gate:
    """A gate row for a BP decided without a deadline."""
    repo = GateRepo(s.db)
    gate = await repo.set_deadline(project.id, bp, deadline=s.clock.now().astimezone(s.settings.tz).date(),
                                   deadline_time=None, faggrupper=project.faggrupper,
                                   documents=DECISION_POINTS[bp].documents, offsets=(), set_by=ctx.actor.id,
                                   set_in=ctx.conversation.id)
    await repo.clear_deadline(gate.id)
    return gate


