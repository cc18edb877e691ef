"""Needs and benefits: `innspill`, `mine innspill`, `oversikt`, `eksport`, `innspillsrunde` and their card verbs."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from bot.chat.routes import Router
from bot.chat.turn import Ctx, Reply
from bot.kernel.cardinput import hint_id, optional_id, require_id
from bot.kernel.choices import decode_multi, encode_multi
from bot.kernel.errors import NotFound
from bot.kernel.people import require_export, require_leader
from bot.kernel.projects import ProjectInfo
from bot.needs.editing import edit_entry, entry_for_change, withdraw_entry
from bot.needs.export import CSV_TYPE, XLSX_TYPE, build_csv, build_xlsx, export_filename
from bot.needs.model import (
    BENEFIT,
    KINDS,
    NEED,
    WITHDRAWN,
    Entry,
    FieldErrors,
    form_values,
    parse_content,
    parse_meta,
    summarize,
)
from bot.needs.service import (
    format_deadline,
    involved_faggrupper,
    needs_repo,
    project_input_status,
    start_campaign,
)
from bot.services import Services
from cards.needs import choose_kind_card, confirmation_card, entry_form, my_entries_card, withdraw_ask_card
from cards.needs_summary import campaign_form, campaign_started_card, export_card, summary_card

KIND_WORDS = {"behov": NEED, "need": NEED, "gevinst": BENEFIT, "benefit": BENEFIT}


def _values(data: dict[str, Any]) -> dict[str, str]:
    """Card data as strings, to show the form again with what was typed."""
    out: dict[str, str] = {}
    for k, v in data.items():
        if k in ("verb", "kind", "entry_id"):
            continue
        if isinstance(v, list):
            out[k] = ",".join(str(i) for i in v)
        elif isinstance(v, bool):
            out[k] = "true" if v else "false"
        elif v is not None:
            out[k] = str(v)[:8000]
    return out


def _texts(ctx: Ctx, errors: FieldErrors) -> dict[str, str]:
    return {k: ctx.t(v) if isinstance(v, str) else ctx.t(v[0], **v[1]) for k, v in errors.items()}


async def _default_project(ctx: Ctx, projects: list[ProjectInfo], wanted: object = None) -> ProjectInfo | None:
    """The project asked for, else the newest project of this chat's faggruppe, else the newest project."""
    by_id = {p.id: p for p in projects}
    if (pid := hint_id(wanted)) in by_id:
        return by_id[pid]  # type: ignore[index]
    fg = ctx.conversation.faggruppe
    return next((p for p in projects if fg and fg in p.faggrupper), projects[0] if projects else None)


async def _project_from_args(ctx: Ctx) -> ProjectInfo:
    projects = await ctx.services.projects.all()
    if not projects:
        raise NotFound("needs.no_projects")
    if ctx.args:
        found = await ctx.services.projects.find(ctx.args)
        if found is None:
            raise NotFound("needs.project_unknown", name=ctx.args[:100])
        return found
    project = await _default_project(ctx, projects)
    assert project is not None
    return project


async def _form(ctx: Ctx, kind: str, values: dict[str, str], errors: dict[str, str], entry_id: int | None = None) -> Reply:
    s = ctx.services
    projects = await s.projects.all()
    groups = await s.conversations.faggrupper(ctx.settings.faggrupper)
    if values.get("faggruppe") and values["faggruppe"] not in groups:
        groups = [*groups, values["faggruppe"]]
    card = entry_form(ctx.t, kind, values=values, errors=errors, projects=[(p.name, str(p.id)) for p in projects],
                      faggrupper=groups, municipalities=list(ctx.settings.municipalities), entry_id=entry_id)
    return Reply(card=card, replace=True)


async def _new_form(ctx: Ctx, kind: str, project_hint: object = None) -> Reply:
    projects = await ctx.services.projects.all()
    if not projects:
        return Reply(text=ctx.t("needs.no_projects"))
    project = await _default_project(ctx, projects, project_hint)
    values = {"project_id": str(project.id) if project else "", "faggruppe": ctx.conversation.faggruppe or ""}
    return await _form(ctx, kind, values, {})


async def _entry_for_change(ctx: Ctx) -> Entry:
    return await entry_for_change(ctx.services, require_id(ctx.data, "entry_id"), ctx.actor)


async def _project_name(s: Services, project_id: int) -> str:
    p = await s.projects.get(project_id)
    return p.name if p else "?"


def register(router: Router) -> None:
    """Register the needs/benefits commands, verbs and the input-status port."""

    @router.on_startup
    async def bind_input_status(services: Services) -> None:
        async def status(project_id: int):
            return await project_input_status(services, project_id)

        services.input_status = status

    @router.command("innspill", "input", help_key="needs.help.innspill", order=20)
    async def input_cmd(ctx: Ctx) -> Reply:
        kind = KIND_WORDS.get(ctx.args.strip().lower())
        if kind:
            return await _new_form(ctx, kind, ctx.data.get("project_id"))
        if not await ctx.services.projects.all():
            return Reply(text=ctx.t("needs.no_projects"))
        return Reply(card=choose_kind_card(ctx.t, project_id=hint_id(ctx.data.get("project_id"))))

    @router.verb("needs.form")
    async def form(ctx: Ctx) -> Reply:
        kind = str(ctx.data.get("kind"))
        if kind not in KINDS:
            raise ValueError("unknown kind")
        return await _new_form(ctx, kind, ctx.data.get("project_id"))

    @router.verb("needs.save")
    async def save(ctx: Ctx) -> list[Reply]:
        s = ctx.services
        repo = needs_repo(s)
        entry_id = optional_id(ctx.data, "entry_id")
        existing = await _entry_for_change(ctx) if entry_id else None
        if existing:
            done = await edit_entry(s, existing, ctx.actor, ctx.data)
            if done.entry is None:
                return [await _form(ctx, existing.kind, _values(ctx.data), _texts(ctx, done.errors), entry_id)]
            n = len(done.changes)
            note = ctx.t("needs.saved.edited", n=n) if n else ctx.t("needs.saved.unchanged")
            return [Reply(card=confirmation_card(ctx.t, done.entry, done.project_name, lang=ctx.lang, note=note), replace=True)]
        kind = str(ctx.data.get("kind"))
        if kind not in KINDS:
            raise ValueError("unknown kind")
        projects = await s.projects.all()
        groups = await s.conversations.faggrupper(ctx.settings.faggrupper)
        meta, meta_errors = parse_meta(ctx.data, [p.id for p in projects], groups)
        content, errors = parse_content(kind, ctx.data, ctx.settings.municipalities)
        if meta is None or content is None:
            return [await _form(ctx, kind, _values(ctx.data), _texts(ctx, {**errors, **meta_errors}), entry_id)]
        now = s.clock.now()
        project_name = next(p.name for p in projects if p.id == meta.project_id)
        entry = await repo.create(kind, content, project_id=meta.project_id, faggruppe=meta.faggruppe,
                                  submitter_id=ctx.actor.id, submitter_name=ctx.actor.name, now=now)
        return [Reply(card=confirmation_card(ctx.t, entry, project_name, lang=ctx.lang), replace=True)]

    @router.verb("needs.edit")
    async def edit(ctx: Ctx) -> Reply:
        entry = await _entry_for_change(ctx)
        values = {**form_values(entry.content), "project_id": str(entry.project_id), "faggruppe": entry.faggruppe}
        return await _form(ctx, entry.kind, values, {}, entry.id)

    @router.verb("needs.withdraw")
    async def withdraw(ctx: Ctx) -> Reply:
        # One verb, the step in data: a button on a card posted before the question existed has no step, so it asks.
        entry = await _entry_for_change(ctx)
        s = ctx.services
        step = ctx.data.get("step")
        if step != "confirm" or entry.status == WITHDRAWN:
            name = await _project_name(s, entry.project_id)
            if step == "cancel" or entry.status == WITHDRAWN:
                return Reply(card=confirmation_card(ctx.t, entry, name, lang=ctx.lang), replace=True)
            return Reply(card=withdraw_ask_card(ctx.t, entry, name, lang=ctx.lang), replace=True)
        done = await withdraw_entry(s, entry, ctx.actor)
        return Reply(card=confirmation_card(ctx.t, done, await _project_name(s, done.project_id), lang=ctx.lang), replace=True)

    @router.command("mine innspill", "my input", help_key="needs.help.mine", order=21)
    async def mine(ctx: Ctx) -> Reply:
        entries = await needs_repo(ctx.services).by_submitter(ctx.actor.id)
        names = {p.id: p.name for p in await ctx.services.projects.all()}
        return Reply(card=my_entries_card(ctx.t, entries, names, lang=ctx.lang))

    @router.command("oversikt", "summary", help_key="needs.help.oversikt", order=22)
    async def summary(ctx: Ctx) -> Reply:
        project = await _project_from_args(ctx)
        entries = await needs_repo(ctx.services).by_project(project.id)
        result = summarize(entries, await involved_faggrupper(ctx.services, project))
        return Reply(card=summary_card(ctx.t, project.name, result, lang=ctx.lang))

    @router.command("eksport", "export", help_key="needs.help.eksport", order=23)
    async def export(ctx: Ctx) -> Reply:
        require_export(ctx.actor)
        s = ctx.services
        project = await _project_from_args(ctx)
        entries = await needs_repo(s).by_project(project.id, include_withdrawn=True)
        result = summarize(entries, await involved_faggrupper(s, project))
        now = s.clock.now()
        xlsx = build_xlsx(project.name, entries, result, tz=ctx.settings.tz, now=now)
        csv_bytes = build_csv(project.name, entries, tz=ctx.settings.tz)
        xlsx_url, expires = await s.download_link(xlsx, export_filename(project.name, now, "xlsx"), XLSX_TYPE, ctx.actor.id)
        csv_url, _ = await s.download_link(csv_bytes, export_filename(project.name, now, "csv"), CSV_TYPE, ctx.actor.id)
        await s.audit.record(ctx.actor.id, "needs.export", str(project.id), entries=len(entries))
        shown = format_deadline(s, expires, ctx.locale)
        return Reply(card=export_card(ctx.t, project.name, xlsx_url, csv_url, shown, len(entries)), private=True)

    @router.command("innspillsrunde", "input round", help_key="needs.help.innspillsrunde", leader=True, order=24)
    async def campaign(ctx: Ctx) -> Reply:
        require_leader(ctx.actor)
        projects = await ctx.services.projects.all()
        if not projects:
            return Reply(text=ctx.t("needs.no_projects"))
        project = await _default_project(ctx, projects)
        values = {"project_id": str(project.id) if project else "",
                  "faggrupper": encode_multi(project.faggrupper) if project else ""}
        groups = await ctx.services.conversations.faggrupper(ctx.settings.faggrupper)
        return Reply(card=campaign_form(ctx.t, [(p.name, str(p.id)) for p in projects], groups, values=values, errors={}))

    @router.verb("needs.campaign.start")
    async def campaign_start(ctx: Ctx) -> list[Reply]:
        require_leader(ctx.actor)
        s = ctx.services
        projects = await s.projects.all()
        groups = await s.conversations.faggrupper(ctx.settings.faggrupper)
        errors: dict[str, str] = {}
        project = next((p for p in projects if p.id == hint_id(ctx.data.get("project_id"))), None)
        if project is None:
            errors["project_id"] = ctx.t("error.required" if not ctx.data.get("project_id") else "needs.error.choice")
        chosen = decode_multi(ctx.data.get("faggrupper"), groups)
        if not chosen:
            errors["faggrupper"] = ctx.t("error.required")
        elif any(c not in groups for c in chosen):
            errors["faggrupper"] = ctx.t("needs.error.choice")
        deadline = _deadline(ctx, errors)
        if errors or project is None or deadline is None:
            form = campaign_form(ctx.t, [(p.name, str(p.id)) for p in projects], groups, values=_values(ctx.data),
                                 errors=errors)
            return [Reply(card=form, replace=True)]
        campaign, chats, without = await start_campaign(s, project, chosen, deadline, ctx.actor.id, ctx.conversation.id)
        await s.audit.record(ctx.actor.id, "needs.campaign.start", str(campaign.id), project=project.id,
                             faggrupper=chosen, deadline=deadline.isoformat())
        card = campaign_started_card(ctx.t, project.name, format_deadline(s, deadline, ctx.locale), chats, chosen, without)
        return [Reply(card=card, replace=True)]


def _deadline(ctx: Ctx, errors: dict[str, str]) -> datetime | None:
    """The deadline from date + time inputs, in the bot's time zone; must be in the future."""
    raw_date = str(ctx.data.get("deadline_date") or "").strip()
    raw_time = str(ctx.data.get("deadline_time") or "").strip() or "12:00"
    if not raw_date:
        errors["deadline_date"] = ctx.t("error.required")
        return None
    try:
        day = datetime.fromisoformat(raw_date[:10]).date()
    except ValueError:
        errors["deadline_date"] = ctx.t("error.date")
        return None
    try:
        clock = time.fromisoformat(raw_time[:5])
    except ValueError:
        errors["deadline_time"] = ctx.t("error.time")
        return None
    local = datetime.combine(day, clock, tzinfo=ctx.settings.tz)
    if local <= ctx.services.clock.now():
        errors["deadline_date"] = ctx.t("needs.campaign.deadline_past")
        return None
    return local.astimezone(ctx.settings.tz)
