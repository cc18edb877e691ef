"""kill -9 with the features: poll votes, needs/benefits inputs and scheduled reminders survive SIGKILL.

The real process (`python -m bot`) on SQLite is killed at random points while members vote and submit inputs
concurrently, and around the moment scheduled reminders come due. Checked straight from the database file:
every acknowledged vote and input is there, nothing is half-saved, one answer per member per slot; each reminder
due is delivered once (a send in flight at the kill may be doubled: such rows are counted and reported).
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import create_engine, update
from sqlalchemy.orm import Session

from bot.gates.jobs import REMINDER_FUNC, reminder_job_id
from bot.kernel.clock import SystemClock  # the bot process runs on the system clock
from bot.polls.store import PollRow
from bot.scheduling.scheduler import one_off
from bot.storage.db import sync_url
from tests.dates import iso
from tests.gates_helpers import INVOLVED, PROJECT, reminders, set_deadline, setup_chats
from tests.harness import TeamsClient, User, find_action, iter_actions, make_user
from tests.needs_support import NEED_OK, create_project, faggruppe_chat, filled
from tests.procs import BotProcess
from tests.test_polls_e2e import create_poll, day

pytestmark = pytest.mark.slow
ROUNDS = 3
ANSWERS = ("yes", "maybe", "no")
NET_ERRORS = (TimeoutError, aiohttp.ClientError, ConnectionError)


def _env(db_url: str, leader_aad: str) -> dict[str, str]:
    return {"DATABASE_URL": db_url, "BOT_LEADERS": leader_aad, "OUTBOX_STALE_SECONDS": "4", "JOB_RETRY_SECONDS": "3"}


@dataclass
class Ledger:
    """What the bot acknowledged, and what was in flight when it died."""

    votes: dict[tuple[str, int], str] = field(default_factory=dict)  # (voter aad, slot) -> last acknowledged answer
    vote_inflight: dict[tuple[str, int], str] = field(default_factory=dict)
    inputs: dict[int, str] = field(default_factory=dict)  # entry id -> title (confirmation received)
    tried_titles: set[str] = field(default_factory=set)
    vote_attempts: int = 0
    input_attempts: int = 0


async def voter(teams: TeamsClient, conv, user: User, card: dict, aid: str, slots: list[int], led: Ledger,
                stop: asyncio.Event, rng: random.Random) -> None:
    """One member votes again and again (sequentially: one request in flight per member)."""
    while not stop.is_set():
        slot, answer = rng.choice(slots), rng.choice(ANSWERS)
        key = (user.aad, slot)
        led.vote_inflight[key] = answer
        led.vote_attempts += 1
        try:
            res = await teams.press(conv, user, card, verb="poll.vote", slot_id=slot, answer=answer, reply_to=aid)
        except NET_ERRORS:
            return
        if res.status == 200 and mine(res, slot, answer):
            led.votes[key] = answer
            led.vote_inflight.pop(key, None)


def mine(res, slot: int, answer: str) -> bool:
    """The invoke answered with the voter's own card, showing this answer as chosen."""
    try:
        return find_action(res.card, verb="poll.vote", slot_id=slot, answer=answer)["title"].startswith("✓")
    except (AssertionError, KeyError, TypeError, IndexError):
        return False


async def submitter(teams: TeamsClient, conv, user: User, form: dict, led: Ledger, stop: asyncio.Event, tag: str) -> None:
    """One member saves valid need forms again and again; the confirmation card names the entry id."""
    n = 0
    while not stop.is_set():
        n += 1
        title = f"{NEED_OK['title']} {tag}-{n}"
        led.tried_titles.add(title)
        led.input_attempts += 1
        try:
            res = await teams.press(conv, user, form, verb="needs.save", inputs=filled(form, {**NEED_OK, "title": title}))
        except NET_ERRORS:
            return
        m = re.search(r"Lagret: [^#]*#(\d+)", json.dumps(res.card, ensure_ascii=False)) if res.status == 200 else None
        if m:
            led.inputs[int(m.group(1))] = title


def check_db(path: Path, poll_id: int, led: Ledger) -> tuple[int, int]:
    """Everything acknowledged is in the file; nothing half-saved; one answer per member per slot."""
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute("SELECT voter_id, slot_id, answer FROM poll_votes WHERE poll_id = ?", (poll_id,)).fetchall()
        entries = conn.execute("SELECT id, title, fields, municipalities, status FROM need_entries").fetchall()
    stored = {(v, s): a for v, s, a in rows}
    assert len(stored) == len(rows), "two answers from one member for one slot"
    for key, answer in led.votes.items():
        assert key in stored, f"acknowledged vote lost: {key}"
        assert stored[key] in (answer, led.vote_inflight.get(key)), (key, answer, stored[key])
    assert set(stored) <= set(led.votes) | set(led.vote_inflight)
    by_id = {i: (t, json.loads(f) if isinstance(f, str) else f, m) for i, t, f, m, _ in entries}
    for entry_id, title in led.inputs.items():
        assert entry_id in by_id and by_id[entry_id][0] == title, f"acknowledged input #{entry_id} lost"
    for entry_id, (title, fields, munis) in by_id.items():
        assert title in led.tried_titles
        assert fields.get("problem") == NEED_OK["problem"] and fields.get("desired_situation"), f"#{entry_id} half-saved"
        assert munis, f"#{entry_id} half-saved"
    return len(rows), len(entries)


async def test_kill9_keeps_acknowledged_votes_and_inputs(tmp_path: Path, connector, leader):
    db_path = tmp_path / "features.db"
    proc = BotProcess(tmp_path, _env(f"sqlite+aiosqlite:///{db_path}", leader.aad))
    rng = random.Random()
    led = Ledger()
    voters = [make_user(f"Velger {i} Ærlig") for i in range(5)]
    kill_points: list[float] = []
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            await proc.start()
            teams = TeamsClient(http, proc.url, connector)
            await create_project(teams, leader, "Krasjprosjekt", ["Oppvekst"])
            conv = await faggruppe_chat(teams, leader, voters, "Oppvekst")
            poll_id, aid, card = await create_poll(teams, conv, voters[0], slots=4)
            slots = sorted({a["data"]["slot_id"] for a in iter_actions(card) if a.get("verb") == "poll.vote"})
            forms = {}
            for u in voters[:3]:
                choose = await teams.send(conv, u, "innspill")
                forms[u.aad] = (await teams.press(conv, u, choose.card, verb="needs.form", kind="need")).card
            for round_ in range(ROUNDS):
                if round_:
                    await proc.start()
                    teams = TeamsClient(http, proc.url, connector)
                stop = asyncio.Event()
                tasks = [asyncio.create_task(voter(teams, conv, u, card, aid, slots, led, stop, rng)) for u in voters]
                tasks += [asyncio.create_task(submitter(teams, conv, u, forms[u.aad], led, stop, f"r{round_}u{i}"))
                          for i, u in enumerate(voters[:3])]
                kill_points.append(rng.uniform(0.4, 1.6))
                await asyncio.sleep(kill_points[-1])
                proc.kill9()
                stop.set()
                await asyncio.gather(*tasks)
                check_db(db_path, poll_id, led)
            # the restarted bot agrees with the file and keeps taking votes
            await proc.start()
            teams = TeamsClient(http, proc.url, connector)
            res = await teams.press(conv, voters[0], card, verb="poll.vote", slot_id=slots[0], answer="yes", reply_to=aid)
            assert res.status == 200
            led.votes[(voters[0].aad, slots[0])] = "yes"
            led.vote_inflight.pop((voters[0].aad, slots[0]), None)
            n_votes, n_entries = check_db(db_path, poll_id, led)
    finally:
        proc.stop()
    print(f"\nkill -9 features: rounds={ROUNDS} kill after {[round(k, 2) for k in kill_points]} s; "
          f"votes tried={led.vote_attempts} acked keys={len(led.votes)} stored={n_votes}; "
          f"inputs tried={led.input_attempts} acked={len(led.inputs)} stored={n_entries}; lost=0 half-saved=0")
    assert led.votes and led.inputs


def retime(db_url: str, jobs: list[tuple[str, str, tuple, float]]) -> None:
    """Make stored jobs come due in a few seconds (same ids: they replace the ones the app scheduled)."""
    store = SQLAlchemyJobStore(url=sync_url(db_url), tablename="apscheduler_jobs")
    sched = BackgroundScheduler(jobstores={"default": store}, timezone="Europe/Oslo")
    sched.start(paused=True)  # writes to the store only; never runs anything in this process
    try:
        for func, job_id, args, delay in jobs:
            run_at = datetime.now(UTC) + timedelta(seconds=delay)
            sched.add_job(**one_off(func, job_id, run_at, args, 3600, 3), replace_existing=True)  # as Scheduler.add does
    finally:
        sched.shutdown(wait=False)


def move_deadline(db_url: str, poll_id: int, deadline: datetime) -> None:
    engine = create_engine(sync_url(db_url))
    with Session(engine) as session, session.begin():
        session.execute(update(PollRow).where(PollRow.id == poll_id).values(deadline=deadline))
    engine.dispose()


def outbox_states(path: Path, prefix: str) -> dict[str, str]:
    with sqlite3.connect(path) as conn:
        return dict(conn.execute("SELECT key, state FROM outbox WHERE key LIKE ?", (prefix + "%",)).fetchall())


def job_ids(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT id FROM apscheduler_jobs")}


def poll_reminders(connector, conv) -> list[dict]:
    return [a for a in connector.sent(conv.id) if "svar på møteavstemningen" in str(a.get("text"))]


async def test_kill9_around_due_reminders_sends_each_once(tmp_path: Path, connector, leader, members):
    """Gate reminders (three offsets) and a poll reminder + auto-close come due; the bot is killed around each."""
    db_path = tmp_path / "reminders.db"
    db_url = f"sqlite+aiosqlite:///{db_path}"
    proc = BotProcess(tmp_path, {**_env(db_url, leader.aad), "POLL_REMINDER_HOURS": "1"})
    rng = random.Random()
    in_doubt: set[str] = set()
    log: list[str] = []
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            await proc.start()
            teams = TeamsClient(http, proc.url, connector)
            await create_project(teams, leader, PROJECT, INVOLVED)
            chats = await setup_chats(teams, leader, members)
            res = await set_deadline(teams, chats["Oppvekst"], leader, 2, iso(SystemClock(), 60), offsets="14, 7, 1")
            assert "Fristen for BP2" in res.texts[0]
            oppvekst = chats["Oppvekst"]
            poll_id, _aid, _ = await create_poll(teams, oppvekst, members[0], deadline_date=day(2), deadline_time="10:00")
            ids = job_ids(db_path)
            assert {f"poll:{poll_id}:reminder", f"poll:{poll_id}:close"} <= ids, ids  # the app scheduled them
            gate_jobs = sorted(i for i in ids if ":reminder:" in i and i.startswith("gate:"))
            assert len(gate_jobs) == 3, ids
            gate_id = int(gate_jobs[0].split(":")[1])

            # Round 1: the poll reminder. An operator moves the answer deadline (straight in the database) so that the
            # reminder (POLL_REMINDER_HOURS=1) comes due seconds after a restart: the app's start-up schedules it.
            # The bot is killed while the reminder job runs (its card update before the @mentions is held up).
            proc.kill9()
            move_deadline(db_url, poll_id, datetime.now(UTC) + timedelta(hours=1, seconds=8))
            slow = connector.fail(200, conversation=oppvekst.id, method="PUT", times=1, delay=1.0)
            await proc.start()
            await connector.wait_for(lambda: slow not in connector.faults, timeout=30)
            await asyncio.sleep(rng.uniform(0.0, 0.5))
            proc.kill9()
            in_doubt |= {k for k, s in outbox_states(db_path, "poll:").items() if s == "sending"}
            log.append(f"poll reminder: killed mid-job, outbox {outbox_states(db_path, 'poll:')}")
            await proc.start()
            await connector.wait_for(lambda: poll_reminders(connector, oppvekst), timeout=20)

            # Rounds 2-4: each gate reminder offset; killed at a random moment around its due time.
            for n, (job_id, delay) in enumerate(zip(gate_jobs, (1.0, 1.0, 1.0), strict=True), start=1):
                offset = job_id.rsplit(":", 1)[1]
                connector.latency = rng.choice((0.0, 0.3))
                await asyncio.to_thread(retime, db_url, [(REMINDER_FUNC, reminder_job_id(gate_id, offset),
                                                          (gate_id, offset), delay)])
                await asyncio.sleep(rng.uniform(delay - 0.3, delay + 1.5))
                proc.kill9()
                states = outbox_states(db_path, f"gate:{gate_id}:reminder:{offset}@")
                in_doubt |= {k for k, s in states.items() if s == "sending"}
                log.append(f"gate offset {offset}: killed with outbox {sorted(states.values())}")
                connector.latency = 0.0
                await proc.start()
                for name in INVOLVED:
                    await connector.wait_for(lambda c=chats[name], n=n: len(reminders(connector, c)) >= n, timeout=20)

            # Round 5: the poll auto-close at its (moved) deadline, scheduled by start-up; killed around it.
            proc.kill9()
            move_deadline(db_url, poll_id, datetime.now(UTC) + timedelta(seconds=5))
            await proc.start()
            await asyncio.sleep(rng.uniform(1.0, 4.0))
            proc.kill9()
            await proc.start()

            def closed() -> bool:
                with sqlite3.connect(db_path) as conn:
                    return conn.execute("SELECT state FROM polls WHERE id = ?", (poll_id,)).fetchone()[0] != "open"

            await connector.wait_for(closed, timeout=20)
            await asyncio.sleep(1.5)  # anything sent twice would have arrived by now
    finally:
        proc.stop()
    # Also in doubt: a send that timed out (OUTBOX_STALE_SECONDS=4 gives 2 s) on this loaded machine and was retried:
    # Teams may have taken the first attempt. Such rows have more than one attempt.
    with sqlite3.connect(db_path) as conn:
        retried = {k for k, n in conn.execute("SELECT key, attempts FROM outbox WHERE attempts > 1")}
    counts = {name: len(reminders(connector, chats[name])) for name in INVOLVED}
    poll_count = len(poll_reminders(connector, oppvekst))
    doubled = sum(c - 3 for c in counts.values() if c > 3) + max(0, poll_count - 1)
    print(f"\nkill -9 reminders: 7 kills; gate reminders per involved chat {counts} (3 due each), poll reminder "
          f"{poll_count} (1 due), poll closed once; in flight at a kill={len(in_doubt)} "
          f"retried after a timeout={len(retried - in_doubt)} "
          f"doubled={doubled}\n  " + "\n  ".join(log))
    assert all(c >= 3 for c in counts.values()), f"a gate reminder was lost: {counts}"
    assert poll_count >= 1, "the poll reminder was lost"
    assert doubled <= len(in_doubt | retried), (counts, poll_count, in_doubt, retried)
    assert reminders(connector, chats["IT-drift og sikkerhet"]) == []
