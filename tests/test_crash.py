"""The real process under SIGKILL and SIGTERM: nothing acknowledged is lost, outbox deliveries are not repeated."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import aiohttp
import pytest

from tests.crashkit import Acked, Db, delivered_counts, drive
from tests.harness import Conv, TeamsClient, make_user
from tests.procs import BotProcess

pytestmark = pytest.mark.slow
ROUNDS = 4


def _env(db_url: str, leader_aad: str) -> dict[str, str]:
    return {"DATABASE_URL": db_url, "BOT_LEADERS": leader_aad, "OUTBOX_STALE_SECONDS": "4"}


async def test_kill9_keeps_every_acknowledged_write(tmp_path: Path, connector, leader):
    db_url = f"sqlite+aiosqlite:///{tmp_path}/crash.db"
    proc = BotProcess(tmp_path, _env(db_url, leader.aad))
    db = Db(db_url)
    rng = random.Random()
    acked = Acked()
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            for round_ in range(ROUNDS):
                await proc.start()
                teams = TeamsClient(http, proc.url, connector)
                stop = asyncio.Event()
                drivers = [asyncio.create_task(drive(teams, leader, acked, stop, f"r{round_}d{i}")) for i in range(3)]
                await asyncio.sleep(rng.uniform(0.3, 1.5))
                proc.kill9()
                stop.set()
                await asyncio.gather(*drivers)
                # straight from the file the dead process left behind
                convs = db.conversations()
                assert acked.installs <= set(convs), acked.installs - set(convs)
                assert all(convs.get(cid) == name for cid, name in acked.registered.items())
                assert acked.leaders <= db.leaders()
            # and the restarted bot sees the same
            await proc.start()
            teams = TeamsClient(http, proc.url, connector)
            res = await teams.send(teams.personal(leader), leader, "hjelp")
            assert res.status in (200, 201) and res.cards
    finally:
        proc.stop()
        db.close()
    print(f"\nkill -9: rounds={ROUNDS} attempted={acked.attempted} acked installs={len(acked.installs)} "
          f"registrations={len(acked.registered)} leader changes={len(acked.leaders)} lost=0")
    assert acked.installs and acked.registered and acked.leaders


async def _install(teams: TeamsClient, leader, n: int, tag: str) -> list[str]:
    ids = []
    for i in range(n):
        conv = teams.group(f"{tag} {i}", [leader])
        res = await teams.install(conv, leader)
        assert res.status in (200, 201)
        ids.append(conv.id)
    return ids


async def test_kill9_mid_delivery_sends_each_outbox_row_once(tmp_path: Path, connector, leader):
    """Rows settled before the kill are never resent; rows in flight at the kill are sent at most twice."""
    db_url = f"sqlite+aiosqlite:///{tmp_path}/outbox.db"
    proc = BotProcess(tmp_path, _env(db_url, leader.aad))
    db = Db(db_url)
    rng = random.Random()
    in_doubt_total = 0
    keys: list[str] = []
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            await proc.start()
            teams = TeamsClient(http, proc.url, connector)
            convs = await _install(teams, leader, 8, "Outbox")
            for round_ in range(3):
                connector.latency = 0.15
                batch = [(f"crash:{round_}:{i}", convs[i % len(convs)], f"crash:{round_}:{i}") for i in range(24)]
                keys += [k for k, _, _ in batch]
                db.insert_outbox(batch)
                # kill mid-delivery: once this batch is being sent, at a random moment
                await connector.wait_for(lambda b=batch: any(db.outbox_states()[k] != "pending" for k, _, _ in b), 15)
                await asyncio.sleep(rng.uniform(0.0, 0.5))
                proc.kill9()
                states = db.outbox_states()
                settled_before = {k for k in keys if states[k] == "sent"}
                sent_before = delivered_counts(connector, "crash:")
                in_doubt = {k for k in keys if states[k] == "sending"}
                in_doubt_total += len(in_doubt)
                connector.latency = 0.0
                await proc.start()
                await connector.wait_for(lambda: all(s == "sent" for s in db.outbox_states().values()), timeout=30)
                after = delivered_counts(connector, "crash:")
                assert all(after[k] == sent_before[k] for k in settled_before), "a settled row was sent again"
            counts = delivered_counts(connector, "crash:")
    finally:
        proc.stop()
        db.close()
    doubled = sorted(k for k in keys if counts[k] > 1)
    print(f"\nkill -9 outbox: rounds=3 rows={len(keys)} lost={sum(1 for k in keys if counts[k] == 0)} "
          f"doubled={len(doubled)} in-flight at kill={in_doubt_total}")
    assert all(counts[k] >= 1 for k in keys), "a queued delivery was lost"
    assert all(counts[k] <= 2 for k in keys)
    assert len(doubled) <= in_doubt_total


async def test_sigterm_finishes_inflight_deliveries_and_exits_0(tmp_path: Path, connector, leader):
    db_url = f"sqlite+aiosqlite:///{tmp_path}/term.db"
    proc = BotProcess(tmp_path, _env(db_url, leader.aad))
    db = Db(db_url)
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            await proc.start()
            teams = TeamsClient(http, proc.url, connector)
            convs = await _install(teams, leader, 6, "Term")
            connector.latency = 1.0
            db.insert_outbox([(f"term:{i}", convs[i], f"term:{i}") for i in range(6)])
            await connector.wait_for(lambda: any(s == "sending" for s in db.outbox_states().values()), timeout=10)
            await asyncio.sleep(0.3)  # the sends are now waiting at the slow connector
            proc.terminate()
            await asyncio.sleep(0.3)
            assert proc.alive  # still finishing the slow sends ...
            with pytest.raises(aiohttp.ClientConnectionError):  # ... but no longer taking new work
                await teams.send(teams.personal(leader), leader, "hjelp")
            code = await proc.wait(30)
            states = db.outbox_states()
    finally:
        proc.stop()
        db.close()
    counts = delivered_counts(connector, "term:")
    assert code == 0, proc.logs()[-3000:]
    sent = {k for k, s in states.items() if s == "sent"}
    assert sent, states
    assert all(counts[k] == 1 for k in sent)
    # nothing half-done: every row is either sent (and delivered once) or still pending for the next start
    assert all(s in ("sent", "pending") for s in states.values()), states
    lines = proc.log_lines()
    order = [m["message"] for m in lines if m.get("message") in ("delivery engine stopped", "scheduler stopped",
                                                                  "database closed")]
    assert order == ["delivery engine stopped", "scheduler stopped", "database closed"], order


async def test_two_instances_share_one_postgres(tmp_path: Path, connector, pg_url, leader):
    env = _env(pg_url, leader.aad)
    a, b = BotProcess(tmp_path, env, "a"), BotProcess(tmp_path, env, "b")
    db = Db(pg_url)
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            await a.start()
            await b.start()
            ta, tb = TeamsClient(http, a.url, connector), TeamsClient(http, b.url, connector)
            ids = await _install(ta, leader, 4, "A") + await _install(tb, leader, 4, "B")
            members = [make_user(f"Medlem {i}") for i in range(4)]
            for i, cid in enumerate(ids):
                client = (ta, tb)[i % 2]  # registrations from both instances
                conv = Conv(id=cid, kind="groupChat")
                client.add_members(conv, [members[i % 4]])
                res = await client.send(conv, leader, f"registrer Felles {i}")
                assert "registrert" in res.texts[0]
            assert all(db.conversations()[cid] == f"Felles {i}" for i, cid in enumerate(ids))
            leaders = [(await a.health())["scheduler"]["leader"], (await b.health())["scheduler"]["leader"]]
            assert sorted(leaders) == [False, True], leaders
            db.insert_outbox([(f"two:{i}", ids[i % len(ids)], f"two:{i}") for i in range(40)])
            await connector.wait_for(lambda: all(s == "sent" for s in db.outbox_states().values()), timeout=30)
            counts = delivered_counts(connector, "two:")
            assert len(counts) == 40 and set(counts.values()) == {1}, counts
            # SIGKILL the scheduler leader: the other takes over
            boss, other = (a, b) if leaders[0] else (b, a)
            boss.kill9()
            for _ in range(100):
                if (await other.health())["scheduler"]["leader"]:
                    break
                await asyncio.sleep(0.1)
            assert (await other.health())["scheduler"]["leader"] is True
    finally:
        a.stop()
        b.stop()
        db.close()
    print("\ntwo instances: 8 registrations from both landed, 40/40 outbox rows delivered exactly once, "
          "leader takeover after SIGKILL ok")
