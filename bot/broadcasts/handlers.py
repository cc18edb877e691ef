"""Leader broadcasts: compose, preview, send or schedule, cancel, acknowledge, list and report."""

from __future__ import annotations

from bot.broadcasts.compose import SCHEDULED, cancel_scheduled, save_draft, send_or_schedule
from bot.broadcasts.export import CSV_TYPE, XLSX_TYPE, build_csv, build_xlsx, export_filename
from bot.broadcasts.model import Draft, FormInput, State, TargetMode
from bot.broadcasts.service import Broadcaster, broadcaster, chat_key, member_tr, member_view, when
from bot.broadcasts.store import Broadcast, BroadcastRepo
from bot.chat.routes import Router
from bot.chat.turn import Ctx, Reply
from bot.delivery.outbox import SENDING, SENT
from bot.kernel.cardinput import optional_id, require_id
from bot.kernel.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.kernel.people import require_leader
from bot.services import Services
from cards.broadcasts import broadcast_card, export_card, form_card, list_card, preview_card, settled_card
from cards.common import escape, launcher_card
from cards.when import moment


async def start(services: Services) -> None:
    """Bind the broadcaster to the delivery engine and resume what was being sent when the bot stopped."""
    engine = services.delivery
    b = Broadcaster(services, engine)  # type: ignore[arg-type]
    services.broadcaster = b
    engine.listen("broadcast:", b.on_delivery)  # type: ignore[union-attr]
    engine.on_stop(b.close)  # type: ignore[union-attr]
    await b.resume()


async def compose(ctx: Ctx) -> Reply:
    """`kunngjøring`: the broadcast form (leaders); in a group chat a card that opens it in the leader's own dialog."""
    require_leader(ctx.actor)
    if ctx.is_group:
        return Reply(card=launcher_card(ctx.t("broadcasts.dialog.line", name=ctx.actor.name or "?"),
                                        ctx.t("dialog.note"), ctx.t("dialog.open"), "broadcast.form"))
    return Reply(card=await _form(ctx))


async def open_form(ctx: Ctx) -> Reply:
    """`broadcast.form`: the form in the dialog of the leader who opened it."""
    require_leader(ctx.actor)
    return Reply(card=await _form(ctx), replace=True)


async def listing(ctx: Ctx) -> Reply:
    """`kunngjøringer`: the latest broadcasts with their state (leaders)."""
    require_leader(ctx.actor)
    return Reply(card=await _list(ctx))


async def preview(ctx: Ctx) -> Reply:
    """Check the form and save it as a draft with a preview (or show the form again with its errors)."""
    require_leader(ctx.actor)
    s = ctx.services
    form = FormInput.from_data(ctx.data)
    bid = _id(ctx, required=False)
    # The report goes to the leader's personal chat when there is one, not to a group chat.
    personal = await s.conversations.personal_chat_of(ctx.actor.id) if ctx.is_group else None
    report_to = personal.id if personal and personal.active else ctx.conversation.id
    try:
        b, draft, chats = await save_draft(s, ctx.actor, form, broadcast_id=bid, report_to=report_to, locale=ctx.locale)
    except InvalidInput as e:
        return Reply(card=await _form(ctx, form, ctx.field_errors(e), bid), replace=True)
    groups = len({c.faggruppe for c in chats})
    return Reply(card=preview_card(
        member_tr(ctx.services), member_view(b), targets=_targets_text(ctx, draft),
        chats=ctx.t("broadcasts.preview.chats", chats=ctx.t("broadcasts.count.chats", n=len(chats)),
                     groups=ctx.t("broadcasts.count.groups", n=groups)),
        when=when(ctx.t, draft.send_at, ctx.settings.tz) if draft.send_at else ctx.t("broadcasts.preview.now"),
        scheduled=draft.send_at is not None,
    ), replace=True)


async def edit(ctx: Ctx) -> Reply:
    """Back from the preview to the form."""
    require_leader(ctx.actor)
    b = await _get(ctx)
    if b.state != State.DRAFT:
        raise Conflict("broadcasts.error.not_draft")
    return Reply(card=await _form(ctx, _form_of(ctx, b), None, b.id), replace=True)


async def discard(ctx: Ctx) -> Reply:
    """Throw the draft away."""
    require_leader(ctx.actor)
    b = await _get(ctx)
    if not await _repo(ctx).transition(b.id, [State.DRAFT], State.CANCELLED):
        raise Conflict("broadcasts.error.not_draft")
    await ctx.services.audit.record(ctx.actor.id, "broadcast.discard", str(b.id))
    return Reply(card=settled_card(member_tr(ctx.services), member_view(b), ctx.t("broadcasts.sent.cancelled")), replace=True)


async def send(ctx: Ctx) -> list[Reply]:
    """Send the draft now, or schedule it for its time."""
    require_leader(ctx.actor)
    s = ctx.services
    b = await _get(ctx)
    if await send_or_schedule(s, ctx.actor, b) == SCHEDULED:
        assert b.send_at is not None
        note = ctx.t("broadcasts.sent.scheduled", time=when(ctx.t, b.send_at, ctx.settings.tz))
        return [Reply(card=settled_card(member_tr(ctx.services), member_view(b), note, cancel=True), replace=True)]
    return [Reply(card=settled_card(member_tr(ctx.services), member_view(b), ctx.t("broadcasts.sent.started")), replace=True)]


async def cancel(ctx: Ctx) -> list[Reply]:
    """Cancel a scheduled broadcast (from its card or the list)."""
    require_leader(ctx.actor)
    s = ctx.services
    b = await _get(ctx)
    await cancel_scheduled(s, ctx.actor, b)
    if ctx.data.get("source") == "list":
        return [Reply(card=await _list(ctx), replace=True)]
    return [Reply(card=settled_card(member_tr(ctx.services), member_view(b), ctx.t("broadcasts.sent.cancelled")), replace=True)]


async def report(ctx: Ctx) -> Reply:
    """Who has received and read the broadcast."""
    require_leader(ctx.actor)
    b = await _get(ctx)
    return Reply(card=await broadcaster(ctx.services).report(b, ctx.locale))


async def ack(ctx: Ctx) -> Reply:
    """A member marks the broadcast read, in a chat it went to."""
    b = await _get(ctx)
    if b.state not in (State.SENDING, State.DONE) or not b.ack:
        raise Conflict("broadcasts.error.not_sent")
    if not await _delivered_here(ctx, b):
        raise NotAllowed("broadcasts.error.ack_elsewhere")
    faggruppe = b.conversations[ctx.conversation.id][0]
    new = await _repo(ctx).acknowledge(b.id, ctx.actor.id, faggruppe, ctx.conversation.id)
    if new:
        broadcaster(ctx.services).poke(b.id)
    note = ctx.t("broadcasts.card.acked" if new else "broadcasts.card.already_acked")
    return Reply(card=broadcast_card(member_tr(ctx.services), member_view(b), note), replace=True)


async def export(ctx: Ctx) -> Reply:
    """The delivery report as XLSX and CSV, one row per chat, sent privately to the leader."""
    require_leader(ctx.actor)
    s = ctx.services
    b = await _get(ctx)
    rows = await broadcaster(s).chat_rows(b)
    now = s.clock.now()
    links = {}
    for ext, content, kind in (("xlsx", build_xlsx(rows, ctx.t), XLSX_TYPE), ("csv", build_csv(rows, ctx.t), CSV_TYPE)):
        links[ext], expires = await s.download_link(content, export_filename(b.title, now, ext), kind, ctx.actor.id)
    await s.audit.record(ctx.actor.id, "broadcast.export", str(b.id), chats=len(rows))
    shown = moment(ctx.private_t, expires, ctx.settings.tz)
    return Reply(card=export_card(ctx.private_t, b.title, links["xlsx"], links["csv"], shown), private=True)


def register(router: Router) -> None:
    """Register the broadcast commands, verbs and start-up."""
    router.on_startup(start)
    router.command("kunngjøring", "broadcast", help_key="broadcasts.help.cmd", leader=True, order=60)(compose)
    router.command("kunngjøringer", "broadcasts", help_key="broadcasts.help.list", leader=True, order=61)(listing)
    router.verb("broadcast.form")(open_form)
    router.verb("broadcast.preview")(preview)
    router.verb("broadcast.edit")(edit)
    router.verb("broadcast.discard")(discard)
    router.verb("broadcast.send")(send)
    router.verb("broadcast.cancel")(cancel)
    router.verb("broadcast.report")(report)
    router.verb("broadcast.export")(export)
    router.verb("broadcast.ack")(ack)


async def _delivered_here(ctx: Ctx, b: Broadcast) -> bool:
    """Only members of a chat the broadcast went to can mark it read (Teams vouches for who is in a chat): the chat
    must be one of its targets and its delivery must be on the wire or sent (the outbox keeps that 30 days; after
    that the target list alone decides)."""
    if ctx.conversation.id not in b.conversations:
        return False
    row = await ctx.services.outbox.get(chat_key(b, ctx.conversation.id))
    return row is None or row.state in (SENT, SENDING)


def _repo(ctx: Ctx) -> BroadcastRepo:
    """The broadcast repository."""
    return broadcaster(ctx.services).repo


def _id(ctx: Ctx, *, required: bool = True) -> int | None:
    """The broadcast id of the card data: required, or None when absent."""
    if required:
        return require_id(ctx.data, "broadcast_id")
    return optional_id(ctx.data, "broadcast_id")


async def _get(ctx: Ctx) -> Broadcast:
    """The broadcast of the card data, or NotFound."""
    b = await _repo(ctx).get(require_id(ctx.data, "broadcast_id"))
    if b is None:
        raise NotFound()
    return b



def _targets_text(ctx: Ctx, draft: Draft) -> str:
    """Who a draft goes to, as a line for the preview."""
    t = draft.targets
    if t.mode == TargetMode.ALL:
        return ctx.t("broadcasts.targets.all")
    if t.mode == TargetMode.PROJECT:
        return ctx.t("broadcasts.targets.project", name=escape(t.project_name))
    return escape(", ".join(t.names))


def _form_of(ctx: Ctx, b: Broadcast) -> FormInput:
    """A stored broadcast as form input, to edit it (send time in the organisation's time zone)."""
    local = b.send_at.astimezone(ctx.settings.tz) if b.send_at else None
    pid = b.targets.get("project_id")
    return FormInput(
        title=b.title, message=b.message, mode=str(b.targets.get("mode") or "all"),
        faggrupper=tuple(b.targets.get("names") or ()) if b.targets.get("mode") == "some" else (),
        project=str(pid) if pid else "", send_date=local.strftime("%Y-%m-%d") if local else "",
        send_time=local.strftime("%H:%M") if local else "", ack=b.ack, link=b.link, image=b.image,
    )


async def _form(ctx: Ctx, form: FormInput | None = None, errors: dict[str, str] | None = None,
                broadcast_id: int | None = None):
    """The broadcast form, with the faggrupper and projects to choose from."""
    s = ctx.services
    faggrupper = await s.conversations.faggrupper(ctx.settings.faggrupper)
    projects = [(p.id, p.name) for p in await s.projects.all()]
    return form_card(ctx.t, faggrupper, projects, form, errors, broadcast_id)


async def _list(ctx: Ctx):
    """The card listing the ten most recent broadcasts with their state and delivery counts."""
    bc = broadcaster(ctx.services)
    entries = []
    for b in await bc.repo.recent(10):
        rep = await bc.compute(b)
        total = rep.sent + rep.failed + rep.waiting
        stamp = b.send_at if b.state == State.SCHEDULED and b.send_at else (b.started_at or b.created_at)
        state = ctx.t(f"broadcasts.report.state.{b.state.value}", time=when(ctx.t, stamp, ctx.settings.tz))
        summary = ctx.t("broadcasts.list.summary", state=state, sent=rep.sent, total=total)
        entries.append((b.id, b.title, summary, b.state == State.SCHEDULED))
    return list_card(ctx.t, entries)
