"""Phase gates: the timeline (`faser`), the current phase (`fase`), deadlines, decisions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.chat.routes import Router
from bot.chat.turn import Ctx, Reply
from bot.gates.booking import book, calendar_on, cancel_booking, spawn
from bot.gates.decisions import record_decision
from bot.gates.jobs import on_reminder_delivery, schedule_gate, unschedule_gate
from bot.gates.model import (
    APPROVED,
    DECISION_POINTS,
    DEFAULT_OFFSETS,
    PHASES,
    DeadlineForm,
    Gate,
    parse_deadline_form,
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
    repo = GateRepo(s.db)
    existing = await repo.at(project.id, bp)
    if existing and existing.status == APPROVED:
        return [Reply(text=ctx.t("gates.approved_locked", bp=bp_label(bp)))]
    groups = await s.conversations.faggrupper(s.settings.faggrupper)
    raw_values = {k: str(ctx.data.get(k) or "") for k in ("deadline", "deadline_time", "faggrupper", "documents",
                                                           "offsets")}
    chosen = decode_multi(raw_values["faggrupper"], groups)
    today = s.clock.now().astimezone(s.settings.tz).date()
    try:
        form = parse_deadline_form({**raw_values, "faggrupper": chosen}, today=today, faggrupper=groups)
    except InvalidInput as e:
        errors = ctx.field_errors(e)
        return [Reply(card=await _form(ctx, project, bp, raw_values, errors, existing), replace=True)]
    gate = await repo.set_deadline(
        project.id, bp, deadline=form.deadline, deadline_time=form.deadline_time, faggrupper=form.faggrupper,
        documents=form.documents, offsets=form.offsets, set_by=ctx.actor.id, set_in=ctx.conversation.id,
    )
    plan = schedule_gate(s, gate)
    await s.audit.record(ctx.actor.id, "gate.deadline.set", f"gate:{gate.id}", project_id=project.id, bp=bp,
                         deadline=form.deadline.isoformat(),
                         time=form.deadline_time.strftime("%H:%M") if form.deadline_time else "",
                         faggrupper=list(form.faggrupper), offsets_days=[o.days for o in form.offsets],
                         changed=existing is not None and existing.deadline is not None)
    spawn(s, book(s, gate, project))
    return [Reply(card=await _timeline(ctx, project, saved_bp=bp), replace=True),
            Reply(text=_saved_text(ctx, project, bp, form, plan))]


async def remove(ctx: Ctx) -> list[Reply]:
    """Remove a BP's deadline, its reminders and its calendar event (leaders)."""
    require_leader(ctx.actor)
    s = ctx.services
    project, bp = await _project(ctx), _bp(ctx)
    repo = GateRepo(s.db)
    gate = await repo.at(project.id, bp)
    if gate is None or gate.deadline is None:
        return [Reply(card=await _timeline(ctx, project), replace=True)]
    await repo.clear_deadline(gate.id)
    await unschedule_gate(s, gate.id)
    await s.audit.record(ctx.actor.id, "gate.deadline.remove", f"gate:{gate.id}", project_id=project.id, bp=bp,
                         deadline=gate.deadline.isoformat())
    spawn(s, cancel_booking(s, gate.id))
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
    project = await ctx.services.projects.get(require_id(ctx.data, "project_id"))
    if project is None:
        raise NotFound()
    return project


def _bp(ctx: Ctx) -> int:
    bp = require_id(ctx.data, "bp", lo=min(DECISION_POINTS), hi=max(DECISION_POINTS))
    if bp not in DECISION_POINTS:
        raise NotFound()
    return bp


async def _timeline(ctx: Ctx, project: ProjectInfo, saved_bp: int | None = None) -> dict[str, Any]:
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
    if gate is None or gate.deadline is None:
        groups = gate.faggrupper if gate and gate.faggrupper else project.faggrupper
        docs = gate.documents if gate and gate.documents else DECISION_POINTS[bp].documents
        return {"deadline": "", "deadline_time": "", "faggrupper": encode_multi(groups),
                "documents": "\n".join(docs), "offsets": ", ".join(str(o.days) for o in DEFAULT_OFFSETS)}
    return {
        "deadline": gate.deadline.isoformat(),
        "deadline_time": gate.deadline_time.strftime("%H:%M") if gate.deadline_time else "",
        "faggrupper": encode_multi(gate.faggrupper),
        "documents": "\n".join(gate.documents),
        "offsets": ", ".join(str(o.days) for o in gate.offsets),
    }


async def _form(ctx: Ctx, project: ProjectInfo, bp: int, values: dict[str, str], errors: dict[str, str],
                gate: Gate | None) -> dict[str, Any]:
    groups = await ctx.services.conversations.faggrupper(ctx.settings.faggrupper)
    return deadline_form(ctx.t, project_id=project.id, project_name=project.name, bp=bp, faggrupper=groups,
                         values=values, errors=errors, can_remove=bool(gate and gate.deadline))


def _saved_text(ctx: Ctx, project: ProjectInfo, bp: int, form: DeadlineForm, plan: list[tuple[timedelta, Any]]) -> str:
    """The answer to a saved deadline: its date and when the reminders go out."""
    when = format_date(ctx.t, form.deadline, form.deadline_time)
    if plan:
        times = ", ".join(moment(ctx.t, at, ctx.settings.tz, short=True) for _, at in plan)
        return ctx.t("gates.saved", bp=bp_label(bp), project=escape(project.name), date=when, offsets=times)
    return ctx.t("gates.saved_no_reminders", bp=bp_label(bp), project=escape(project.name), date=when)


async def _set_phase(ctx: Ctx, project: ProjectInfo, phase: str) -> str:
    await ctx.services.projects.set_phase(project.id, phase)
    await ctx.services.audit.record(ctx.actor.id, "project.phase", f"project:{project.id}", old=project.phase, new=phase)
    return ctx.t("gates.phase_set", project=escape(project.name), phase=ctx.t(f"gates.phase.{phase}"))
