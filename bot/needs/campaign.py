"""The input round (`innspillsrunde`): the leaders' form and starting the round in the chosen faggrupper' chats."""

from __future__ import annotations

from datetime import datetime, time

from bot.chat.turn import Ctx, Reply
from bot.kernel.cardinput import hint_id
from bot.kernel.choices import decode_multi, encode_multi
from bot.kernel.people import require_leader
from bot.needs.forms import card_values, default_project
from bot.needs.service import format_deadline, start_campaign
from cards.needs_summary import campaign_form, campaign_started_card


async def campaign(ctx: Ctx) -> Reply:
    """`innspillsrunde`: the round form, with this chat's project and its faggrupper chosen (leaders)."""
    require_leader(ctx.actor)
    projects = await ctx.services.projects.all()
    if not projects:
        return Reply(text=ctx.t("needs.no_projects"))
    project = await default_project(ctx, projects)
    values = {"project_id": str(project.id) if project else "",
              "faggrupper": encode_multi(project.faggrupper) if project else ""}
    groups = await ctx.services.conversations.faggrupper(ctx.settings.faggrupper)
    return Reply(card=campaign_form(ctx.t, [(p.name, str(p.id)) for p in projects], groups, values=values, errors={}))


async def campaign_start(ctx: Ctx) -> list[Reply]:
    """Start the round from the form (or show the form again with its errors)."""
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
        form = campaign_form(ctx.t, [(p.name, str(p.id)) for p in projects], groups, values=card_values(ctx.data),
                             errors=errors)
        return [Reply(card=form, replace=True)]
    started, chats, without = await start_campaign(s, project, chosen, deadline, ctx.actor.id, ctx.conversation.id)
    await s.audit.record(ctx.actor.id, "needs.campaign.start", str(started.id), project=project.id,
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
