"""Meeting polls: the form, posting the poll, votes, personal views, closing, the list, free/busy suggestions."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import partial
from typing import Any

from bot.calendar.freebusy import spread, suggest_slots
from bot.chat.routes import Router
from bot.chat.turn import Ctx, Reply
from bot.kernel.cardinput import clamped, optional_id, require_id
from bot.kernel.errors import InvalidInput, NotFound
from bot.polls.form import parse_form
from bot.polls.model import MAX_CUSTOM, MAX_SLOTS, MIN_CUSTOM, ensure_can_close, ensure_can_vote, voters
from bot.polls.service import ops
from bot.services import Services
from cards.common import launcher_card
from cards.poll_list import list_card
from cards.polls import created_card, form_card
from cards.when import moment


def _rows(data: dict[str, Any], default: int = 3) -> int:
    """The number of time rows the poll form shows, kept between 2 and MAX_SLOTS."""
    return clamped(data.get("rows") or default, 2, MAX_SLOTS, default)


def _form_values(data: dict[str, Any]) -> dict[str, Any]:
    """The form's inputs without the verb and row count, to fill the form in again."""
    return {k: v for k, v in data.items() if k not in ("verb", "rows")}


def _poll_id(data: dict[str, Any]) -> int:
    """The poll id of the card data (BadValue when it is missing or invalid)."""
    return require_id(data, "poll_id")


async def new_poll(ctx: Ctx) -> Reply:
    """`avstemning [tittel]`: a card opening the poll form in a dialog, so only its author sees it (group chats only)."""
    if not ctx.is_group:
        return Reply(text=ctx.t("polls.group_only"))
    return Reply(card=launcher_card(ctx.t("polls.dialog.line", name=ctx.actor.name or "?"), ctx.t("dialog.note"),
                                    ctx.t("dialog.open"), "poll.form", {"title": ctx.args[:200]}))


async def form(ctx: Ctx) -> Reply:
    """`poll.form`: the poll form, in the dialog of the one who opened it."""
    if not ctx.is_group:
        return Reply(text=ctx.t("polls.group_only"))
    title = str(ctx.data.get("title") or "")[:200]
    return Reply(card=form_card(ctx.t, {"title": title}, suggest=ctx.services.calendar is not None), replace=True)


async def list_polls(ctx: Ctx) -> Reply:
    """`avstemninger`: the open polls of this chat with their voter counts."""
    o = ops(ctx.services)
    polls = await o.repo.open_in(ctx.conversation.id)
    items = [(p, len(voters(await o.repo.votes(p.id)))) for p in polls]
    return Reply(card=list_card(ctx.t, items, ctx.settings.tz))


async def more_rows(ctx: Ctx) -> Reply:
    """More slot rows on the form, keeping what was typed."""
    return Reply(card=form_card(ctx.t, _form_values(ctx.data), rows=_rows(ctx.data),
                                suggest=ctx.services.calendar is not None), replace=True)


async def create(ctx: Ctx) -> Reply:
    """Post the poll from the form (or show the form again with its errors)."""
    if not ctx.is_group:
        return Reply(text=ctx.t("polls.group_only"))
    s = ctx.services
    values = _form_values(ctx.data)
    try:
        draft = parse_form(values, tz=ctx.settings.tz, now=s.clock.now())
    except InvalidInput as e:
        return Reply(card=form_card(ctx.t, values, ctx.field_errors(e), rows=_rows(ctx.data),
                                    suggest=s.calendar is not None), replace=True)
    o = ops(s)
    # A double click on "create" must not post the poll twice.
    for p in await o.repo.open_in(ctx.conversation.id):
        if (p.creator_id == ctx.actor.id and p.title == draft.title and tuple(x.start for x in p.slots) == draft.starts
                and p.created_at and s.clock.now() - p.created_at < timedelta(minutes=2)):
            return Reply(card=created_card(ctx.t, p.title), replace=True)
    poll = await o.repo.create(draft, conversation_id=ctx.conversation.id, creator_id=ctx.actor.id,
                               creator_name=ctx.actor.name, locale=ctx.locale, now=s.clock.now())
    # The posted card's id is stored so that later votes and closing update that message in place.
    activity_id = await ctx.send(Reply(card=await o.view(poll)))
    await o.repo.set_activity(poll.id, activity_id or "")
    o.schedule_jobs(poll)
    return Reply(card=created_card(ctx.t, poll.title), replace=True)


async def vote(ctx: Ctx) -> Reply:
    """Record a vote and answer with the voter's own view of the poll."""
    s = ctx.services
    o = ops(s)
    poll = await o.repo.get_in(_poll_id(ctx.data), ctx.conversation.id)
    slot_id, answer = require_id(ctx.data, "slot_id"), str(ctx.data.get("answer") or "")
    ensure_can_vote(poll, slot_id, answer, s.clock.now())
    await o.repo.vote(poll.id, slot_id, ctx.actor.id, answer, voter_name=ctx.actor.name,
                      voter_channel_id=ctx.actor.channel_user_id, now=s.clock.now())
    # The voter sees their own view at once (the invoke answer replaces the card for them only); the shared card
    # everyone sees is updated by the push, debounced so that a burst of votes stays within Teams' rate limits.
    o.schedule_push(poll.id, vote=True)
    return Reply(card=await o.view(poll, ctx.actor, ctx.locale), replace=True)


async def personal_view(ctx: Ctx) -> Reply:
    """`poll.refresh`: the actor's view; `poll.show`: a copy of the poll for the whole chat."""
    o = ops(ctx.services)
    poll = await o.repo.get_in(_poll_id(ctx.data), ctx.conversation.id)
    if ctx.verb == "poll.show":  # a copy for the whole chat: the generic card, no one's answers highlighted
        return Reply(card=await o.view(poll, None, ctx.locale))
    return Reply(card=await o.view(poll, ctx.actor, ctx.locale), replace=True)


async def close(ctx: Ctx) -> list[Reply]:
    """Close the poll, with or without a chosen slot."""
    s = ctx.services
    o = ops(s)
    poll = await o.repo.get_in(_poll_id(ctx.data), ctx.conversation.id)
    ensure_can_close(poll, ctx.actor)
    slot_id = optional_id(ctx.data, "slot_id")
    if slot_id is not None:
        poll.slot(slot_id)
    await o.close(poll, ctx.actor, slot_id)  # books in the background, after this invoke is answered
    fresh = await o.repo.get(poll.id)
    return [Reply(card=await o.view(fresh or poll, ctx.actor, ctx.locale), replace=True)]


async def ics_link(ctx: Ctx) -> list[Reply]:
    """A calendar-file link for the chosen slot of a closed poll."""
    o = ops(ctx.services)
    poll = await o.repo.get_in(_poll_id(ctx.data), ctx.conversation.id)
    if poll.chosen is None:
        raise NotFound("polls.not_found")
    url, expires = await o.ics_link(poll)
    local = expires.astimezone(ctx.settings.tz)
    from cards.common import escape

    text = ctx.t("polls.ics.link", title=escape(poll.title), url=url, time=moment(ctx.t, local, ctx.settings.tz))
    return [Reply(card=await o.view(poll, ctx.actor, ctx.locale), replace=True), Reply(text=text)]


async def suggest(ctx: Ctx) -> Reply:
    """Fill the slot rows from the members' free/busy (when a calendar is configured)."""
    s = ctx.services
    values = _form_values(ctx.data)
    if s.calendar is None:
        return Reply(card=form_card(ctx.t, values, rows=_rows(ctx.data)), replace=True)
    notice = await _fill_suggestions(s, ctx, values)
    return Reply(card=form_card(ctx.t, values, rows=_rows(ctx.data, MAX_SLOTS), suggest=True, notice=notice),
                 replace=True)


async def _repush_voted(services: Services, alias: str) -> None:
    """Cards already posted in Teams show voters' names: re-render the erased person's polls without them."""
    o = ops(services)
    for poll_id in await o.repo.polls_voted_by(alias):
        o.schedule_push(poll_id)


async def startup(services: Services) -> None:
    """Listen for poll deliveries, hook into erasure, and re-bind the open polls' jobs."""
    o = ops(services)
    o._listen()
    services.after_erase.append(partial(_repush_voted, services))
    if services.scheduler is not None:
        for poll in await o.repo.all_open():
            o.schedule_jobs(poll)


def register(router: Router) -> None:
    """Register the poll commands and verbs."""
    router.command("avstemning", "poll", help_key="polls.help.avstemning", order=10)(new_poll)
    router.command("avstemninger", "polls", help_key="polls.help.avstemninger", order=11)(list_polls)
    router.verb("poll.form")(form)
    router.verb("poll.form.more")(more_rows)
    router.verb("poll.create")(create)
    router.verb("poll.vote")(vote)
    router.verb("poll.refresh", "poll.show")(personal_view)
    router.verb("poll.close")(close)
    router.verb("poll.ics")(ics_link)
    router.verb("poll.suggest")(suggest)
    router.on_startup(startup)


async def _fill_suggestions(s: Services, ctx: Ctx, values: dict[str, Any]) -> str:
    """Fill the slot rows from free/busy (Graph getSchedule) of same-tenant members; returns the notice to show."""
    members = await ops(s).members(ctx.conversation.id)
    tenant = (ctx.conversation.tenant_id or "").lower()
    included = [m for m in members if m["upn"] and (not tenant or (m["tenant"] or tenant).lower() == tenant)]
    excluded = [m["name"] or m["upn"] or "?" for m in members if m not in included]
    duration = clamped(values.get("duration") or 60, MIN_CUSTOM, MAX_CUSTOM, 60)
    tz = ctx.settings.tz
    start = datetime.combine((s.clock.now().astimezone(tz) + timedelta(days=1)).date(), time(0), tz)
    end = start + timedelta(days=14)
    upns = list(dict.fromkeys(m["upn"] for m in included))
    try:
        schedule = await s.calendar.get_schedule(upns, start, end)  # type: ignore[union-attr]
    except Exception:
        return ctx.t("polls.suggest.failed")
    candidates = suggest_slots(schedule.busy, start, end, timedelta(minutes=duration), tz, ctx.settings.working_hours,
                               limit=10_000)
    for i, sug in enumerate(spread(candidates, 5)):
        local = sug.start.astimezone(tz)
        values[f"slot_date_{i}"], values[f"slot_time_{i}"] = local.date().isoformat(), f"{local:%H:%M}"
    names_by_upn = {m["upn"].lower(): m["name"] or m["upn"] for m in included}
    names = list(dict.fromkeys([*excluded, *(names_by_upn.get(p.lower(), p) for p in schedule.excluded)]))
    notice = ctx.t("polls.suggest.done")
    if names:
        notice += " " + ctx.t("polls.suggest.excluded", names=", ".join(names))
    return notice
