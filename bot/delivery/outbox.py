"""The outbox: one row per proactive delivery, keyed for exactly-once sending."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update

from bot.kernel.clock import Clock
from bot.storage.db import Database, insert_for
from bot.storage.models import Conversation, OutboxItem

PENDING, SENDING, SENT, FAILED, CANCELLED = "pending", "sending", "sent", "failed", "cancelled"


@dataclass(frozen=True)
class NewDelivery:
    """A delivery to queue. `key` is the idempotency key; `payload["activity"]` is the activity dict."""

    key: str
    conversation_id: str
    payload: dict[str, Any]
    group_key: str = ""
    not_before: datetime | None = None


@dataclass(frozen=True)
class OutboxRow:
    """A queued delivery as stored."""

    id: int
    key: str
    group_key: str
    conversation_id: str
    payload: dict[str, Any] = field(repr=False)
    state: str = PENDING
    attempts: int = 0
    last_error: str = ""
    activity_id: str = ""
    not_before: datetime | None = None
    sent_at: datetime | None = None


_COLUMNS = (OutboxItem.id, OutboxItem.key, OutboxItem.group_key, OutboxItem.conversation_id, OutboxItem.payload,
            OutboxItem.state, OutboxItem.attempts, OutboxItem.last_error, OutboxItem.activity_id, OutboxItem.not_before,
            OutboxItem.sent_at)


@dataclass(frozen=True)
class OutboxStats:
    """Unsettled deliveries by state ('pending', 'due' = pending and due now, 'sending') and the oldest due one's wait."""

    counts: dict[str, int]
    oldest_due_age: float


@dataclass(frozen=True)
class GroupEntry:
    """A delivery's state without its payload (for reports)."""

    conversation_id: str
    state: str
    last_error: str
    attempts: int


class _Settler:
    """Group commit of settle updates: callers wait for their own update, concurrent ones share a transaction.

    Nothing waits for a timer: the first caller writes at once, whoever comes meanwhile goes in the next
    transaction. This keeps "marked sent right after the connector accepted it" while SQLite's single
    writer does one commit for many sends.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._queue: list[tuple[int, str, dict[str, Any], asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None

    async def submit(self, id_: int, worker: str, values: dict[str, Any]) -> None:
        """Queue one settle update and wait until the transaction holding it is committed."""
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((id_, worker, values, fut))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._flush(), name="outbox-settle")
        await asyncio.shield(fut)

    async def _flush(self) -> None:
        """Write the queued updates, one transaction per batch, until nothing is queued; wake their callers."""
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                async with self.db.write() as s:
                    for id_, worker, values, _ in batch:
                        await s.execute(
                            update(OutboxItem)
                            .where(OutboxItem.id == id_, OutboxItem.state == SENDING, OutboxItem.claimed_by == worker)
                            .values(**values)
                        )
            except Exception as exc:
                for *_, fut in batch:
                    if not fut.done():
                        fut.set_exception(exc)
                continue
            for *_, fut in batch:
                if not fut.done():
                    fut.set_result(None)


def reclaim_after(stale_seconds: float, send_timeout: float, took_over: datetime | None, now: datetime) -> timedelta:
    """How old a claim must be to be taken over. After a take-over, rows claimed before it are taken over once the old
    leader's sends have timed out (it sends nothing it had not put on the wire before it let go): sooner than the
    stale timeout when the old leader was killed."""
    if took_over is not None:
        since = (now - took_over).total_seconds()
        if send_timeout + 1 <= since < stale_seconds:
            return timedelta(seconds=since)  # claimed before the take-over
    return timedelta(seconds=stale_seconds)


def _row(r: OutboxItem) -> OutboxRow:
    """The outbox ORM row as the plain OutboxRow the engine works with."""
    return OutboxRow(r.id, r.key, r.group_key, r.conversation_id, r.payload, r.state, r.attempts, r.last_error,
                     r.activity_id, r.not_before, r.sent_at)


class OutboxRepo:
    """Queue, claim and settle deliveries."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._settler = _Settler(db)

    async def enqueue(self, items: list[NewDelivery]) -> int:
        """Insert deliveries whose key is new; returns how many were new."""
        if not items:
            return 0
        now = self.clock.now()
        ins = insert_for(self.db.dialect)(OutboxItem)
        added = 0
        async with self.db.write() as s:
            for it in items:
                res = await s.execute(
                    ins.values(
                        key=it.key, group_key=it.group_key, conversation_id=it.conversation_id, payload=it.payload,
                        state=PENDING, not_before=it.not_before or now, created_at=now,
                    ).on_conflict_do_nothing(index_elements=["key"]).returning(OutboxItem.id)
                )
                added += len(res.fetchall())
        return added

    async def claim(self, worker: str, limit: int = 100, stale_after: timedelta = timedelta(seconds=60)) -> list[OutboxRow]:
        """Claim due deliveries (and ones whose claimer died) for this worker, in one transaction."""
        now = self.clock.now()
        due = or_(
            (OutboxItem.state == PENDING) & (OutboxItem.not_before <= now),
            (OutboxItem.state == SENDING) & (OutboxItem.claimed_at < now - stale_after),
        )
        pick = select(OutboxItem.id).where(due).order_by(OutboxItem.id).limit(limit)
        if self.db.dialect == "postgresql":
            # Concurrent claimers skip each other's rows instead of queueing behind their locks.
            pick = pick.with_for_update(skip_locked=True)
        async with self.db.write() as s:
            ids = list(await s.scalars(pick))
            if not ids:
                return []
            # `due` again: on PostgreSQL the row is re-checked after any lock wait, so a row is claimed once.
            res = await s.execute(
                update(OutboxItem).where(OutboxItem.id.in_(ids), due)
                .values(state=SENDING, claimed_at=now, claimed_by=worker, attempts=OutboxItem.attempts + 1)
                .returning(*_COLUMNS)
            )
            rows = [OutboxRow(*r) for r in res.all()]
        return sorted(rows, key=lambda r: r.id)

    async def touch_claim(self, id_: int, worker: str) -> bool:
        """Renew this worker's claim right before sending; False when another worker has taken the row over."""
        async with self.db.write() as s:
            res = await s.execute(
                update(OutboxItem).where(OutboxItem.id == id_, OutboxItem.state == SENDING, OutboxItem.claimed_by == worker)
                .values(claimed_at=self.clock.now())
            )
            return res.rowcount == 1

    async def _settle(self, id_: int, worker: str, **values: Any) -> None:
        """Record a claimed delivery's outcome through the group commit (only while this worker still holds it)."""
        await self._settler.submit(id_, worker, values)

    async def release(self, id_: int, worker: str, delay: timedelta) -> None:
        """Hand a claimed, unsent delivery back (not counted as an attempt), due again after delay."""
        await self._settle(id_, worker, state=PENDING, not_before=self.clock.now() + delay,
                           attempts=OutboxItem.attempts - 1, claimed_by="")

    async def mark_sent(self, id_: int, worker: str, activity_id: str = "") -> None:
        """The connector accepted the delivery."""
        await self._settle(id_, worker, state=SENT, sent_at=self.clock.now(), activity_id=activity_id, last_error="")

    async def mark_retry(self, id_: int, worker: str, error: str, delay: timedelta) -> None:
        """Try again later."""
        await self._settle(id_, worker, state=PENDING, not_before=self.clock.now() + delay, last_error=error[:400])

    async def mark_failed(self, id_: int, worker: str, error: str) -> None:
        """Give up: the conversation is gone or the retries are used up."""
        await self._settle(id_, worker, state=FAILED, last_error=error[:400])

    async def cancel_group(self, group_key: str) -> int:
        """Cancel the deliveries of a group that have not been sent."""
        async with self.db.write() as s:
            res = await s.execute(
                update(OutboxItem).where(OutboxItem.group_key == group_key, OutboxItem.state == PENDING).values(state=CANCELLED)
            )
            return res.rowcount or 0

    async def group(self, group_key: str) -> list[OutboxRow]:
        """All deliveries of a group (a broadcast, a reminder round)."""
        async with self.db.session() as s:
            rows = await s.scalars(select(OutboxItem).where(OutboxItem.group_key == group_key).order_by(OutboxItem.id))
            return [_row(r) for r in rows]

    async def get(self, key: str) -> OutboxRow | None:
        """One delivery by key."""
        async with self.db.session() as s:
            row = (await s.scalars(select(OutboxItem).where(OutboxItem.key == key))).first()
            return _row(row) if row else None

    async def backlog(self) -> int:
        """Deliveries not yet settled."""
        async with self.db.session() as s:
            return int(await s.scalar(select(func.count()).where(OutboxItem.state.in_([PENDING, SENDING]))) or 0)

    async def stats(self, now: datetime) -> OutboxStats:
        """Depth and the age of the oldest due delivery (pending and due, or claimed), for /metrics."""
        unsettled = OutboxItem.state.in_([PENDING, SENDING])
        due = (OutboxItem.state == SENDING) | (OutboxItem.not_before <= now)
        async with self.db.session() as s:
            by_state = (await s.execute(select(OutboxItem.state, func.count()).where(unsettled)
                                        .group_by(OutboxItem.state))).all()
            n_due, oldest = (await s.execute(
                select(func.count().filter(OutboxItem.state == PENDING), func.min(OutboxItem.not_before))
                .where(unsettled, due))).one()
        counts = {state: int(n) for state, n in by_state}
        counts["due"] = int(n_due or 0)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=now.tzinfo)  # a bare aggregate loses the column type on some backends
        return OutboxStats(counts, max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0)

    async def next_due(self) -> datetime | None:
        """When the next pending delivery is due."""
        async with self.db.session() as s:
            return await s.scalar(select(func.min(OutboxItem.not_before)).where(OutboxItem.state == PENDING))

    async def group_entries(self, group_key: str) -> list[GroupEntry]:
        """States of a group's deliveries, without payloads."""
        q = (select(OutboxItem.conversation_id, OutboxItem.state, OutboxItem.last_error, OutboxItem.attempts)
             .where(OutboxItem.group_key == group_key).order_by(OutboxItem.id))
        async with self.db.session() as s:
            return [GroupEntry(*r) for r in (await s.execute(q)).all()]

    async def conversation_refs(self, ids: set[str]) -> dict[str, tuple[dict[str, Any] | None, str]]:
        """Stored reference (None for inactive ones) and tenant of the given conversations (one query per batch)."""
        if not ids:
            return {}
        q = (select(Conversation.id, Conversation.active, Conversation.reference, Conversation.tenant_id)
             .where(Conversation.id.in_(ids)))
        async with self.db.session() as s:
            return {cid: (ref if active else None, tenant) for cid, active, ref, tenant in (await s.execute(q)).all()}
