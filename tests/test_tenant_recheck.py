"""Proactive sends re-check ALLOWED_TENANTS: a chat stored while its tenant was allowed gets nothing once it is not."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from bot.broadcasts.model import reason_key
from bot.delivery.engine import TENANT_REFUSED, SendError
from bot.delivery.outbox import NewDelivery
from bot.messages import t
from tests.harness import TENANT, RunningBot, TeamsClient

OTHER = "99999999-8888-7777-6666-555555555555"


def notice(key: str, conversation_id: str, text: str) -> NewDelivery:
    return NewDelivery(key=key, conversation_id=conversation_id, group_key=f"test:{key}",
                       payload={"activity": {"type": "message", "text": text}})


async def settled(running: RunningBot, group_key: str, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        entries = await running.services.outbox.group_entries(group_key)
        if entries and all(e.state in ("sent", "failed") for e in entries):
            return entries
        await asyncio.sleep(0.05)
    raise AssertionError(f"{group_key} did not settle")


async def test_removed_tenant_gets_no_reminders_or_broadcasts(make_settings, connector, clock, members):
    user = members[0]
    first = RunningBot(make_settings(ALLOWED_TENANTS=TENANT), clock)
    await first.start()
    try:
        async with aiohttp.ClientSession() as http:
            conv = TeamsClient(http, first.url, connector).personal(user)
            await TeamsClient(http, first.url, connector).send(conv, user, "hjelp")  # stores the conversation
        await first.services.delivery.enqueue([notice("allowed", conv.id, "Første påminnelse")])
        (entry,) = await settled(first, "test:allowed")
        assert entry.state == "sent"  # the control: while the tenant is allowed, the same send arrives
    finally:
        await first.stop()

    # The operator removes the tenant; the stored conversation (and anything queued for it) stays in the database.
    second = RunningBot(make_settings(ALLOWED_TENANTS=OTHER), clock)
    await second.start()
    try:
        await second.services.delivery.enqueue([notice("removed", conv.id, "Andre påminnelse")])
        (entry,) = await settled(second, "test:removed")
        assert (entry.state, entry.last_error) == ("failed", TENANT_REFUSED)
        with pytest.raises(SendError) as refused:
            await second.services.delivery.send_now(conv.id, {"type": "message", "text": "Rapport"})
        assert refused.value.code == TENANT_REFUSED
        await asyncio.sleep(0.2)
        texts = [r.body.get("text") for r in connector.records if isinstance(r.body, dict)]
        assert "Første påminnelse" in texts and "Andre påminnelse" not in texts and "Rapport" not in texts
        stored = await second.services.conversations.get(conv.id)
        assert stored is not None and stored.active  # allowed again later, it works again
    finally:
        await second.stop()
    assert t(reason_key(TENANT_REFUSED)) == "Organisasjonen chatten hører til, er ikke lenger tillatt"
