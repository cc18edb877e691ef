"""The aiohttp application: /, /api/messages, /healthz and downloads; resources in cleanup_ctx."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from bot import __version__, jsonbody
from bot.calendar.bookings import BookingService
from bot.calendar.factory import build_calendar
from bot.chat import telemetry
from bot.chat.host import BadActivity, Host
from bot.chat.routes import Router
from bot.config import Settings
from bot.configparse import from_loopback
from bot.delivery.engine import DeliveryEngine
from bot.delivery.leadership import gate_engine
from bot.delivery.ratelimit import TeamsLimits
from bot.features import build_router
from bot.hosts import build_host
from bot.kernel.clock import Clock, SystemClock
from bot.ops.lifecycle import install as install_shutdown
from bot.ops.metrics_http import install as install_metrics
from bot.scheduling import runtime
from bot.scheduling.scheduler import Scheduler
from bot.services import Services
from bot.storage.db import Database
from bot.tab.routes import install as install_tab
from bot.wiring import build_services

log = logging.getLogger("bot.http")

SETTINGS = web.AppKey("settings", Settings)
SERVICES = web.AppKey("services", Services)
HOST = web.AppKey("host", Host)
ROUTER = web.AppKey("router", Router)
ENGINE = web.AppKey("delivery", DeliveryEngine)
# Slow clients are cut off: the request line and headers must arrive within READ_TIMEOUT_S of connecting (or of the
# previous response on a kept-alive connection), the body within READ_TIMEOUT_S of the headers. Teams sends both in
# milliseconds; a client trickling bytes to hold connections open (slow-loris) is disconnected.
READ_TIMEOUT_S = 15.0


def _bad_request(reason: str) -> web.Response:
    return web.json_response({"error": "bad_request", "reason": reason}, status=400)


NEEDS_CONVERSATION = ("message", "invoke", "conversationUpdate", "installationUpdate")


def _addressable(payload: dict[str, Any]) -> bool:
    """Conversation id (ASCII), sender id and an http(s) serviceUrl of the sizes the registry stores: what a turn needs."""
    conv = payload.get("conversation")
    url = payload.get("serviceUrl")
    frm = payload.get("from")
    return (isinstance(conv, dict) and _short_str(conv.get("id"), 400)
            and conv["id"].isascii() and conv["id"].isprintable()  # replies carry it in a header (x-ms-conversation-id)
            and isinstance(url, str) and url.startswith(("https://", "http://")) and len(url) <= 400
            and isinstance(frm, dict) and _short_str(frm.get("id"), 200)
            and (frm.get("aadObjectId") in (None, "") or _short_str(frm.get("aadObjectId"), 64)))


def _short_str(value: Any, limit: int) -> bool:
    return isinstance(value, str) and bool(value.strip()) and len(value) <= limit


def conversation_hash(conversation_id: str) -> str:
    """A short stable hash of a conversation id for logs (ids are personal data)."""
    return hashlib.sha256(conversation_id.encode()).hexdigest()[:12]


async def messages(request: web.Request) -> web.StreamResponse:
    """POST /api/messages: validate the body, then hand it to the chat host."""
    started = time.perf_counter()
    box = telemetry.begin()
    try:
        async with asyncio.timeout(READ_TIMEOUT_S):
            body = await request.read()  # raises 413 beyond client_max_size
    except TimeoutError:
        slow = web.json_response({"error": "request_timeout"}, status=408)
        slow.force_close()
        return slow
    try:
        payload: Any = jsonbody.loads(body)
    except jsonbody.BadBody as exc:
        return _bad_request(exc.reason)
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str) or not payload["type"]:
        return _bad_request("body is not an activity")
    if "application/json" not in request.headers.get("Content-Type", ""):
        return web.json_response({"error": "unsupported_media_type"}, status=415)
    host = request.app[HOST]
    try:
        activity = host.parse(payload)
    except BadActivity:
        return _bad_request("activity fields have the wrong types")
    if payload["type"] in NEEDS_CONVERSATION and not _addressable(payload):
        return _bad_request("activity lacks conversation or serviceUrl")
    status = 500
    try:
        answer = await host.process(activity, request.headers.get("Authorization"))
        status = answer.status
        if answer.json:
            return web.json_response(answer.body, status=answer.status)
        return web.Response(status=answer.status)
    finally:
        log.info(
            "activity",
            extra={
                "activity_type": str(payload.get("type"))[:40],
                "conversation": conversation_hash(str((payload.get("conversation") or {}).get("id", "")))
                if isinstance(payload.get("conversation"), dict) else "",
                "latency_ms": round((time.perf_counter() - started) * 1000, 2),
                "status": status,
                "outcome": box.get("outcome", "ok"),
            },
        )


async def healthz(request: web.Request) -> web.Response:
    """GET /healthz: status only (ok/degraded, 200/503); details (database, scheduler, Graph, outbox, auth) on loopback."""
    services = request.app[SERVICES]
    db_ok = await services.db.ping()
    if not from_loopback(request):
        return web.json_response({"status": "ok" if db_ok else "degraded"}, status=200 if db_ok else 503,
                                 headers={"Cache-Control": "no-store"})
    sched = services.scheduler
    try:
        backlog = await services.outbox.backlog() if db_ok else None
    except Exception:
        backlog = None
    body = {
        "status": "ok" if db_ok else "degraded",
        "version": __version__,
        "database": {"reachable": db_ok, "dialect": services.db.dialect},
        "scheduler": {"running": bool(sched and sched.running), "leader": bool(sched and sched.is_leader)},
        "graph": services.calendar_status,
        "outbox_backlog": backlog,
        "auth": "jwt" if services.settings.auth_enabled else "off (local development)",
    }
    return web.json_response(body, status=200 if db_ok else 503, headers={"Cache-Control": "no-store"})


async def index(_request: web.Request) -> web.Response:
    """GET /: which bot answers here, its version and where to talk to it."""
    return web.json_response({"name": "faggruppe-bot", "version": __version__,
                              "messaging_endpoint": "/api/messages", "health": "/healthz"})


async def download(request: web.Request) -> web.Response:
    """GET /downloads/{token}: a short-lived file; 410 for used and expired links, 404 for unknown ones."""
    from bot.chat.private import link_page
    from bot.storage.downloads import LinkState

    services = request.app[SERVICES]
    opened = await services.downloads.open(request.match_info["token"], consume=request.method != "HEAD")
    if opened.file is None:
        status = 410 if opened.state == LinkState.GONE else 404
        return web.Response(status=status, text=link_page(opened.state), content_type="text/html", charset="utf-8",
                            headers={"Cache-Control": "no-store"})
    f = opened.file
    safe = f.filename.encode("ascii", "replace").decode().replace('"', "")
    return web.Response(
        body=f.content,
        headers={"Content-Type": f.content_type, "Content-Disposition": f'attachment; filename="{safe}"',
                 "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


def create_app(settings: Settings, *, clock: Clock | None = None) -> web.Application:
    """The application factory."""
    # keepalive_timeout also bounds the wait for a request's headers (aiohttp closes a connection still waiting for
    # a complete request when it fires); handler_args override what web.run_app passes.
    app = web.Application(client_max_size=settings.max_body_bytes, handler_args={"keepalive_timeout": READ_TIMEOUT_S})
    app[SETTINGS] = settings
    clock = clock or SystemClock()
    router = build_router()

    async def resources(app: web.Application) -> AsyncIterator[None]:
        if not settings.auth_enabled:
            log.warning("MICROSOFT_APP_ID is not set: accepting unauthenticated traffic (local development only)")
        db = Database(settings.database_url)
        await db.migrate()
        services = build_services(settings, db, clock)
        services.calendar, services.calendar_status = await build_calendar(settings)
        if services.calendar is None:
            log.info("Microsoft Graph is off", extra={"graph": services.calendar_status})
        services.bookings = BookingService(services)
        host = build_host(settings, services, router)
        engine = DeliveryEngine(host.sender, services, limits=TeamsLimits(settings.teams_app_rate_limit))
        services.delivery = engine
        services.messenger = host.messenger
        app[SERVICES], app[HOST], app[ROUTER], app[ENGINE] = services, host, router, engine
        runtime.bind(services)
        scheduler = None
        if settings.scheduler_enabled:
            scheduler = Scheduler(settings.database_url, settings.timezone, retry_seconds=settings.job_retry_seconds)
            services.scheduler = scheduler
        gate_engine(engine, settings.database_url, scheduler)  # on PostgreSQL only the scheduler's leader sends
        for hook in router.startup:
            await hook(services)
        if scheduler:
            await scheduler.start()
        engine.start()
        try:
            yield
        finally:
            # Shutdown order: in-flight sends finish (new claims stop), then the scheduler, then the database.
            await engine.stop()
            await host.close()
            log.info("delivery engine stopped")
            if scheduler:
                await scheduler.shutdown()
            log.info("scheduler stopped")
            closer = getattr(services.calendar, "close", None)
            if closer:
                await closer()
            runtime.bind(None)
            await db.close()
            log.info("database closed")

    app.cleanup_ctx.append(resources)
    app.router.add_get("/", index)
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/downloads/{token}", download)
    install_tab(app, SERVICES)  # the leaders' tab: /tab/ pages and /api/tab/ JSON
    install_metrics(app)  # /metrics, request timing, and the parts' counters (after `resources`)
    install_shutdown(app)  # SIGTERM: scheduler lock released at once, sends drained alongside the turns
    return app
