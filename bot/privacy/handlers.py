"""Personvern: `mine data`, `slett mine data`, and the leaders' audit log (`logg`)."""

from __future__ import annotations

from bot.chat.routes import Router
from bot.chat.turn import Ctx, Reply
from bot.kernel.people import require_leader
from bot.privacy.audit_text import sentences
from bot.privacy.pseudonyms import pseudonym, pseudonym_key
from bot.privacy.service import audit_xlsx, erase_user, export_user, to_json, to_xlsx
from bot.services import Services
from cards.privacy import audit_card, erase_card, export_card
from cards.when import moment

RETENTION_JOB = "privacy:retention"


async def my_data(ctx: Ctx) -> Reply:
    """`mine data`: everything stored about the asker, as JSON and Excel links sent privately."""
    data = await export_user(ctx.services, ctx.actor.id)
    s = ctx.services
    json_url, expires = await s.download_link(to_json(data), "mine-data.json", "application/json", ctx.actor.id)
    xlsx_url, _ = await s.download_link(
        to_xlsx(data), "mine-data.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ctx.actor.id
    )
    when = moment(ctx.private_t, expires, ctx.settings.tz)
    return Reply(card=export_card(ctx.private_t, json_url, xlsx_url, when), private=True)


async def erase_ask(ctx: Ctx) -> Reply:
    """`slett mine data`: the confirmation card (personal chat only)."""
    if ctx.is_group:
        return Reply(text=ctx.t("privacy.personal_only"))
    return Reply(card=erase_card(ctx.t))


async def erase_confirm(ctx: Ctx) -> Reply:
    """Erase the asker's data, let features re-render what they posted, and forget the cached person."""
    # Checked again here, not only when asking: the verb runs from whatever chat a copy of the card is pressed in.
    if ctx.is_group:
        return Reply(text=ctx.t("privacy.personal_only"))
    counts = await erase_user(ctx.services, ctx.actor.id)
    alias = pseudonym(ctx.actor.id, await pseudonym_key(ctx.services))
    for hook in ctx.services.after_erase:
        await hook(alias)
    ctx.services.forget_person(ctx.actor.id)
    # Recorded by "system" with no target: after erasure the audit log must not name the person (only pseudonyms).
    await ctx.services.audit.record("system", "privacy.erase", "", rows=sum(counts.values()))
    return Reply(text=ctx.t("privacy.erased", n=sum(counts.values())))


async def erase_cancel(ctx: Ctx) -> Reply:
    """The asker changed their mind."""
    return Reply(text=ctx.t("privacy.erase_cancelled"))


async def audit_log(ctx: Ctx) -> Reply:
    """`logg`: the latest audit entries as sentences (leaders)."""
    require_leader(ctx.actor)
    entries = await ctx.services.audit.recent(30)
    rows = await sentences(ctx.services, ctx.t, entries, ctx.settings.tz)
    return Reply(card=audit_card(ctx.t, rows, ctx.settings.tz))


async def audit_export(ctx: Ctx) -> Reply:
    """The whole audit log as a workbook link (leaders)."""
    require_leader(ctx.actor)
    content = await audit_xlsx(ctx.services)
    url, expires = await ctx.services.download_link(
        content, "revisjonslogg.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ctx.actor.id
    )
    await ctx.services.audit.record(ctx.actor.id, "audit.export")
    tr = ctx.private_t
    when = moment(tr, expires, ctx.settings.tz)
    return Reply(text=f"{tr('privacy.audit_export_ready')} [{tr('common.download')}]({url}) "
                      f"{tr('common.link_expires', time=when)}", private=True)


async def schedule_retention(services: Services) -> None:
    """Make the pseudonym key before any erasure and schedule the nightly retention sweep."""
    await pseudonym_key(services)  # made (or read) once, and earlier releases' pseudonyms re-keyed, before any erasure
    if services.scheduler is not None:
        services.scheduler.add_cron("privacy.retention", RETENTION_JOB, hour=3, minute=15)


def register(router: Router) -> None:
    """Register the privacy commands, verbs and the daily retention job."""
    router.command("mine data", "my data", help_key="help.cmd.mine_data", order=80)(my_data)
    router.command("slett mine data", "delete my data", help_key="help.cmd.slett_data", order=81)(erase_ask)
    router.verb("privacy.erase")(erase_confirm)
    router.verb("privacy.erase_cancel")(erase_cancel)
    router.command("logg", "log", help_key="help.cmd.logg", leader=True, order=85)(audit_log)
    router.verb("audit.export")(audit_export)
    router.on_startup(schedule_retention)

