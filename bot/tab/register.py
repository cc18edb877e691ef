"""/api/tab/register: the needs and benefits register as JSON (list, one entry, edit, withdraw, export, summary)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.kernel.cardinput import require_id
from bot.kernel.errors import InvalidInput, NotAllowed, NotFound
from bot.kernel.people import Person, require_export
from bot.messages import t
from bot.needs.editing import edit_entry, entry_for_change, withdraw_entry
from bot.needs.export import CSV_TYPE, XLSX_TYPE, build_csv, build_xlsx, export_filename
from bot.needs.model import ACTIVE, NEED, Benefit, Entry, Need, can_edit, form_values, summarize
from bot.needs.service import involved_faggrupper, needs_repo
from bot.services import Services
from bot.tab.fields import form_fields
from bot.tab.listing import STATUSES, may_see, page_of, parse_filters, sees_all, visible
from bot.tab.web import api, json_body


def _row(e: Entry, person: Person, projects: dict[int, str], locale: str, tz: Any) -> dict[str, Any]:
    """One register entry as a row of the tab's table."""
    content = e.content
    status = e.status if e.status != ACTIVE or not isinstance(content, Benefit) else content.status
    status_key = f"tab.status.{status}" if status in (ACTIVE, "withdrawn") else f"needs.bstatus.{status}"
    return {
        "id": e.id, "kind": e.kind, "kind_label": t(f"needs.kind.{e.kind}", locale), "title": e.title,
        "project_id": e.project_id, "project": projects.get(e.project_id, "?"), "faggruppe": e.faggruppe,
        "municipalities": list(e.municipalities), "status": status, "status_label": t(status_key, locale),
        "priority": t(f"needs.priority.{content.priority}", locale) if isinstance(content, Need) and content.priority else "",
        "estimate_nok": e.estimate_nok if e.kind != NEED else None, "submitter": e.submitter_name,
        "updated": e.updated_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if e.updated_at else "",
        "can_edit": can_edit(e, person) and e.status == ACTIVE,
    }


def _charts(entries: list[Entry], locale: str) -> dict[str, Any]:
    """The register's sums for the charts (by kind, faggruppe and municipality, and totals)."""
    s = summarize(entries, ())
    return {"by_kind": {t(f"needs.kind.{k}", locale): n for k, n in s.by_kind.items()},
            "by_faggruppe": s.by_faggruppe, "by_municipality": s.by_municipality,
            "total_nok": s.total_nok, "total_hours": s.total_hours}


async def _options(services: Services, locale: str) -> dict[str, Any]:
    """The choices of the register's filters."""
    projects = await services.projects.all()
    return {
        "projects": [[p.id, p.name] for p in projects],
        "faggrupper": await services.conversations.faggrupper(services.settings.faggrupper),
        "municipalities": list(services.settings.municipalities),
        "kinds": [[k, t(f"needs.kind.{k}", locale)] for k in ("need", "benefit")],
        "statuses": [[s, t(f"tab.status.{s}" if s in (ACTIVE, "withdrawn") else f"needs.bstatus.{s}", locale)]
                     for s in STATUSES],
    }


@api
async def list_entries(request: web.Request, services: Services, person: Person, locale: str) -> web.Response:
    """GET /api/tab/register: one page of the entries this person may see, the filter choices and chart data."""
    f = parse_filters(request.query)
    options = await _options(services, locale)
    names = {pid: name for pid, name in options["projects"]}
    page = page_of(visible(await needs_repo(services).all(), person), f, names)
    tz = services.settings.tz
    return web.json_response({
        "items": [_row(e, person, names, locale, tz) for e in page.items], "total": page.total, "page": page.page,
        "pages": page.pages, "sees_all": sees_all(person), "can_export": person.can_export, "options": options,
        "charts": _charts([e for e in page.matching if e.status == ACTIVE], locale),
    })


async def _visible_entry(services: Services, person: Person, request: web.Request) -> Entry:
    """The entry named in the URL if the person may see it (NotFound if it does not exist, else NotAllowed)."""
    entry = await needs_repo(services).get(require_id(request.match_info, "entry_id"))
    if entry is None:
        raise NotFound()
    if not may_see(entry, person):
        raise NotAllowed("tab.error.forbidden")
    return entry


@api
async def get_entry(request: web.Request, services: Services, person: Person, locale: str) -> web.Response:
    """GET /api/tab/register/{id}: an entry's values and its edit form (for those who may see it)."""
    entry = await _visible_entry(services, person, request)
    projects = [(p.id, p.name) for p in await services.projects.all()]
    groups = await services.conversations.faggrupper(services.settings.faggrupper)
    if entry.faggruppe not in groups:
        groups.append(entry.faggruppe)
    values = {**form_values(entry.content), "project_id": str(entry.project_id), "faggruppe": entry.faggruppe}
    tr = lambda k, **p: t(k, locale, **p)  # noqa: E731
    return web.json_response({
        "id": entry.id, "kind": entry.kind, "title": entry.title, "values": values,
        "can_edit": can_edit(entry, person) and entry.status == ACTIVE,
        "fields": form_fields(tr, entry.kind, projects, groups, list(services.settings.municipalities)),
    })


@api
async def patch_entry(request: web.Request, services: Services, person: Person, locale: str) -> web.Response:
    """PATCH /api/tab/register/{id}: change fields (the card form's rules and messages); 422 with field errors."""
    existing = await entry_for_change(services, require_id(request.match_info, "entry_id"), person)
    body = await json_body(request)
    values: dict[str, Any] = {**form_values(existing.content), "project_id": str(existing.project_id),
                              "faggruppe": existing.faggruppe}
    values.update({k: v for k, v in body.items() if k in values or k in ("municipalities",)})
    done = await edit_entry(services, existing, person, values)
    if done.entry is None:
        raise InvalidInput(dict(done.errors))
    n = len(done.changes)
    note = t("tab.saved", locale, changes=n) if n else t("tab.unchanged", locale)
    return web.json_response({"ok": True, "message": note, "changed": sorted(done.changes)})


@api
async def withdraw(request: web.Request, services: Services, person: Person, locale: str) -> web.Response:
    """POST /api/tab/register/{id}/withdraw: withdraw an entry (kept in the history)."""
    existing = await entry_for_change(services, require_id(request.match_info, "entry_id"), person)
    await withdraw_entry(services, existing, person)
    return web.json_response({"ok": True, "message": t("tab.withdrawn", locale)})


@api
async def export(request: web.Request, services: Services, person: Person, locale: str) -> web.Response:
    """GET /api/tab/register/export?project=&format=xlsx|csv: the chat export, downloaded with the token (no link)."""
    require_export(person)
    project = await services.projects.get(require_id(request.query, "project"))
    if project is None:
        raise NotFound()
    entries = await needs_repo(services).by_project(project.id, include_withdrawn=True)
    now = services.clock.now()
    if request.query.get("format") == "csv":
        content, ext, kind = build_csv(project.name, entries, tz=services.settings.tz), "csv", CSV_TYPE
    else:
        result = summarize(entries, await involved_faggrupper(services, project))
        content, ext, kind = build_xlsx(project.name, entries, result, tz=services.settings.tz, now=now), "xlsx", XLSX_TYPE
    await services.audit.record(person.id, "needs.export", str(project.id), entries=len(entries), via="tab")
    name = export_filename(project.name, now, ext).encode("ascii", "replace").decode().replace('"', "")
    return web.Response(body=content, headers={"Content-Type": kind, "Content-Disposition": f'attachment; filename="{name}"'})


def install(app: web.Application) -> None:
    """Mount the register API."""
    app.router.add_get("/api/tab/register", list_entries)
    app.router.add_get("/api/tab/register/export", export)
    app.router.add_get("/api/tab/register/{entry_id}", get_entry)
    app.router.add_patch("/api/tab/register/{entry_id}", patch_entry)
    app.router.add_post("/api/tab/register/{entry_id}/withdraw", withdraw)
