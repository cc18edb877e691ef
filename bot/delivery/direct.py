"""One message sent at once, outside the outbox but within the same rate limits (answers to a pressed button, say)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from bot.delivery.send_errors import SendError, classify

if TYPE_CHECKING:
    from bot.delivery.engine import DeliveryEngine

TENANT_REFUSED = "tenant_not_allowed"  # the failure reason of a delivery to a tenant not in ALLOWED_TENANTS


async def send_direct(engine: DeliveryEngine, conversation_id: str, activity: dict[str, Any],
                      update_activity_id: str | None = None) -> str:
    """Send (or update) one message now through the engine's sender and limiter; raises SendError."""
    services = engine.services
    conv = await services.conversations.get(conversation_id)
    if conv is None or not conv.active:
        raise SendError(404, "conversation inactive", code="inactive")
    if not services.settings.tenant_allowed(conv.tenant_id):
        raise SendError(403, "tenant not allowed", code=TENANT_REFUSED)
    permit, _ = await engine.limits.permit(conversation_id)
    payload: dict[str, Any] = {"activity": activity}
    if update_activity_id:
        payload["update_activity_id"] = update_activity_id
    try:
        return await asyncio.wait_for(engine._send(conv.reference, payload), engine.send_timeout)
    except Exception as exc:
        err = classify(exc)
        if err.status == 429:
            engine.observer.throttle("connector")
        raise err from exc
    finally:
        if permit:
            permit.done()
