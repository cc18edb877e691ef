"""The delivery engine under broadcasts: restart mid-broadcast, Teams' rate limits, scheduled sending and cancelling."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta

from bot.broadcasts.model import State
from bot.delivery.outbox import NewDelivery
from tests.broadcast_helpers import broadcast, compose, quick_chats
from tests.fakes.connector import card_of
from tests.harness import RunningBot, TeamsClient, find_action


def bid_of(card: dict) -> int:
    return int(find_action(card, verb="broadcast.send")["data"]["broadcast_id"])


def broadcast_cards(connector, conv_id: str, title: str) -> list[dict]:
    return [c for c in (card_of(a) for a in connector.sent(conv_id)) if c and title in json.dumps(c, ensure_ascii=False)]


async def wait_state(bot: RunningBot, bid: int, state: State, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        b = await broadcast(bot, bid)
        if b.state == state:
            return b
        await asyncio.sleep(0.05)
    raise AssertionError(f"broadcast {bid} is {b.state}, not {state}")


async def test_restart_mid_broadcast_sends_each_chat_once(teams: TeamsClient, bot, connector, leader, make_settings, clock):
    chats = await quick_chats(teams, bot, leader, {"Oppvekst": 40, "Ungdom": 40})
    convs = [c for group in chats.values() for c in group]
    personal = teams.personal(leader)
    preview = await compose(teams, personal, leader, title="Omstart")
    bid = bid_of(preview)
    connector.latency = 0.3
    await teams.press(personal, leader, preview, "Send")

    def delivered() -> int:
        return len({r.conversation_id for r in connector.records if r.op in ("send", "reply")
                    and (card_of(r.body) or {}).get("body", [{}])[0].get("text") == "Omstart"})

    await connector.wait_for(lambda: delivered() >= 10)
    await bot.stop()
    before = delivered()
    assert before < len(convs), "the broadcast finished before the restart"
    second = RunningBot(make_settings(), clock)
    await second.start()
    try:
        await connector.wait_for(lambda: delivered() == len(convs), timeout=30)
        b = await wait_state(second, bid, State.DONE)
        for conv in convs:
            assert len(broadcast_cards(connector, conv.id, "Omstart")) == 1, conv.name
        states = {r.state for r in await second.services.outbox.group(f"broadcast:{bid}")}
        assert states == {"sent"}

        def report() -> str:
            return json.dumps(card_of(connector.activities[(personal.id, b.report_activity_id)]), ensure_ascii=False)

        await connector.wait_for(lambda: "Levert 80 av 80" in report())
        assert "Ferdig" in report()
    finally:
        await second.stop()


async def test_client_side_limits_avoid_429(teams: TeamsClient, bot, connector, leader):
    connector.enforce_limits = True
    convs = (await quick_chats(teams, bot, leader, {"Oppvekst": 55}))["Oppvekst"]
    activity = {"type": "message", "text": "hei"}
    items = [NewDelivery(key=f"t:{c.id}", conversation_id=c.id, payload={"activity": activity}, group_key="t") for c in convs]
    # and a burst into one chat: 7/1 s and 8/2 s hold it back
    items += [NewDelivery(key=f"t:burst:{i}", conversation_id=convs[0].id, payload={"activity": activity}, group_key="t")
              for i in range(11)]
    await bot.services.delivery.enqueue(items)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        rows = await bot.services.outbox.group("t")
        if all(r.state == "sent" for r in rows):
            break
        await asyncio.sleep(0.1)
    assert all(r.state == "sent" for r in rows)
    assert connector.count_429 == 0
    assert len(connector.sent(convs[0].id)) == 12


async def test_scheduled_broadcast_is_sent_at_its_time_and_can_be_cancelled(teams: TeamsClient, bot, connector, leader):
    chat = (await quick_chats(teams, bot, leader, {"Oppvekst": 1}))["Oppvekst"][0]
    personal = teams.personal(leader)
    tz = bot.settings.tz
    at = (datetime.now(tz) + timedelta(minutes=10)).replace(second=0, microsecond=0)
    when = {"send_date": at.strftime("%Y-%m-%d"), "send_time": at.strftime("%H:%M")}
    preview = await compose(teams, personal, leader, title="Planlagt melding", **when)
    bid = bid_of(preview)
    assert f"{at.day}. " in json.dumps(preview, ensure_ascii=False)
    assert f"kl. {at:%H.%M}" in json.dumps(preview, ensure_ascii=False)
    res = await teams.press(personal, leader, preview, "Planlegg")
    assert "planlagt til" in json.dumps(res.card, ensure_ascii=False)
    sched = bot.services.scheduler
    job = f"broadcast:{bid}:send"
    assert sched.next_run(job) == at
    assert (await broadcast(bot, bid)).state == State.SCHEDULED
    # a second one, cancelled from the list before it goes
    other = await compose(teams, personal, leader, title="Avlyst melding", **when)
    other_id = bid_of(other)
    await teams.press(personal, leader, other, "Planlegg")
    listing = (await teams.send(personal, leader, "kunngjøringer")).card
    text = json.dumps(listing, ensure_ascii=False)
    assert "Avlyst melding" in text and "Planlagt til" in text
    res = await teams.press(personal, leader, listing, "Avbryt", broadcast_id=other_id)
    assert (await broadcast(bot, other_id)).state == State.CANCELLED
    assert sched.next_run(f"broadcast:{other_id}:send") is None
    assert "broadcast.cancel" in [a.action for a in await bot.services.audit.recent()]
    again = await teams.press(personal, leader, listing, "Avbryt", broadcast_id=other_id)
    assert "ikke planlagt lenger" in again.invoke_message
    assert broadcast_cards(connector, chat.id, "Planlagt melding") == []
    # the time comes (moved forward: the job store runs it as it would at `at`)
    sched._aps.modify_job(job, next_run_time=datetime.now(UTC))
    sched._aps.wakeup()
    await wait_state(bot, bid, State.DONE)
    assert len(broadcast_cards(connector, chat.id, "Planlagt melding")) == 1
    assert broadcast_cards(connector, chat.id, "Avlyst melding") == []
    # the list shows it with its report
    listing = (await teams.send(personal, leader, "kunngjøringer")).card
    assert "Ferdig" in json.dumps(listing, ensure_ascii=False)
    shown = await teams.press(personal, leader, listing, "Vis rapport", broadcast_id=bid)
    report = json.dumps(shown.card, ensure_ascii=False)
    assert "Leveringsrapport: Planlagt melding" in report and "Levert 1 av 1" in report
    # a sent broadcast cannot be cancelled
    refused = await teams.press(personal, leader, res.card, "Avbryt", broadcast_id=bid)
    assert "ikke planlagt lenger" in refused.invoke_message
