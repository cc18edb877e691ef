"""Data scale: seed the tables at two sizes on SQLite and PostgreSQL, time the reads the bot makes, report growth."""

from __future__ import annotations

import logging
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import insert

from bench import hooks
from bot.config import load_settings
from bot.kernel.clock import SystemClock
from bot.storage.db import Database
from bot.storage.models import AuditEntry, Conversation, Membership, OutboxItem, Person
from bot.wiring import build_services

PG_ADMIN = os.environ.get("TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
FAGGRUPPER = ("Helse", "Oppvekst", "Teknisk", "Økonomi", "Kultur", "Plan og bygg", "IKT")


async def seed_foundation(db: Database, n: int) -> None:
    """n conversations (faggruppe chats), n people, n memberships, n audit entries, n sent outbox rows."""
    now = datetime.now(UTC)
    ref = {"channelId": "msteams", "serviceUrl": "http://127.0.0.1:1/", "conversation": {"id": "x"}}
    convs = [dict(id=f"19:scale-{i}@thread.v2", kind="groupChat", tenant_id="t", team_id="", service_url=ref["serviceUrl"],
                  reference=ref, name=f"Faggruppe {i}", faggruppe=FAGGRUPPER[i % len(FAGGRUPPER)], person_id=None,
                  active=True, inactive_reason="", installed_at=now, last_seen_at=now) for i in range(n)]
    people = [dict(id=str(uuid.UUID(int=i + 1)), aad_object_id=str(uuid.UUID(int=i + 1)), channel_user_id=f"29:u{i}",
                   name=f"Person Ærlig {i}", upn=f"p{i}@kommune.no", tenant_id="t", role="member", created_at=now,
                   updated_at=now) for i in range(n)]
    members = [dict(conversation_id=convs[i % len(convs)]["id"], person_id=people[i]["id"], last_seen_at=now) for i in range(n)]
    audit = [dict(at=now - timedelta(seconds=i), actor_id=people[i]["id"], action="bench", target=str(i), details={})
             for i in range(n)]
    outbox = [dict(key=f"scale:{i}", group_key=f"scale:{i // 200}", conversation_id=convs[i]["id"],
                   payload={"activity": {"type": "message", "text": "x"}}, state="sent", attempts=1, not_before=now,
                   claimed_by="", last_error="", activity_id=f"a{i}", created_at=now, sent_at=now) for i in range(n)]
    async with db.write() as s:
        for model, rows in ((Conversation, convs), (Person, people), (Membership, members), (AuditEntry, audit),
                            (OutboxItem, outbox)):
            for k in range(0, len(rows), 1000):
                await s.execute(insert(model), rows[k:k + 1000])


async def timed(fn: Callable[[], Awaitable[Any]], repeat: int = 5) -> float:
    """Median milliseconds of `repeat` calls after one warm-up (3 calls when one takes over 0.3 s)."""
    t0 = time.perf_counter()
    await fn()
    if time.perf_counter() - t0 > 0.3:
        repeat = min(repeat, 3)
    xs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        await fn()
        xs.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(xs), 3)


def operations(services: Any, n: int) -> dict[str, Callable[[], Awaitable[Any]]]:
    """The reads the bot makes on the foundation tables."""
    conv_ids = [f"19:scale-{i}@thread.v2" for i in range(0, n, max(1, n // 100))][:100]
    person_ids = [str(uuid.UUID(int=i + 1)) for i in range(0, n, max(1, n // 200))][:200]

    async def get_100_conversations() -> None:
        for cid in conv_ids:
            await services.conversations.get(cid)

    return {
        "faggruppe_chats (all rows)": lambda: services.conversations.faggruppe_chats(),
        "faggruppe_chats (one group)": lambda: services.conversations.faggruppe_chats(["Helse"]),
        "conversations.get x100": get_100_conversations,
        "people.many (200 ids)": lambda: services.people.many(person_ids),
        "member_ids (one chat)": lambda: services.conversations.member_ids(conv_ids[0]),
        "outbox.claim (none due)": lambda: services.outbox.claim("bench"),
        "outbox.backlog": lambda: services.outbox.backlog(),
        "outbox.group (200 rows)": lambda: services.outbox.group("scale:0"),
        "audit.recent(50)": lambda: services.audit.recent(50),
    }


async def measure(url: str, n: int) -> dict[str, Any]:
    """Migrate, seed n, time every operation (foundation and, when present, polls and needs)."""
    db = Database(url)
    try:
        await db.migrate()
        services = build_services(load_settings({"DATABASE_URL": url}), db, SystemClock())
        t0 = time.perf_counter()
        await seed_foundation(db, n)
        ops = operations(services, n)
        out: dict[str, Any] = {"seed_s": round(time.perf_counter() - t0, 2), "ms": {}}
        for seeder, count in ((hooks.seed_polls, n), (hooks.seed_needs, n)):
            extra = await seeder(services, count)
            if extra:
                ops.update(extra)
        for name, fn in ops.items():
            out["ms"][name] = await timed(fn)
        return out
    finally:
        await db.close()


def _pg_create() -> tuple[str, str] | None:
    try:
        name = f"fb_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=2) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        base = PG_ADMIN.rsplit("/", 1)[0]
        return name, f"postgresql+psycopg://{base.split('://', 1)[1]}/{name}"
    except Exception:
        return None


def _pg_drop(name: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def growth(small: dict[str, float], big: dict[str, float], factor: float) -> dict[str, Any]:
    """Ratio big/small per operation and a verdict: flat (< 2x), linear (about the size factor) or worse."""
    out: dict[str, Any] = {}
    for k, a in small.items():
        b = big.get(k)
        if b is None or not a:
            continue
        r = b / a
        verdict = "flat" if r < 2 else "linear" if r <= factor * 1.5 else "superlinear"
        out[k] = {"ratio": round(r, 2), "verdict": verdict}
    return out


async def run(work: Path, sizes: tuple[int, int], *, pg: bool = True) -> dict[str, Any]:
    """Both sizes on SQLite and (if reachable) PostgreSQL."""
    logging.getLogger("alembic").setLevel(logging.WARNING)
    pending = {"polls": "pending (bench/hooks.py seed_polls: 10,000 polls / 100,000 votes)",
               "needs": "pending (bench/hooks.py seed_needs: 10,000 entries, summary, XLSX)"}
    out: dict[str, Any] = {"sizes": list(sizes),
                           "hooks": {k: "present" if hooks.has_feature(k) else v for k, v in pending.items()}}
    backends: list[tuple[str, Callable[[int], Any]]] = [("sqlite", lambda n: (None, f"sqlite+aiosqlite:///{work}/scale-{n}.db"))]
    if pg:
        backends.append(("postgresql", lambda n: _pg_create()))
    for backend, make in backends:
        res: dict[str, Any] = {}
        for n in sizes:
            made = make(n)
            if made is None:
                res = {"skipped": "PostgreSQL is not reachable on 127.0.0.1:5432"}
                break
            name, url = made
            try:
                res[str(n)] = await measure(url, n)
            finally:
                if name:
                    _pg_drop(name)
        if str(sizes[1]) in res:
            res["growth"] = growth(res[str(sizes[0])]["ms"], res[str(sizes[1])]["ms"], sizes[1] / sizes[0])
        out[backend] = res
    return out
