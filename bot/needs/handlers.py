"""Needs and benefits: `innspill`, `mine innspill`, `oversikt`, `eksport`, `innspillsrunde` and their card verbs."""

from __future__ import annotations

from functools import partial

from bot.chat.routes import Router
from bot.chat.turn import Ctx, Reply
from bot.kernel.cardinput import hint_id, optional_id, require_id
from bot.kernel.errors import NotFound
from bot.kernel.people import require_export
from bot.needs.campaign import campaign, campaign_start
from bot.needs.editing import edit_entry, entry_for_change, withdraw_entry
from bot.needs.export import CSV_TYPE, XLSX_TYPE, build_csv, build_xlsx, export_filename
from bot.needs.forms import card_values, default_project
from bot.needs.model import (
    BENEFIT,
    KINDS,
    NEED,
    WITHDRAWN,
    Entry,
    FieldErrors,
    form_values,
    summarize,
)
from bot.needs.service import (
    format_deadline,
    involved_faggrupper,
    needs_repo,
    project_input_status,
)
from bot.needs.validation import parse_content, parse_meta
from bot.services import Services
from bot.storage.projects import ProjectInfo
from cards.needs import choose_kind_card, confirmation_card, entry_form, my_entries_card, withdraw_ask_card
from cards.needs_summary import export_card, summary_card

KIND_WORDS = {"behov": NEED, "need": NEED, "gevinst": BENEFIT, "benefit": BENEFIT}


def _texts(ctx: Ctx, errors: FieldErrors) -> dict[str, str]:
    """Field errors (a key, or a key with parameters) as texts in the reply's language."""
    return {k: ctx.t(v) if isinstance(v, str) else ctx.t(v[0], **v[1]) for k, v in errors.items()}


async def _project_from_args(ctx: Ctx) -> ProjectInfo:
    """The project named after the command, or the chat's default project."""
    projects = await ctx.services.projects.all()
    if not projects:
        raise NotFound("needs.no_projects")
    if ctx.args:
        found = await ctx.services.projects.find(ctx.args)
        if found is None:
            raise NotFound("needs.project_unknown", name=ctx.args[:100])
        return found
    project = await default_project(ctx, projects)
    assert project is not None
    return project


async def _form(ctx: Ctx, kind: str, values: dict[str, str], errors: dict[str, str], entry_id: int | None = None) -> Reply:
    """The entry form filled with values and errors; the project's faggruppe stays offered even if it is no longer listed."""
    s = ctx.services
    projects = await s.projects.all()
    groups = await s.conversations.faggrupper(ctx.settings.faggrupper)
    if values.get("faggruppe") and values["faggruppe"] not in groups:
        groups = [*groups, values["faggruppe"]]
    card = entry_form(ctx.t, kind, values=values, errors=errors, projects=[(p.name, str(p.id)) for p in projects],
                      faggrupper=groups, municipalities=list(ctx.settings.municipalities), entry_id=entry_id)
    return Reply(card=card, replace=True)


async def _new_form(ctx: Ctx, kind: str, project_hint: object = None) -> Reply:
    """An empty form for a new entry, preset with the default project and the chat's faggruppe."""
    projects = await ctx.services.projects.all()
    if not projects:
        return Reply(text=ctx.t("needs.no_projects"))
    project = await default_project(ctx, projects, project_hint)
    values = {"project_id": str(project.id) if project else "", "faggruppe": ctx.conversation.faggruppe or ""}
    return await _form(ctx, kind, values, {})


async def _entry_for_change(ctx: Ctx) -> Entry:
    """The entry named in the card data, when the actor may change it (the rule the leaders' tab uses too)."""
    return await entry_for_change(ctx.services, require_id(ctx.data, "entry_id"), ctx.actor)


async def _project_name(s: Services, project_id: int) -> str:
    """A project's name ("?" if it has been deleted)."""
    p = await s.projects.get(project_id)
    return p.name if p else "?"


async def bind_input_status(services: Services) -> None:
    """Other features (gate reminders) ask services.input_status how far a project's input has come."""
    services.input_status = partial(project_input_status, services)


async def input_cmd(ctx: Ctx) -> Reply:
    """`innspill [behov|gevinst]`: the entry form of that kind, or a card to choose the kind."""
    kind = KIND_WORDS.get(ctx.args.strip().lower())
    if kind:
        return await _new_form(ctx, kind, ctx.data.get("project_id"))
    if not await ctx.services.projects.all():
        return Reply(text=ctx.t("needs.no_projects"))
    return Reply(card=choose_kind_card(ctx.t, project_id=hint_id(ctx.data.get("project_id"))))


async def form(ctx: Ctx) -> Reply:
    """The entry form of the kind chosen on the card."""
    kind = str(ctx.data.get("kind"))
    if kind not in KINDS:
        raise ValueError("unknown kind")
    return await _new_form(ctx, kind, ctx.data.get("project_id"))


async def save(ctx: Ctx) -> list[Reply]:
    """Save a new or edited entry (or show the form again with its errors)."""
    s = ctx.services
    repo = needs_repo(s)
    entry_id = optional_id(ctx.data, "entry_id")
    existing = await _entry_for_change(ctx) if entry_id else None
    if existing:
        return [await _save_edit(ctx, existing)]
    kind = str(ctx.data.get("kind"))
    if kind not in KINDS:
        raise ValueError("unknown kind")
    projects = await s.projects.all()
    groups = await s.conversations.faggrupper(ctx.settings.faggrupper)
    meta, meta_errors = parse_meta(ctx.data, [p.id for p in projects], groups)
    content, errors = parse_content(kind, ctx.data, ctx.settings.municipalities)
    if meta is None or content is None:
        return [await _form(ctx, kind, card_values(ctx.data), _texts(ctx, {**errors, **meta_errors}), entry_id)]
    now = s.clock.now()
    project_name = next(p.name for p in projects if p.id == meta.project_id)
    entry = await repo.create(kind, content, project_id=meta.project_id, faggruppe=meta.faggruppe,
                              submitter_id=ctx.actor.id, submitter_name=ctx.actor.name, now=now)
    return [Reply(card=confirmation_card(ctx.t, entry, project_name, lang=ctx.lang), replace=True)]


async def _save_edit(ctx: Ctx, existing: Entry) -> Reply:
    """Save an edited entry through the path the leaders' tab shares (or show the form again with its errors)."""
    done = await edit_entry(ctx.services, existing, ctx.actor, ctx.data)
    if done.entry is None:
        return await _form(ctx, existing.kind, card_values(ctx.data), _texts(ctx, done.errors), existing.id)
    n = len(done.changes)
    note = ctx.t("needs.saved.edited", n=n) if n else ctx.t("needs.saved.unchanged")
    return Reply(card=confirmation_card(ctx.t, done.entry, done.project_name, lang=ctx.lang, note=note), replace=True)


async def edit(ctx: Ctx) -> Reply:
    """The form pre-filled with an entry, for its submitter or a leader."""
    entry = await _entry_for_change(ctx)
    values = {**form_values(entry.content), "project_id": str(entry.project_id), "faggruppe": entry.faggruppe}
    return await _form(ctx, entry.kind, values, {}, entry.id)


async def withdraw(ctx: Ctx) -> Reply:
    """Withdraw an entry after asking once."""
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


async def mine(ctx: Ctx) -> Reply:
    """`mine innspill`: the asker's own entries."""
    entries = await needs_repo(ctx.services).by_submitter(ctx.actor.id)
    names = {p.id: p.name for p in await ctx.services.projects.all()}
    return Reply(card=my_entries_card(ctx.t, entries, names, lang=ctx.lang))


async def summary(ctx: Ctx) -> Reply:
    """`oversikt [prosjekt]`: counts, totals and missing faggrupper of a project."""
    project = await _project_from_args(ctx)
    entries = await needs_repo(ctx.services).by_project(project.id)
    result = summarize(entries, await involved_faggrupper(ctx.services, project))
    return Reply(card=summary_card(ctx.t, project.name, result, lang=ctx.lang))


async def export(ctx: Ctx) -> Reply:
    """`eksport [prosjekt]`: the entries as Excel and CSV links, sent privately (leaders and the secretariat)."""
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
    shown = format_deadline(s, expires, ctx.private_locale)
    # The links open every entry of the project: private, so asked in a group they go to the asker's personal chat.
    return Reply(card=export_card(ctx.private_t, project.name, xlsx_url, csv_url, shown, len(entries)), private=True)


def register(router: Router) -> None:
    """Register the needs/benefits commands, verbs and the input-status port."""
    router.on_startup(bind_input_status)
    router.command("innspill", "input", help_key="needs.help.innspill", order=20)(input_cmd)
    router.verb("needs.form")(form)
    router.verb("needs.save")(save)
    router.verb("needs.edit")(edit)
    router.verb("needs.withdraw")(withdraw)
    router.command("mine innspill", "my input", help_key="needs.help.mine", order=21)(mine)
    router.command("oversikt", "summary", help_key="needs.help.oversikt", order=22)(summary)
    router.command("eksport", "export", help_key="needs.help.eksport", order=23)(export)
    router.command("innspillsrunde", "input round", help_key="needs.help.innspillsrunde", leader=True, order=24)(campaign)
    router.verb("needs.campaign.start")(campaign_start)
