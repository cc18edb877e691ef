"""PostgreSQL: two delivery engines on one database never send a delivery twice; broadcast tables work."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import timedelta

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from bot.broadcasts.model import Draft, State, TargetMode, Targets
from bot.broadcasts.store import BroadcastRepo
from bot.config import load_settings
from bot.delivery.engine import DeliveryEngine
from bot.delivery.outbox import NewDelivery, OutboxRepo
from bot.hosts.botbuilder.adapter import build_adapter
from bot.hosts.botbuilder.messenger import BotbuilderMessenger
from bot.kernel.clock import ShiftedClock
from bot.storage.db import Database
from bot.wiring import build_services
from tests.fakes.connector import FakeConnector
from tests.harness import TeamsClient, make_user


async def test_two_engines_claim_each_delivery_once(pg_url, connector: FakeConnector):
    settings = load_settings({"DATABASE_URL": pg_url})
    clock = ShiftedClock()
    dbs = [Database(settings.database_url), Database(settings.database_url)]
    await dbs[0].migrate()
    services = [build_services(settings, db, clock) for db in dbs]
    leader = make_user("Lise Leder")
    teams = TeamsClient(None, "", connector)  # type: ignore[arg-type]
    convs = []
    for i in range(40):
        conv = teams.group(f"Chat {i}")
        ref = TurnContext.get_conversation_reference(Activity().deserialize(teams.activity(conv, leader))).serialize()
        await services[0].conversations.touch(conversation_id=conv.id, kind="groupChat", tenant_id=leader.tenant,
                                              team_id="", service_url=connector.url, reference=ref, installed=True)
        convs.append(conv)
    engines = [DeliveryEngine(BotbuilderMessenger(build_adapter(settings), s.conversations, ""), s, concurrency=8)
               for s in services]
    per_engine: Counter[int] = Counter()
    for i, (s, e) in enumerate(zip(services, engines, strict=True)):
        s.delivery = e

        async def count(row, outcome, detail, i=i):
            per_engine[i] += outcome == "sent"

        e.listen("pg", count)
    connector.latency = 0.05
    items = [NewDelivery(key=f"pg:{c.id}:{n}", conversation_id=c.id, payload={"activity": {"type": "message", "text": f"{n}"}},
                         group_key="pg") for c in convs for n in range(2)]
    assert await services[0].outbox.enqueue(items) == 80
    for e in engines:
        e.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            rows = await services[0].outbox.group("pg")
            if all(r.state == "sent" for r in rows):
                break
            await asyncio.sleep(0.1)
        assert all(r.state == "sent" for r in rows)
    finally:
        for e in engines:
            await e.stop()
        for db in dbs:
            await db.close()
    sent = Counter((r.conversation_id, (r.body or {}).get("text")) for r in connector.records if r.op in ("send", "reply"))
    assert len(sent) == 80 and set(sent.values()) == {1}
    assert per_engine[0] > 0 and per_engine[1] > 0 and per_engine[0] + per_engine[1] == 80


async def test_stale_claim_released_and_broadcast_tables(pg_url):
    db = Database(pg_url)
    await db.migrate()
    try:
        clock = ShiftedClock()
        outbox = OutboxRepo(db, clock)
        await outbox.enqueue([NewDelivery(key="k", conversation_id="c", payload={"activity": {}})])
        (row,) = await outbox.claim("dead")
        assert await outbox.claim("w2") == []
        clock.advance(timedelta(seconds=61))
        (again,) = await outbox.claim("w2")
        assert again.id == row.id and again.attempts == 2
        await outbox.release(again.id, "w2", timedelta(0))
        (third,) = await outbox.claim("w3")
        assert third.attempts == 2  # a release is not an attempt
        await outbox.mark_sent(row.id, "dead")  # the dead worker's late settle does not count
        assert (await outbox.get("k")).state == "sending"

        repo = BroadcastRepo(db)
        draft = Draft("Tittel æøå", "Melding", Targets(TargetMode.SOME, ("Oppvekst",)), None, True, "")
        b = await repo.save_draft(draft, author_id="a", author_name="Åse", locale="nb-NO", conversation_id="c")
        assert b is not None and b.state == State.DRAFT
        assert await repo.transition(b.id, [State.DRAFT], State.SENDING)
        assert not await repo.transition(b.id, [State.DRAFT], State.SENDING)
        assert await repo.acknowledge(b.id, "p1", "Oppvekst", "c")
        assert not await repo.acknowledge(b.id, "p1", "Oppvekst", "c")
        assert await repo.acknowledge(b.id, "p2", "Oppvekst", "c")
        assert await repo.read_counts(b.id) == {"Oppvekst": 2}
        assert [x.id for x in await repo.recent()] == [b.id]
    finally:
        await db.close()
