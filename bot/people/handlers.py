"""Help, registration of faggrupper, and leader management."""

from __future__ import annotations

import logging
from functools import partial

from bot.chat.routes import Router
from bot.chat.turn import Ctx, Reply
from bot.kernel.people import Role, configured_leader, require_leader
from bot.services import Services
from cards.core import help_card, register_card

log = logging.getLogger(__name__)
MAX_FAGGRUPPE_LEN = 120


async def help_(ctx: Ctx, *, router: Router) -> Reply:
    """`hjelp`: the commands the router knows, in help order, in the user's language."""
    entries = [
        (c.word, c.word if ctx.lang == "nb" else (c.names[1] if len(c.names) > 1 else c.word), ctx.t(c.help_key or ""),
         c.leader)
        for c in router.help_entries()
    ]
    return Reply(card=help_card(ctx.t, entries, is_leader=ctx.actor.is_leader))


async def register_cmd(ctx: Ctx) -> Reply:
    """`registrer [faggruppe]`: register this group chat as a faggruppe (form card without a name)."""
    require_leader(ctx.actor)
    if not ctx.is_group:
        return Reply(text=ctx.t("register.personal"))
    groups = await ctx.services.conversations.faggrupper(ctx.settings.faggrupper)
    if ctx.args:
        name = _canonical(ctx.args, groups)
        if len(name) > MAX_FAGGRUPPE_LEN:
            return Reply(text=ctx.t("register.too_long"))
        return Reply(text=await _register(ctx, name, groups))
    return Reply(card=register_card(ctx.t, groups, value=ctx.conversation.faggruppe or ""))


async def register_submit(ctx: Ctx) -> list[Reply]:
    """The registration form: an existing faggruppe or a new name."""
    require_leader(ctx.actor)
    if not ctx.is_group:
        return [Reply(text=ctx.t("register.personal"))]
    groups = await ctx.services.conversations.faggrupper(ctx.settings.faggrupper)
    chosen = str(ctx.data.get("faggruppe") or "").strip()
    new = str(ctx.data.get("new_faggruppe") or "").strip()
    name = _canonical(new or chosen, groups)
    error = None
    if not name:
        error = ctx.t("register.need_name")
    elif len(name) > MAX_FAGGRUPPE_LEN:
        error = ctx.t("register.too_long")
    if error:
        return [Reply(card=register_card(ctx.t, groups, value=chosen, new=new[:200], error=error), replace=True)]
    done = await _register(ctx, name, groups)
    return [Reply(card=register_card(ctx.t, groups, value=name), replace=True), Reply(text=done)]


async def leader_add(ctx: Ctx) -> Reply:
    """`leder legg til @navn`: make the mentioned people leaders."""
    return await _change_leader(ctx, Role.LEADER)


async def leader_remove(ctx: Ctx) -> Reply:
    """`leder fjern @navn`: make the mentioned people members again."""
    return await _change_leader(ctx, Role.MEMBER)


async def leader_usage(ctx: Ctx) -> Reply:
    """`leder` alone: how to use it."""
    require_leader(ctx.actor)
    return Reply(text=ctx.t("leader.usage"))


async def sync_leaders(services: Services) -> None:
    """BOT_LEADERS is the truth at every start: leaders it no longer lists lose the role (chat grants stay)."""
    for before, after in await services.people.sync_config(services.settings.leaders):
        await services.audit.record("system", "role.config", before.id, role=after.role.value,
                                    was=before.role.value)
    if not services.settings.leaders:
        log.warning("BOT_LEADERS is empty: only leaders granted in chat can lead")


def register(router: Router) -> None:
    """Register the core commands and verbs."""
    # Help lists the commands of the router it is registered in, so the router is bound to the handler here.
    router.command("hjelp", "help", "?", help_key="help.cmd.hjelp", order=0)(partial(help_, router=router))
    router.command("registrer", "register", help_key="help.cmd.registrer", leader=True, order=90)(register_cmd)
    router.verb("faggruppe.register")(register_submit)
    router.command("leder legg til", "leader add", help_key="help.cmd.leder", leader=True, order=95)(leader_add)
    router.command("leder fjern", "leader remove", leader=True)(leader_remove)
    router.command("leder", "leader", leader=True)(leader_usage)
    router.on_startup(sync_leaders)


def _canonical(name: str, groups: list[str]) -> str:
    """The configured spelling of a faggruppe name, or the name as typed."""
    clean = " ".join(name.split())
    for g in groups:
        if g.lower() == clean.lower():
            return g
    starts = [g for g in groups if g.lower().startswith(clean.lower())] if len(clean) >= 3 else []
    return starts[0] if len(starts) == 1 else clean


async def _register(ctx: Ctx, name: str, groups: list[str]) -> str:
    """Make the chat a faggruppe's chat, adding the faggruppe if it is new; audited."""
    s = ctx.services
    if name not in groups:
        await s.conversations.add_faggruppe(name, ctx.actor.id)
    await s.conversations.set_faggruppe(ctx.conversation.id, name)
    await s.audit.record(ctx.actor.id, "faggruppe.register", ctx.conversation.id, faggruppe=name)
    from cards.common import escape

    return ctx.t("register.done", name=escape(name))


async def _change_leader(ctx: Ctx, role: Role) -> Reply:
    """Give or take the leader role of the mentioned members (leaders only; never oneself or a BOT_LEADERS leader)."""
    require_leader(ctx.actor)
    targets = ctx.mentioned()
    if not targets:
        return Reply(text=ctx.t("leader.usage"))
    s = ctx.services
    names = []
    for channel_id, name in targets:
        person = await s.people.find(channel_id)
        if person is None:
            aad, upn = await _member_ids(ctx, channel_id)
            if not aad and not channel_id:
                return Reply(text=ctx.t("leader.unknown_person", name=name))
            person = await s.people.upsert(person_id=aad or channel_id, name=name, aad_object_id=aad,
                                           channel_user_id=channel_id, upn=upn)
        if role == Role.MEMBER and person.id == ctx.actor.id:
            return Reply(text=ctx.t("leader.not_self"))
        if role == Role.MEMBER and configured_leader([person.id, person.aad_object_id, person.upn], ctx.settings.leaders):
            return Reply(text=ctx.t("leader.configured", name=name))
        await s.people.set_role(person.id, role, granted_by=ctx.actor.id, at=s.clock.now())
        # The registry caches people with their roles (PERSON_CACHE): drop the entry so the change holds at once here.
        ctx.services.forget_person(person.id)
        await s.audit.record(ctx.actor.id, "role.change", person.id, role=role.value)
        names.append(name or person.name)
    key = "leader.added" if role == Role.LEADER else "leader.removed"
    from cards.common import escape

    return Reply(text="\n\n".join(ctx.t(key, name=escape(n)) for n in names))


async def _member_ids(ctx: Ctx, channel_id: str) -> tuple[str, str]:
    """AAD object id and UPN of a conversation member, from the connector."""
    member = await ctx.messenger.member(channel_id)
    return (member.aad_object_id, member.upn) if member else ("", "")
