"""Connector faults on every outbound path: replies, card updates and proactive deliveries.

The user-visible result is a clear message or a pending state that resolves; nothing saved is lost; never a 500.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from bot.delivery.outbox import NewDelivery
from tests.harness import TeamsClient

INJECTED: Counter[str] = Counter()


def _fail(connector, path: str, status: int, **kw):
    INJECTED[f"{path} rules"] += 1
    return connector.fail(status, **kw)


@pytest.fixture(autouse=True)
def _count_hits(request):
    """Count the calls answered with an injected fault, per outbound path."""
    if "teams" not in request.fixturenames:
        yield
        return
    connector = request.getfixturevalue("connector")
    yield
    path = request.node.name.split("_")[1]
    INJECTED[f"{path} calls faulted"] += connector.fault_hits


@pytest.mark.parametrize("fault", [
    {"status": 500, "times": None},
    {"status": 503, "times": 1},
    {"status": 429, "times": None, "headers": {"Retry-After": "1"}},
    {"status": 502, "times": None, "drop": True},
    {"status": 200, "times": 1, "delay": 1.5},
])
async def test_reply_failure_keeps_registration_and_never_500(teams: TeamsClient, bot, leader, members, fault):
    conv = teams.group("Chat", [leader, *members])
    await teams.install(conv, leader)
    before = len(teams.connector.records)
    fault = dict(fault)  # the parameter is shared by both hosts' runs
    f = _fail(teams.connector, "reply", fault.pop("status"), conversation=conv.id, **fault)
    res = await teams.send(conv, leader, "registrer Oppvekst")
    assert res.status < 500, res.status
    assert (await bot.services.conversations.get(conv.id)).faggruppe == "Oppvekst"
    if f.times is None:
        teams.connector.faults.remove(f)
    # bounded: botbuilder's own retries plus one apology attempt, no loop
    attempts = len(teams.connector.records) - before
    assert attempts <= 8
    # the bot keeps working for this chat afterwards
    ok = await teams.send(conv, leader, "hjelp")
    assert ok.status in (200, 201) and ok.cards


async def test_card_update_failure_on_submit_keeps_the_change(teams: TeamsClient, bot, leader):
    """Action.Submit (message with value) replaces the card by PUT; a failing PUT loses nothing saved."""
    conv = teams.group("Chat", [leader])
    await teams.install(conv, leader)
    before = teams.connector.fault_hits
    _fail(teams.connector, "update", 500, conversation=conv.id, method="PUT", times=None)
    act = teams.activity(conv, leader, "message", value={"verb": "faggruppe.register", "faggruppe": "Oppvekst"},
                         replyToId="act-1")
    res = await teams.post(act)
    assert res.status < 500
    assert teams.connector.fault_hits > before
    assert (await bot.services.conversations.get(conv.id)).faggruppe == "Oppvekst"
    teams.connector.faults.clear()


async def test_invoke_with_failing_side_message_still_answers(teams: TeamsClient, bot, leader):
    """Action.Execute replies travel in the invoke response; a broken connector cannot make it a 500."""
    conv = teams.group("Chat", [leader])
    card = (await teams.send(conv, leader, "registrer")).card
    _fail(teams.connector, "invoke", 500, conversation=conv.id, times=None)
    res = await teams.press(conv, leader, card, verb="faggruppe.register", inputs={"faggruppe": "Kultur"})
    assert res.status == 200
    assert "Kultur" in str(res.card)  # the card answer arrives although the side message could not be sent
    assert (await bot.services.conversations.get(conv.id)).faggruppe == "Kultur"
    teams.connector.faults.clear()


@pytest.mark.parametrize("fault,outcome", [
    ({"status": 500, "times": 2}, "sent"),
    ({"status": 429, "times": 2, "headers": {"Retry-After": "0.2"}}, "sent"),
    ({"status": 502, "times": 1, "drop": True}, "sent"),
    ({"status": 504, "times": 1, "delay": 0.5}, "sent"),
    ({"status": 403, "times": 1}, "failed"),
    ({"status": 404, "times": 1, "code": "ConversationNotFound"}, "failed"),
])
async def test_outbox_delivery_faults_resolve(teams: TeamsClient, bot, leader, fault, outcome):
    conv = teams.group("Chat", [leader])
    await teams.install(conv, leader)
    fault = dict(fault)  # the parameter is shared by both hosts' runs
    _fail(teams.connector, "outbox", fault.pop("status"), conversation=conv.id, **fault)
    key = f"fault:{fault}:{outcome}"
    await bot.services.delivery.enqueue([NewDelivery(key=key, conversation_id=conv.id,
                                                     payload={"activity": {"type": "message", "text": "Påminnelse"}})])
    outbox = bot.services.outbox
    row = None
    for _ in range(200):
        row = await outbox.get(key)
        if row and row.state in ("sent", "failed"):
            break
        await asyncio.sleep(0.05)
    assert row is not None and row.state == outcome, row
    delivered = [a for a in teams.connector.sent(conv.id) if a.get("text") == "Påminnelse"]
    assert len(delivered) == (1 if outcome == "sent" else 0)
    stored = await bot.services.conversations.get(conv.id)
    assert stored.active == (outcome == "sent")


def test_zz_report_injected_faults():
    print(f"\nfaults injected per path: {dict(INJECTED)}")
