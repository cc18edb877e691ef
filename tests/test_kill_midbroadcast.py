"""kill -9 of the delivering instance mid-broadcast (two instances on PostgreSQL): the other takes over, nothing is
lost, and only the sends on the wire at the kill can arrive twice, a small bound (bot/delivery/wire.py). The rows the
dead leader held are taken over once its sends would have timed out (bot/delivery/outbox.py reclaim_after), before
OUTBOX_STALE_SECONDS.
"""

from __future__ import annotations

import asyncio
import math
import time
from pathlib import Path

import aiohttp
import pytest

from bot.delivery.engine import PREFETCH_S
from bot.delivery.wire import HEADROOM, MIN_ON_WIRE
from bot.storage.db import Database
from tests.crashkit import Db, delivered_counts, register_chats
from tests.fakes.connector import FakeConnector
from tests.harness import TeamsClient
from tests.procs import BotProcess

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
ROWS, LIMIT = 300, 45
STALE = 20  # OUTBOX_STALE_SECONDS: a send may take half of it; the new leader takes the dead one's rows over after that
LATENCY = 0.05  # the connector's answer time (Teams' is longer: the bound grows with it, see wire_bound)
ON_WIRE_S = 0.3  # a send from entering the wire to marked sent, at most, on this loaded machine (connector 0.05 s)


def wire_bound(latency: float) -> int:
    """Sends the engine lets onto the wire at once at this answer time (WireGate.cap)."""
    return max(MIN_ON_WIRE, min(LIMIT, math.ceil(LIMIT * latency * HEADROOM) + 1))


async def test_kill9_of_the_leader_mid_broadcast_doubles_only_the_sends_on_the_wire(
        tmp_path: Path, connector: FakeConnector, pg_url, leader):
    env = {"DATABASE_URL": pg_url, "BOT_LEADERS": leader.aad, "TEAMS_APP_RATE_LIMIT": str(LIMIT),
           "OUTBOX_STALE_SECONDS": str(STALE)}
    a, b = BotProcess(tmp_path, env, "a"), BotProcess(tmp_path, env, "b")
    db, sync = Database(pg_url), Db(pg_url)
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
            await a.start()
            await b.start()
            await asyncio.sleep(1.5)  # leadership settled
            flags = [(await p.health())["scheduler"]["leader"] for p in (a, b)]
            assert sorted(flags) == [False, True], flags
            boss, other = (a, b) if flags[0] else (b, a)
            chats = await register_chats(TeamsClient(http, other.url, connector), db, leader, "Kill", ROWS)
            connector.latency = LATENCY
            keys = [f"mid:{i}" for i in range(ROWS)]
            sync.insert_outbox([(k, chats[i], k) for i, k in enumerate(keys)])
            await connector.wait_for(lambda: len(delivered_counts(connector, "mid:")) >= ROWS // 3, timeout=30)
            boss.kill9()
            killed = time.monotonic()
            states = sync.outbox_states()
            in_doubt = sum(1 for k in keys if states[k] == "sending")
            sent_before = sum(1 for k in keys if states[k] == "sent")
            await connector.wait_for(lambda: all(s == "sent" for s in sync.outbox_states().values()), timeout=40)
            took_over = time.monotonic() - killed
            await asyncio.sleep(1.0)  # a late double would have arrived by now
            counts = delivered_counts(connector, "mid:")
            assert (await other.health())["scheduler"]["leader"] is True
    finally:
        a.stop()
        b.stop()
        sync.close()
        await db.close()
    lost = [k for k in keys if counts[k] == 0]
    doubled = [k for k in keys if counts[k] > 1]
    bound = wire_bound(ON_WIRE_S)
    prefetch = math.ceil(LIMIT * PREFETCH_S)
    print(f"\nkill -9 mid-broadcast: {ROWS} rows, {sent_before} settled before the kill, in state 'sending' at the kill "
          f"{in_doubt} (bound: {prefetch} claimed ahead + {bound} on the wire), doubled {len(doubled)} (bound {bound}), "
          f"lost {len(lost)}, all sent {took_over:.1f} s after the kill (OUTBOX_STALE_SECONDS={STALE}, a send may take "
          f"{STALE // 2} s)")
    assert not lost, lost
    assert max(counts.values()) <= 2
    assert len(doubled) <= min(in_doubt, bound), (doubled, in_doubt, bound)
    assert in_doubt <= prefetch + bound, in_doubt
    assert took_over < STALE  # taken over when the old leader's sends had timed out, not after the stale timeout
