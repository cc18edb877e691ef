"""Phase gates: the timeline (`faser`), the current phase (`fase`), deadlines, decisions."""

from __future__ import annotations

import logging
from typing import Any

from bot.chat.routes import Router
from bot.chat.turn import Ctx, Reply
from bot.delivery.outbox import NewDelivery
from bot.gates.deadlines import FIELDS, calendar_on, current_values, remove_deadline, save_deadline
from bot.gates.jobs import (
    message,
    notice_group,
    on_reminder_delivery,
    unschedule_gate,
)
from bot.gates.model import (
    APPROVED,
    DECISION_POINTS,
    PHASES,
    Gate,
    parse_phase,
    phase_index,
    validate_decision,
)
from bot.gates.store import GateRepo
from bot.kernel.cardinput import require_id
from bot.kernel.choices import decode_multi, encode_multi
from bot.kernel.errors import InvalidInput, NotFound
from bot.kernel.people import require_leader
from bot.kernel.projects import ProjectInfo
from bot.services import Services
from cards.common import escape
from cards.gates import (
    announcement_card,
    bp_label,
    deadline_form,
    decision_form,
    format_date,
    project_chooser,
    timeline_card,
)
from cards.when import moment

log = logging.getLogger(__name__)
MAX_ATTENDEES = 500


def register(router: Router) -> None:
    """Register the gate commands and card verbs."""

    @router.on_startup
    async def listen(services: Services) -> None:
        listen_fn = getattr(services.delivery, "listen", None)
        if callable(listen_fn):
            listen_fn("gate:", on_reminder_delivery)

    @router.command("faser", "phases", help_key="help.cmd.faser", order=40)
    async def phases(ctx: Ctx) -> Reply:
        projects = await ctx.services.projects.all()
        if not projects:
            return Reply(text=ctx.t("gates.no_projects"))
        if ctx.args:
            project = await ctx.services.projects.find(ctx.args)
            if project is None:
                return Reply(text=ctx.t("gates.unknown_project", name=escape(ctx.args[:100])))
        elif len(projects) == 1:
            project = projects[0]
        else:
            return Reply(card=project_chooser(ctx.t, [(p.name, p.id) for p in projects]))
        return Reply(card=await _timeline(ctx, project))

    @router.command("fase", "phase", help_key="help.cmd.fase", leader=True, order=41)
    async def set_phase_cmd(ctx: Ctx) -> Reply:
        require_leader(ctx.actor)
        word, _, rest = ctx.args.partition(" ")
        phase = parse_phase(word) if word else None
        if phase is None or not rest.strip():
            return Reply(text=ctx.t("gates.phase_usage"))
        project = await ctx.services.projects.find(rest)
        if project is None:
            return Reply(text=ctx.t("gates.unknown_project", name=escape(rest[:100])))
        return Reply(text=await _set_phase(ctx, project, phase))

    @router.verb("gates.timeline")
    async def timeline(ctx: Ctx) -> Reply:
        project = await _project(ctx)
        return Reply(card=await _timeline(ctx, project), replace=True)

    @router.verb("gates.phase")
    async def set_phase_verb(ctx: Ctx) -> list[Reply]:
        require_leader(ctx.actor)
        project = await _project(ctx)
        phase = str(ctx.data.get("phase") or "")
        if phase not in PHASES:
            raise NotFound()
        done = await _set_phase(ctx, project, phase)
        project = await _project(ctx)
        return [Reply(card=await _timeline(ctx, project), replace=True), Reply(text=done)]

    @router.verb("gates.form")
    async def open_form(ctx: Ctx) -> Reply:
        require_leader(ctx.actor)
        project, bp = await _project(ctx), _bp(ctx)
        gate = await GateRepo(ctx.services.db).at(project.id, bp)
        if gate and gate.status == APPROVED:
            return Reply(text=ctx.t("gates.approved_locked", bp=bp_label(bp)))
        return Reply(card=await _form(ctx, project, bp, _form_values(project, bp, gate), {}, gate), replace=True)

    @router.verb("gates.save")
    async def save(ctx: Ctx) -> list[Reply]:
        require_leader(ctx.actor)
        s = ctx.services
        project, bp = await _project(ctx), _bp(ctx)
        repo = GateRepo(s.db)
        existing = await repo.at(project.id, bp)
        if existing and existing.status == APPROVED:
            return [Reply(text=ctx.t("gates.approved_locked", bp=bp_label(bp)))]
        groups = await s.conversations.faggrupper(s.settings.faggrupper)
        raw_values = {k: str(ctx.data.get(k) or "") for k in FIELDS}
        try:
            saved = await save_deadline(s, ctx.actor, project, bp,
                                        {**raw_values, "faggrupper": decode_multi(raw_values["faggrupper"], groups)},
                                        ctx.conversation.id)
        except InvalidInput as e:
            errors = ctx.field_errors(e)
            return [Reply(card=await _form(ctx, project, bp, raw_values, errors, existing), replace=True)]
        gate, plan = saved.gate, saved.plan
        when = format_date(ctx.t, gate.deadline, gate.deadline_time)
        if plan:
            times = ", ".join(moment(ctx.t, at, s.settings.tz, short=True) for _, at in plan)
            done = ctx.t("gates.saved", bp=bp_label(bp), project=escape(project.name), date=when, offsets=times)
        else:
            done = ctx.t("gates.saved_no_reminders", bp=bp_label(bp), project=escape(project.name), date=when)
        return [Reply(card=await _timeline(ctx, project), replace=True), Reply(text=done)]

    @router.verb("gates.remove")
    async def remove(ctx: Ctx) -> list[Reply]:
        require_leader(ctx.actor)
        s = ctx.services
        project, bp = await _project(ctx), _bp(ctx)
        if await remove_deadline(s, ctx.actor, project, bp) is None:
            return [Reply(card=await _timeline(ctx, project), replace=True)]
        done = ctx.t("gates.removed", bp=bp_label(bp), project=escape(project.name))
        return [Reply(card=await _timeline(ctx, project), replace=True), Reply(text=done)]

    @router.verb("gates.decision_form")
    async def open_decision(ctx: Ctx) -> Reply:
        require_leader(ctx.actor)
        project, bp = await _project(ctx), _bp(ctx)
        return Reply(card=decision_form(ctx.t, project_id=project.id, project_name=project.name, bp=bp, values={}),
                     replace=True)

    @router.verb("gates.decide")
    async def decide(ctx: Ctx) -> list[Reply]:
        require_leader(ctx.actor)
        project, bp = await _project(ctx), _bp(ctx)
        values = {"decision": str(ctx.data.get("decision") or ""), "comment": str(ctx.data.get("comment") or "")}
        try:
            decision, comment = validate_decision(values["decision"], values["comment"])
        except InvalidInput as e:
            errors = ctx.field_errors(e)
            return [Reply(card=decision_form(ctx.t, project_id=project.id, project_name=project.name, bp=bp,
                                             values=values, errors=errors), replace=True)]
        done = await _decide(ctx, project, bp, decision, comment)
        project = await _project(ctx)
        return [Reply(card=await _timeline(ctx, project), replace=True), Reply(text=done)]


# -- helpers ----------------------------------------------------------------------------------
async def _project(ctx: Ctx) -> ProjectInfo:
    project = await ctx.services.projects.get(require_id(ctx.data, "project_id"))
    if project is None:
        raise NotFound()
    return project


def _bp(ctx: Ctx) -> int:
    bp = require_id(ctx.data, "bp", lo=min(DECISION_POINTS), hi=max(DECISION_POINTS))
    if bp not in DECISION_POINTS:
        raise NotFound()
    return bp


async def _timeline(ctx: Ctx, project: ProjectInfo) -> dict[str, Any]:
    s = ctx.services
    gates = await GateRepo(s.db).for_project(project.id)
    states: dict[int, str] = {}
    if calendar_on(s):
        for bp, gate in gates.items():
            if gate.deadline is None:
                continue
            try:
                status = await s.bookings.status(f"gate:{gate.id}")
            except Exception:
                status = None
            if status is not None:
                states[bp] = status.state
    return timeline_card(ctx.t, project_id=project.id, project_name=project.name, phase=project.phase, gates=gates,
                         now=s.clock.now(), tz=s.settings.tz, is_leader=ctx.actor.is_leader,
                         calendar_on=calendar_on(s), calendar_states=states)


def _form_values(project: ProjectInfo, bp: int, gate: Gate | None) -> dict[str, str]:
    values = current_values(project, bp, gate)
    return {**values, "faggrupper": encode_multi(values["faggrupper"])}


async def _form(ctx: Ctx, project: ProjectInfo, bp: int, values: dict[str, str], errors: dict[str, str],
                gate: Gate | None) -> dict[str, Any]:
    groups = await ctx.services.conversations.faggrupper(ctx.settings.faggrupper)
    return deadline_form(ctx.t, project_id=project.id, project_name=project.name, bp=bp, faggrupper=groups,
                         values=values, errors=errors, can_remove=bool(gate and gate.deadline))


async def _set_phase(ctx: Ctx, project: ProjectInfo, phase: str) -> str:
    await ctx.services.projects.set_phase(project.id, phase)
    await ctx.services.audit.record(ctx.actor.id, "project.phase", f"project:{project.id}", old=project.phase, new=phase)
    return ctx.t("gates.phase_set", project=escape(project.name), phase=ctx.t(f"gates.phase.{phase}"))


async def _decide(ctx: Ctx, project: ProjectInfo, bp: int, decision: str, comment: str) -> str:
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
    card = announcement_card(ctx.t, project_name=project.name, bp=bp, decision=decision, phase=bp_def.enters,
                             comment=comment)
    chats = [c.id for c in await s.conversations.faggruppe_chats(list(gate.faggrupper))] if gate.faggrupper else []
    stamp = at.strftime("%Y%m%dT%H%M%S")
    items = [NewDelivery(key=f"gate:{gate.id}:decision:{stamp}:{cid}"[:300], conversation_id=cid, payload=message(card),
                         group_key=notice_group(gate.id)) for cid in chats if cid != ctx.conversation.id]
    if items and s.delivery is not None:
        await s.delivery.enqueue(items)
    if decision == APPROVED:
        return ctx.t("gates.decided.approved", bp=bp_label(bp), project=escape(project.name),
                     phase=ctx.t(f"gates.phase.{bp_def.enters}"))
    return ctx.t("gates.decided.postponed", bp=bp_label(bp), project=escape(project.name), comment=escape(comment))


async def _empty_gate(s: Services, project: ProjectInfo, bp: int, ctx: Ctx) -> Gate:
    """A gate row for a BP decided without a deadline."""
    repo = GateRepo(s.db)
    gate = await repo.set_deadline(project.id, bp, deadline=s.clock.now().astimezone(s.settings.tz).date(),
                                   deadline_time=None, faggrupper=project.faggrupper,
                                   documents=DECISION_POINTS[bp].documents, offsets=(), set_by=ctx.actor.id,
                                   set_in=ctx.conversation.id)
    await repo.clear_deadline(gate.id)
    return gate
