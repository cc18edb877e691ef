"""GET /metrics (loopback or bearer token), activity timing on /api/messages, and wiring the app's parts to its metrics."""

from __future__ import annotations

import hmac
import ipaddress
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass

from aiohttp import web

from bot.chat import telemetry
from bot.ops.metrics import ACTIVITY_KINDS, OTHER, Metrics

METRICS = web.AppKey("metrics", Metrics)
# A request relayed by a proxy on the same host arrives from loopback: these headers say it did, so it is not trusted.
PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP", "X-Forwarded-Host", "X-Forwarded-Proto")
# What generate_latest writes; every Prometheus version reads it (the client's "latest" name moves between releases).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
REJECTED = "rejected"  # activities refused before a turn (bad body, no or bad token)


@dataclass
class Labels:
    """The bounded label values: the router's verbs and command words (filled when the app starts)."""

    verbs: frozenset[str] = frozenset()
    words: frozenset[str] = frozenset()


LABELS = web.AppKey("metrics_labels", Labels)


def _loopback(remote: str | None) -> bool:
    """True when the peer address is a loopback address (IPv4-mapped included)."""
    try:
        ip = ipaddress.ip_address(remote or "")
    except ValueError:
        return False  # unix sockets and unknown peers
    mapped = getattr(ip, "ipv4_mapped", None)
    return bool((mapped or ip).is_loopback)


def access(remote: str | None, headers: Mapping[str, str], token: str, trust_loopback: bool) -> int:
    """200 to serve /metrics; 401 when a token is configured and not given; 404 (as if absent) otherwise.

    The token is compared in constant time. Loopback is trusted only for a direct connection: a proxy on the same
    host would make every outside request look local, so any forwarding header withdraws that trust.
    """
    if token:
        scheme, _, given = headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return 200
    if trust_loopback and _loopback(remote) and not any(h in headers for h in PROXY_HEADERS):
        return 200
    return 401 if token else 404


async def metrics_view(request: web.Request) -> web.Response:
    """GET /metrics: the Prometheus text format, database figures read now."""
    from bot.app import SERVICES, SETTINGS

    settings = request.app[SETTINGS]
    status = access(request.remote, request.headers, settings.metrics_token, settings.metrics_loopback)
    if status == 401:
        return web.Response(status=401, text="401: Unauthorized", headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    if status != 200:
        raise web.HTTPNotFound()
    metrics = request.app[METRICS]
    await metrics.collect(request.app.get(SERVICES))
    return web.Response(body=metrics.render(), headers={"Content-Type": CONTENT_TYPE, "Cache-Control": "no-store"})


def action_label(action: str, labels: Labels) -> str:
    """The command word or card verb of a turn, 'other' when the router does not know it, '' when there was none."""
    kind, _, name = action.partition(":")
    if kind == "verb":
        return name if name in labels.verbs else OTHER
    if kind == "cmd":
        return name if name in labels.words else OTHER
    return ""


def record(metrics: Metrics, labels: Labels, box: Mapping[str, str] | None, status: int, seconds: float) -> None:
    """Count one /api/messages request: its latency by kind and action, and a turn error if there was one."""
    box = box or {}
    kind = box.get("kind", "")
    if not kind:
        kind = REJECTED if status < 500 else OTHER
    elif kind not in ACTIVITY_KINDS:
        kind = OTHER
    outcome = box.get("outcome", "")
    action = OTHER if outcome == "unknown_verb" else action_label(box.get("action", ""), labels)
    metrics.activity(kind, action, seconds)
    if outcome in ("error", "reply_failed"):
        metrics.turn_error("unhandled" if outcome == "error" else "reply_failed")
    elif status >= 500:
        metrics.turn_error("http_5xx")


@web.middleware
async def timing(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                 ) -> web.StreamResponse:
    """Times /api/messages; the handler notes kind, action and outcome in the request's telemetry box."""
    if request.path != "/api/messages":
        return await handler(request)
    started = time.perf_counter()
    telemetry.begin()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        record(request.app[METRICS], request.app[LABELS], telemetry.current(), status, time.perf_counter() - started)


async def _wire(app: web.Application) -> AsyncIterator[None]:
    """After the app's resources exist: point the engine, scheduler and Graph at this app's metrics."""
    from bot.app import ROUTER, SERVICES

    metrics = app[METRICS]
    services = app.get(SERVICES)
    if services is not None:
        if services.scheduler is not None:
            services.scheduler.executor.observer = metrics
        if services.delivery is not None and hasattr(services.delivery, "observer"):
            services.delivery.observer = metrics
        if services.calendar is not None and hasattr(services.calendar, "observer"):
            services.calendar.observer = metrics  # type: ignore[attr-defined]
    router = app.get(ROUTER)
    if router is not None:
        labels = app[LABELS]
        labels.verbs = frozenset(router.verbs) | {"cmd"}
        labels.words = frozenset(c.word for c in router.commands)
    yield


def install(app: web.Application) -> Metrics:
    """Give the app its own metrics registry, the /metrics route and the timing middleware (after its resources)."""
    metrics = Metrics()
    app[METRICS] = metrics
    app[LABELS] = Labels()
    app.middlewares.append(timing)
    app.router.add_get("/metrics", metrics_view)
    app.cleanup_ctx.append(_wire)
    return metrics
