"""/api/tab/portfolio: projects with their phases and BP1–BP5, deadlines, readiness from the register; deadline edits."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.gates.deadlines import current_values, remove_deadline, save_deadline
from bot.gates.model import DECISION_POINTS, OVERDUE, PHASES, Gate, days_left, gate_status
from bot.gates.store import GateRepo
from bot.kernel.cardinput import require_id
from bot.kernel.errors import NotFound
from bot.kernel.people import Person
from bot.kernel.projects import ProjectInfo
from bot.kernel.status import InputStatus
from bot.messages import t
from bot.services import Services
from bot.tab.web import api, json_body


def _gate(bp: int, gate: Gate | None, services: Services, locale: str) -> dict[str, Any]:
    """One decision point of a project as JSON: status, deadline and days left."""
    now, tz = services.clock.now(), services.settings.tz
    status = gate_status(gate, now, tz)
    deadline = gate.deadline if gate else None
    return {
        "bp": bp, "label": f"BP{bp}", "title": t(f"gates.bp.{bp}", locale), "status": status,
        "status_label": t(f"gates.status.{status}", locale), "overdue": status == OVERDUE,
        "deadline": deadline.isoformat() if deadline else "",
        "deadline_time": gate.deadline_time.strftime("%H:%M") if gate and gate.deadline_time else "",
        "days_left": days_left(deadline, now, tz) if deadline else None,
        "documents": list(gate.documents if gate and gate.documents else DECISION_POINTS[bp].documents),
        "decision": gate.decision if gate else "",
    }


async def _readiness(services: Services, project_id: int) -> InputStatus:
    """How far the project's needs and benefits are (the input a gate decision needs)."""
    # The same port the gate reminder reads (bound by the needs feature at start-up).
    return await services.input_status(project_id) if services.input_status else InputStatus()


async def _project_json(services: Services, project: ProjectInfo, locale: str) -> dict[str, Any]:
    """One project's row of the portfolio: phase, its decision points and the next deadline."""
    gates = await GateRepo(services.db).for_project(project.id)
    ready = await _readiness(services, project.id)
    upcoming = [g for g in gates.values() if g.deadline and gate_status(g, services.clock.now(), services.settings.tz)
                not in ("approved", "postponed")]
    nxt = min(upcoming, key=lambda g: (g.deadline, g.deadline_time or 0), default=None)
    return {
        "id": project.id, "name": project.name, "phase": project.phase, "phase_label": t(f"gates.phase.{project.phase}", locale),
        "faggrupper": list(project.faggrupper),
        "gates": [_gate(bp, gates.get(bp), services, locale) for bp in DECISION_POINTS],
        "next": f"BP{nxt.bp}" if nxt else "",
        "input": {"total": ready.total, "needs": ready.needs, "benefits": ready.benefits, "missing": list(ready.missing),
                  "by_faggruppe": ready.by_faggruppe},
    }


@api
async def portfolio(_request: web.Request, services: Services, person: Person, locale: str) -> web.Response:
    """GET /api/tab/portfolio: every project's phases and gates (as `faser` shows them in chat)."""
    projects = [await _project_json(services, p, locale) for p in await services.projects.all()]
    return web.json_response({"projects": projects, "can_edit": person.is_leader,
                              "phases": [[p, t(f"gates.phase.{p}", locale)] for p in PHASES]})


async def _target(services: Services, request: web.Request) -> tuple[ProjectInfo, int]:
    """The project and decision point named in the URL (NotFound for an unknown project, BadValue for a bad number)."""
    project = await services.projects.get(require_id(request.match_info, "project_id"))
    bp = require_id(request.match_info, "bp", lo=min(DECISION_POINTS), hi=max(DECISION_POINTS))
    if project is None:
        raise NotFound()
    return project, bp


@api
async def set_deadline(request: web.Request, services: Services, person: Person, locale: str) -> web.Response:
    """PUT /api/tab/portfolio/{project_id}/{bp}: set a deadline as the chat form does (reminders, calendar, audit)."""
    project, bp = await _target(services, request)
    body = await json_body(request)
    values = current_values(project, bp, await GateRepo(services.db).at(project.id, bp))
    values.update({k: str(body[k]) for k in ("deadline", "deadline_time", "offsets", "documents") if k in body})
    saved = await save_deadline(services, person, project, bp, values)
    return web.json_response({"ok": True, "gate": _gate(bp, saved.gate, services, locale),
                              "reminders": [at.isoformat() for _, at in saved.plan],
                              "message": t("tab.deadline_saved", locale, bp=f"BP{bp}", project=project.name)})


@api
async def clear_deadline(request: web.Request, services: Services, person: Person, locale: str) -> web.Response:
    """DELETE /api/tab/portfolio/{project_id}/{bp}: remove a deadline (reminders unscheduled, event cancelled)."""
    project, bp = await _target(services, request)
    removed = await remove_deadline(services, person, project, bp)
    return web.json_response({"ok": True, "removed": removed is not None,
                              "message": t("tab.deadline_removed", locale, bp=f"BP{bp}", project=project.name)})


def install(app: web.Application) -> None:
    """Mount the portfolio API."""
    app.router.add_get("/api/tab/portfolio", portfolio)
    app.router.add_put("/api/tab/portfolio/{project_id}/{bp}", set_deadline)
    app.router.add_delete("/api/tab/portfolio/{project_id}/{bp}", clear_deadline)
