"""Two `python -m bot` instances on one PostgreSQL database behind the same fake connector, with the features:
votes through both land in one tally, a broadcast to 20 chats is delivered once in total, a poll reminder goes out once.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import create_engine, text

from bot.scheduling.scheduler import one_off
from bot.storage.db import sync_url
from tests.broadcast_helpers import compose
from tests.fakes.connector import card_of
from tests.harness import TeamsClient, find_action, iter_actions, make_user
from tests.procs import BotProcess
from tests.test_polls_e2e import create_poll, day

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
CHATS = 20


def _retime_now(db_url: str, func: str, job_id: str, args: tuple, delay: float) -> None:
    """Make a stored job come due in a moment (the same id: it replaces the one the app scheduled)."""
    store = SQLAlchemyJobStore(url=sync_url(db_url), tablename="apscheduler_jobs")
    sched = BackgroundScheduler(jobstores={"default": store}, timezone="Europe/Oslo")
    sched.start(paused=True)
    try:
        sched.add_job(**one_off(func, job_id, datetime.now(UTC) + timedelta(seconds=delay), args, 3600, 3),
                      replace_existing=True)
    finally:
        sched.shutdown(wait=False)


async def test_two_instances_share_votes_broadcast_and_reminders(tmp_path: Path, connector, pg_url, leader):
    env = {"DATABASE_URL": pg_url, "BOT_LEADERS": leader.aad, "OUTBOX_STALE_SECONDS": "4", "JOB_RETRY_SECONDS": "3"}
    a, b = BotProcess(tmp_path, env, "a"), BotProcess(tmp_path, env, "b")
    engine = create_engine(sync_url(pg_url))
    rng = random.Random()
    voters = [make_user(f"Velger {i} Øverli") for i in range(8)]
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as http:
            await asyncio.gather(a.start(), b.start())
            ta, tb = TeamsClient(http, a.url, connector), TeamsClient(http, b.url, connector)

            # -- votes through both instances, concurrently, into one tally --------------------------------
            conv = ta.group("Oppvekst", [leader, *voters])
            await ta.install(conv, leader)
            poll_id, aid, card = await create_poll(ta, conv, voters[0], slots=3, deadline_date=day(2),
                                                   deadline_time="10:00")
            slots = sorted({x["data"]["slot_id"] for x in iter_actions(card) if x.get("verb") == "poll.vote"})
            acked: dict[tuple[str, int], str] = {}

            async def vote(i: int) -> None:
                client = (ta, tb)[i % 2]
                for slot in slots:  # each member answers every slot, then changes one answer
                    answer = rng.choice(("yes", "maybe", "no"))
                    res = await client.press(conv, voters[i], card, verb="poll.vote", slot_id=slot, answer=answer,
                                             reply_to=aid)
                    assert res.status == 200
                    acked[(voters[i].aad, slot)] = answer
                other = (tb, ta)[i % 2]  # and the change goes through the other instance
                res = await other.press(conv, voters[i], card, verb="poll.vote", slot_id=slots[0], answer="yes", reply_to=aid)
                assert res.status == 200
                acked[(voters[i].aad, slots[0])] = "yes"

            await asyncio.gather(*(vote(i) for i in range(len(voters))))
            with engine.connect() as c:
                rows = c.execute(text("SELECT voter_id, slot_id, answer FROM poll_votes WHERE poll_id = :p"),
                                 {"p": poll_id}).fetchall()
            assert len(rows) == len(voters) * len(slots)
            assert {(v, s): ans for v, s, ans in rows} == acked
            yes_first = sum(1 for (_, s), ans in acked.items() if s == slots[0] and ans == "yes")
            assert yes_first == len(voters)

            expected = []
            for slot in slots:
                n = Counter(ans for (_, s), ans in acked.items() if s == slot)
                expected.append(f"Ja {n['yes']} · ❔ Om nødvendig {n['maybe']} · ❌ Nei {n['no']}")

            def card_tally() -> bool:  # the card everyone sees ends with the full tally, whichever instance updated last
                shown = json.dumps(card_of(connector.activities.get((conv.id, aid))), ensure_ascii=False)
                return f"1 av {len(voters) + 1} medlemmer" in shown and all(e in shown for e in expected)

            await connector.wait_for(card_tally, timeout=20)
            await asyncio.sleep(1.5)  # and it stays so (no late update from the other instance with older figures)
            assert card_tally()

            # -- a broadcast to 20 faggruppe chats, both delivery engines running ---------------------------
            chats = []
            for i in range(CHATS):
                client = (ta, tb)[i % 2]
                chat = client.group(f"Faggruppe {i}", [leader])
                await client.install(chat, leader)
                res = await client.send(chat, leader, f"registrer Faggruppe {i % 5}")
                assert "registrert" in res.texts[0]
                chats.append(chat)
            personal = ta.personal(leader)
            await ta.send(personal, leader, "hjelp")
            preview = await compose(ta, personal, leader, title="Felles frist")
            bid = int(find_action(preview, verb="broadcast.send")["data"]["broadcast_id"])
            sent = await ta.press(personal, leader, preview, verb="broadcast.send")
            assert sent.status == 200

            def delivered() -> Counter[str]:
                return Counter(cid for chat in chats for cid in [chat.id] for x in connector.sent(cid)
                               if "Felles frist" in json.dumps(card_of(x) or {}, ensure_ascii=False))

            await connector.wait_for(lambda: len(delivered()) == CHATS, timeout=30)
            await asyncio.sleep(2.0)  # a second delivery would have arrived by now
            counts = delivered()
            assert set(counts.values()) == {1}, counts
            with engine.connect() as c:
                states = Counter(s for (s,) in c.execute(text("SELECT state FROM outbox WHERE group_key LIKE :g"),
                                                         {"g": f"broadcast:{bid}%"}))
            assert states == Counter({"sent": CHATS}), states

            # -- the poll reminder comes due with both schedulers present: one is the leader, it goes out once ----
            leaders = [(await a.health())["scheduler"]["leader"], (await b.health())["scheduler"]["leader"]]
            assert sorted(leaders) == [False, True], leaders
            await asyncio.to_thread(_retime_now, pg_url, "poll.remind", f"poll:{poll_id}:reminder",
                                    (poll_id,), 0.5)

            def reminders() -> list[dict]:
                return [x for x in connector.sent(conv.id) if "svar på møteavstemningen" in str(x.get("text"))]

            # every voter has answered: the reminder mentions only the leader (who has not)
            await connector.wait_for(reminders, timeout=20)
            await asyncio.sleep(2.0)
            assert len(reminders()) == 1
            assert "Lise Leder" in reminders()[0]["text"]
    finally:
        a.stop()
        b.stop()
        engine.dispose()
    print(f"\ntwo instances: {len(voters)} members x {len(slots)} slots voted through both instances -> one tally "
          f"({len(rows)} rows, card shows it); broadcast to {CHATS} chats delivered {sum(counts.values())} times "
          f"(once each); poll reminder sent {len(reminders())} time(s)")
