"""Phase gates: the timeline (`faser`), the current phase (`fase`), deadlines, decisions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.chat.routes import Router
from bot.chat.turn import Ctx, Reply
from bot.gates.booking import calendar_on
from bot.gates.deadlines import FIELDS, current_values, remove_deadline, save_deadline
from bot.gates.decisions import record_decision
from bot.gates.jobs import on_reminder_delivery
from bot.gates.model import (
    APPROVED,
    DECISION_POINTS,
    PHASES,
    Gate,
    parse_phase,
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
    bp_label,
    deadline_form,
    decision_form,
    format_date,
    project_chooser,
    timeline_card,
)
from cards.when import moment


async def listen(services: Services) -> None:
    """Take the delivery engine's reports on gate reminders."""
    listen_fn = getattr(services.delivery, "listen", None)
    if callable(listen_fn):
        listen_fn("gate:", on_reminder_delivery)


async def phases(ctx: Ctx) -> Reply:
    """`faser [prosjekt]`: a project's timeline, or a chooser when there are several projects."""
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


async def set_phase_cmd(ctx: Ctx) -> Reply:
    """`fase <fase> <prosjekt>`: set a project's phase (leaders)."""
    require_leader(ctx.actor)
    word, _, rest = ctx.args.partition(" ")
    phase = parse_phase(word) if word else None
    if phase is None or not rest.strip():
        return Reply(text=ctx.t("gates.phase_usage"))
    project = await ctx.services.projects.find(rest)
    if project is None:
        return Reply(text=ctx.t("gates.unknown_project", name=escape(rest[:100])))
    return Reply(text=await _set_phase(ctx, project, phase))


async def timeline(ctx: Ctx) -> Reply:
    """The timeline of the project on the card."""
    project = await _project(ctx)
    return Reply(card=await _timeline(ctx, project), replace=True)


async def set_phase_verb(ctx: Ctx) -> list[Reply]:
    """Set the phase chosen on the timeline (leaders)."""
    require_leader(ctx.actor)
    project = await _project(ctx)
    phase = str(ctx.data.get("phase") or "")
    if phase not in PHASES:
        raise NotFound()
    done = await _set_phase(ctx, project, phase)
    project = await _project(ctx)
    return [Reply(card=await _timeline(ctx, project), replace=True), Reply(text=done)]


async def open_form(ctx: Ctx) -> Reply:
    """The deadline form of a BP (leaders); an approved BP is locked."""
    require_leader(ctx.actor)
    project, bp = await _project(ctx), _bp(ctx)
    gate = await GateRepo(ctx.services.db).at(project.id, bp)
    if gate and gate.status == APPROVED:
        return Reply(text=ctx.t("gates.approved_locked", bp=bp_label(bp)))
    return Reply(card=await _form(ctx, project, bp, _form_values(project, bp, gate), {}, gate), replace=True)


async def save(ctx: Ctx) -> list[Reply]:
    """Set or change a BP's deadline, schedule its reminders and book it in the calendar (leaders)."""
    require_leader(ctx.actor)
    s = ctx.services
    project, bp = await _project(ctx), _bp(ctx)
    existing = await GateRepo(s.db).at(project.id, bp)
    if existing and existing.status == APPROVED:
        return [Reply(text=ctx.t("gates.approved_locked", bp=bp_label(bp)))]
    groups = await s.conversations.faggrupper(s.settings.faggrupper)
    raw_values = {k: str(ctx.data.get(k) or "") for k in FIELDS}
    try:
        # The one path the leaders' tab takes too (bot.gates.deadlines): validation, reminders, audit, calendar.
        saved = await save_deadline(s, ctx.actor, project, bp,
                                    {**raw_values, "faggrupper": decode_multi(raw_values["faggrupper"], groups)},
                                    ctx.conversation.id)
    except InvalidInput as e:
        errors = ctx.field_errors(e)
        return [Reply(card=await _form(ctx, project, bp, raw_values, errors, existing), replace=True)]
    text = _saved_text(ctx, project, bp, saved.gate, saved.plan)
    return [Reply(card=await _timeline(ctx, project, saved_bp=bp), replace=True), Reply(text=text)]


async def remove(ctx: Ctx) -> list[Reply]:
    """Remove a BP's deadline, its reminders and its calendar event (leaders)."""
    require_leader(ctx.actor)
    project, bp = await _project(ctx), _bp(ctx)
    if await remove_deadline(ctx.services, ctx.actor, project, bp) is None:
        return [Reply(card=await _timeline(ctx, project), replace=True)]
    done = ctx.t("gates.removed", bp=bp_label(bp), project=escape(project.name))
    return [Reply(card=await _timeline(ctx, project), replace=True), Reply(text=done)]


async def open_decision(ctx: Ctx) -> Reply:
    """The decision form of a BP (leaders)."""
    require_leader(ctx.actor)
    project, bp = await _project(ctx), _bp(ctx)
    return Reply(card=decision_form(ctx.t, project_id=project.id, project_name=project.name, bp=bp, values={}),
                 replace=True)


async def decide(ctx: Ctx) -> list[Reply]:
    """Record the decision from the form (or show the form again with its errors)."""
    require_leader(ctx.actor)
    project, bp = await _project(ctx), _bp(ctx)
    values = {"decision": str(ctx.data.get("decision") or ""), "comment": str(ctx.data.get("comment") or "")}
    try:
        decision, comment = validate_decision(values["decision"], values["comment"])
    except InvalidInput as e:
        errors = ctx.field_errors(e)
        return [Reply(card=decision_form(ctx.t, project_id=project.id, project_name=project.name, bp=bp,
                                         values=values, errors=errors), replace=True)]
    done = await record_decision(ctx, project, bp, decision, comment)
    project = await _project(ctx)
    return [Reply(card=await _timeline(ctx, project), replace=True), Reply(text=done)]


def register(router: Router) -> None:
    """Register the gate commands and card verbs."""
    router.on_startup(listen)
    router.command("faser", "phases", help_key="help.cmd.faser", order=40)(phases)
    router.command("fase", "phase", help_key="help.cmd.fase", leader=True, order=41)(set_phase_cmd)
    router.verb("gates.timeline")(timeline)
    router.verb("gates.phase")(set_phase_verb)
    router.verb("gates.form")(open_form)
    router.verb("gates.save")(save)
    router.verb("gates.remove")(remove)
    router.verb("gates.decision_form")(open_decision)
    router.verb("gates.decide")(decide)


# -- helpers ----------------------------------------------------------------------------------
async def _project(ctx: Ctx) -> ProjectInfo:
    """The project of the card data, or NotFound."""
    project = await ctx.services.projects.get(require_id(ctx.data, "project_id"))
    if project is None:
        raise NotFound()
    return project


def _bp(ctx: Ctx) -> int:
    """The decision point of the card data, or NotFound for a number that is not one."""
    bp = require_id(ctx.data, "bp", lo=min(DECISION_POINTS), hi=max(DECISION_POINTS))
    if bp not in DECISION_POINTS:
        raise NotFound()
    return bp


async def _timeline(ctx: Ctx, project: ProjectInfo, saved_bp: int | None = None) -> dict[str, Any]:
    """The project's decision-point timeline card, with each deadline's meeting booking state when the calendar is on."""
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
                         calendar_on=calendar_on(s), calendar_states=states, saved_bp=saved_bp)


def _form_values(project: ProjectInfo, bp: int, gate: Gate | None) -> dict[str, str]:
    """The deadline form's values as the card shows them (faggrupper encoded for the multi-select)."""
    values = current_values(project, bp, gate)
    return {**values, "faggrupper": encode_multi(values["faggrupper"])}


async def _form(ctx: Ctx, project: ProjectInfo, bp: int, values: dict[str, str], errors: dict[str, str],
                gate: Gate | None) -> dict[str, Any]:
    """The deadline form of one decision point (with "remove" only when a deadline is set)."""
    groups = await ctx.services.conversations.faggrupper(ctx.settings.faggrupper)
    return deadline_form(ctx.t, project_id=project.id, project_name=project.name, bp=bp, faggrupper=groups,
                         values=values, errors=errors, can_remove=bool(gate and gate.deadline))


def _saved_text(ctx: Ctx, project: ProjectInfo, bp: int, gate: Gate, plan: list[tuple[timedelta, Any]]) -> str:
    """The answer to a saved deadline: its date and when the reminders go out."""
    assert gate.deadline is not None
    when = format_date(ctx.t, gate.deadline, gate.deadline_time)
    if plan:
        times = ", ".join(moment(ctx.t, at, ctx.settings.tz, short=True) for _, at in plan)
        return ctx.t("gates.saved", bp=bp_label(bp), project=escape(project.name), date=when, offsets=times)
    return ctx.t("gates.saved_no_reminders", bp=bp_label(bp), project=escape(project.name), date=when)


async def _set_phase(ctx: Ctx, project: ProjectInfo, phase: str) -> str:
    """Set the project's phase, audit it and say so."""
    await ctx.services.projects.set_phase(project.id, phase)
    await ctx.services.audit.record(ctx.actor.id, "project.phase", f"project:{project.id}", old=project.phase, new=phase)
    return ctx.t("gates.phase_set", project=escape(project.name), phase=ctx.t(f"gates.phase.{phase}"))
