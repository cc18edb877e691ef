"""/api/tab/broadcasts: compose with a preview of the exact member card, save a draft, send or schedule, cancel, and the
delivery report per chat (and its CSV export). Leaders only, as in chat."""

from __future__ import annotations

import csv
import io
from typing import Any

from aiohttp import web

from bot.broadcasts.compose import SCHEDULED, cancel_scheduled, check_draft, save_draft, send_or_schedule
from bot.broadcasts.model import FormInput, State
from bot.broadcasts.service import broadcaster, member_tr, member_view, when
from bot.broadcasts.store import Broadcast
from bot.kernel.cardinput import optional_id, require_id
from bot.kernel.errors import NotFound
from bot.kernel.people import Person, require_leader
from bot.messages import t
from bot.needs.export import _csv_safe as csv_safe  # the register export's guard against spreadsheet formulas
from bot.services import Services
from bot.tab.web import api, json_body
from cards.broadcasts import MemberView, broadcast_card

RECENT = 20


def _form(body: dict[str, Any]) -> FormInput:
    """The broadcast form of a JSON body: only string fields, read by the same FormInput the chat form uses."""
    data = {k: v for k, v in body.items() if isinstance(v, str)}
    return FormInput.from_data(data)


def _state(services: Services, b: Broadcast, locale: str) -> str:
    """The broadcast's state as a sentence with its time (scheduled for, started or created)."""
    stamp = b.send_at if b.state == State.SCHEDULED and b.send_at else (b.started_at or b.created_at)
    return t(f"broadcasts.report.state.{b.state.value}", locale, time=when(lambda k, **p: t(k, locale, **p), stamp,
                                                                           services.settings.tz))


async def _get(services: Services, request: web.Request) -> Broadcast:
    """The broadcast named in the URL, or 404."""
    b = await broadcaster(services).repo.get(require_id(request.match_info, "broadcast_id"))
    if b is None:
        raise NotFound()
    return b


@api
async def listing(_request: web.Request, services: Services, person: Person, locale: str) -> web.Response:
    """GET /api/tab/broadcasts: the recent broadcasts with their figures, and the composer's choices."""
    require_leader(person)
    bc = broadcaster(services)
    items = []
    for b in await bc.repo.recent(RECENT):
        rep = await bc.compute(b)
        items.append({"id": b.id, "title": b.title, "state": b.state.value, "state_label": _state(services, b, locale),
                      "sent": rep.sent, "failed": rep.failed, "waiting": rep.waiting, "read": rep.read, "ack": b.ack})
    return web.json_response({
        "items": items,
        "faggrupper": await services.conversations.faggrupper(services.settings.faggrupper),
        "projects": [[p.id, p.name] for p in await services.projects.all()],
    })


@api
async def preview(request: web.Request, services: Services, person: Person, locale: str) -> web.Response:
    """POST /api/tab/broadcasts/preview: the validated draft's member card (as members will get it), nothing saved."""
    require_leader(person)
    form = _form(await json_body(request))
    draft, chats = await check_draft(services, form)
    view = MemberView(0, draft.title, draft.message, person.name, draft.link, draft.ack, draft.image)
    return web.json_response({"card": broadcast_card(member_tr(services), view), "chats": len(chats),
                              "groups": len({c.faggruppe for c in chats}),
                              "when": when(lambda k, **p: t(k, locale, **p), draft.send_at, services.settings.tz)
                              if draft.send_at else t("broadcasts.preview.now", locale)})


@api
async def save(request: web.Request, services: Services, person: Person, locale: str) -> web.Response:
    """POST /api/tab/broadcasts: save (or update) a draft; the report card goes to the leader's personal chat."""
    body = await json_body(request)
    personal = await services.conversations.personal_chat_of(person.id)
    b, _, chats = await save_draft(services, person, _form(body), broadcast_id=optional_id(body, "broadcast_id"),
                                   report_to=personal.id if personal and personal.active else "", locale=locale)
    return web.json_response({"id": b.id, "card": broadcast_card(member_tr(services), member_view(b)), "chats": len(chats),
                              "message": t("tab.broadcast.saved", locale)})


@api
async def send(request: web.Request, services: Services, person: Person, locale: str) -> web.Response:
    """POST /api/tab/broadcasts/{id}/send: send a draft now, or schedule it for its send time."""
    b = await _get(services, request)
    result = await send_or_schedule(services, person, b)
    message = t("broadcasts.sent.scheduled", locale, time=when(lambda k, **p: t(k, locale, **p), b.send_at,
                                                               services.settings.tz)) \
        if result == SCHEDULED and b.send_at else t("broadcasts.sent.started", locale)
    return web.json_response({"ok": True, "result": result, "message": message})


@api
async def cancel(request: web.Request, services: Services, person: Person, locale: str) -> web.Response:
    """POST /api/tab/broadcasts/{id}/cancel: cancel a scheduled broadcast."""
    await cancel_scheduled(services, person, await _get(services, request))
    return web.json_response({"ok": True, "message": t("broadcasts.sent.cancelled", locale)})


async def _report(services: Services, b: Broadcast, locale: str) -> dict[str, Any]:
    """The broadcast's report as JSON: totals, a line per faggruppe with its problems, and the members' card."""
    rep = await broadcaster(services).compute(b)
    return {
        "id": b.id, "title": b.title, "state": b.state.value, "state_label": _state(services, b, locale), "ack": b.ack,
        "totals": {"sent": rep.sent, "failed": rep.failed, "waiting": rep.waiting, "read": rep.read},
        "lines": [{"faggruppe": line.faggruppe, "sent": line.sent, "failed": line.failed, "waiting": line.waiting,
                   "read": line.read,
                   "problems": [{"chat": chat, "outcome": outcome, "reason": t(reason, locale)}
                                for chat, outcome, reason in line.problems]} for line in rep.lines],
        "card": broadcast_card(member_tr(services), member_view(b)),
    }


@api
async def report(request: web.Request, services: Services, person: Person, locale: str) -> web.Response:
    """GET /api/tab/broadcasts/{id}: the delivery report per faggruppe and chat (sent, failed with reason, read)."""
    require_leader(person)
    return web.json_response(await _report(services, await _get(services, request), locale))


@api
async def export(request: web.Request, services: Services, person: Person, locale: str) -> web.Response:
    """GET /api/tab/broadcasts/{id}/export: the delivery report as CSV (UTF-8 with BOM), downloaded with the token."""
    require_leader(person)
    b = await _get(services, request)
    data = await _report(services, b, locale)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([t(f"tab.broadcast.csv.{k}", locale) for k in ("faggruppe", "sent", "failed", "waiting", "read",
                                                                   "chat", "reason")])
    for line in data["lines"]:
        writer.writerow([csv_safe(line["faggruppe"]), line["sent"], line["failed"], line["waiting"], line["read"], "", ""])
        for p in line["problems"]:
            writer.writerow([csv_safe(line["faggruppe"]), "", "", "", "", csv_safe(p["chat"]), p["reason"]])
    return web.Response(body=("\ufeff" + out.getvalue()).encode(), headers={
        "Content-Type": "text/csv", "Content-Disposition": f'attachment; filename="kunngjoring-{b.id}.csv"'})


def install(app: web.Application) -> None:
    """Mount the broadcasts API."""
    app.router.add_get("/api/tab/broadcasts", listing)
    app.router.add_post("/api/tab/broadcasts", save)
    app.router.add_post("/api/tab/broadcasts/preview", preview)
    app.router.add_get("/api/tab/broadcasts/{broadcast_id}", report)
    app.router.add_get("/api/tab/broadcasts/{broadcast_id}/export", export)
    app.router.add_post("/api/tab/broadcasts/{broadcast_id}/send", send)
    app.router.add_post("/api/tab/broadcasts/{broadcast_id}/cancel", cancel)
