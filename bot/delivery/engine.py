"""The delivery engine: works the outbox, within Teams' rate limits, retrying what may succeed later.

Broadcasts, gate reminders, poll reminders and notices all go through here. Each row is keyed, so
a restart or a second instance never sends a delivery twice; a claim left by a dead worker is
picked up again after a while.

A kill -9 leaves few rows in doubt: rows are claimed a few at a time (what can leave soon) and only a few sends are on
the wire at once (bot/delivery/wire.py); only those may arrive twice after a take-over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.delivery.direct import TENANT_REFUSED, send_direct
from bot.delivery.outbox import NewDelivery, OutboxRow, reclaim_after
from bot.delivery.ratelimit import TeamsLimits
from bot.delivery.send_errors import DEAD, RETRYABLE, SendError, backoff, classify
from bot.delivery.wire import WireGate
from bot.kernel.observers import NULL, Observer
from bot.services import Services

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
SEND_TIMEOUT_S = 30.0
MAX_LIMIT_WAIT_S = 5.0  # longer rate-limit waits hand the row back to the outbox
PREFETCH_S = 0.25  # rows claimed ahead: what the app's limit lets out in this long
STANDBY_POLL_S = 0.5  # a standby checks this often whether it leads now (it is also kicked when it takes over)
Listener = Callable[[OutboxRow, str, str], Awaitable[None]]  # row, outcome (sent/failed/retry), detail


class Sender(Protocol):
    """The host's transport: one message to a stored conversation reference. Channel errors propagate (classified here)."""

    async def deliver(self, reference: dict[str, Any], payload: dict[str, Any]) -> str:
        """Send payload["activity"] (or update payload["update_activity_id"] with it); returns the activity id."""
        ...


class DeliveryEngine:
    """Claims due outbox rows and sends them concurrently within Teams' limits."""

    def __init__(self, sender: Sender, services: Services, *, concurrency: int = 64,
                 limits: TeamsLimits | None = None, may_claim: Callable[[], bool] | None = None) -> None:
        self.sender = sender
        # On PostgreSQL only the scheduler's leader works the outbox (bot/delivery/leadership.py): Teams' per-app limit is
        # then kept by one limiter, whatever the number of instances. None: always (one instance, SQLite).
        self.may_claim = may_claim or (lambda: True)
        self.services = services
        self.limits = limits or TeamsLimits()
        self.worker = f"w-{uuid.uuid4().hex[:10]}"
        self.concurrency = concurrency
        self._slot = asyncio.Event()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[None]] = set()
        self._sending: set[asyncio.Task[None]] = set()
        self._rows: dict[asyncio.Task[None], OutboxRow] = {}
        self._parked: set[asyncio.Task[None]] = set()  # waiting for their conversation's limit, not the app's
        self.wire = WireGate(self.limits.app.limit, min(concurrency, self.limits.app.limit))
        self.prefetch = max(2, math.ceil(self.limits.app.limit * PREFETCH_S))
        self._listeners: list[tuple[str, Listener]] = []
        self._accepting = True
        self._stop_hooks: list[Callable[[], Awaitable[None]]] = []
        self.observer: Observer = NULL
        self._stopping: asyncio.Future[None] | None = None
        self.took_over_at: datetime | None = None  # when this instance last became the one that sends

    @property
    def inflight(self) -> int:
        """Rows this instance holds (claimed, waiting for a slot or being sent)."""
        return len(self._inflight)

    # -- API ---------------------------------------------------------------------------------
    async def enqueue(self, items: list[NewDelivery]) -> int:
        """Queue deliveries (new keys only) and wake the worker."""
        added = await self.services.outbox.enqueue(items)
        self.kick()
        return added

    def kick(self) -> None:
        """Look at the outbox now."""
        self._wake.set()

    def listen(self, group_prefix: str, listener: Listener) -> None:
        """Call listener after each attempt on rows whose group key starts with prefix."""
        self._listeners.append((group_prefix, listener))

    def on_stop(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Run hook first when the engine stops (features stop their own background work)."""
        self._stop_hooks.append(hook)

    def start(self) -> None:
        """Start the worker loop."""
        self._accepting = True
        self._task = asyncio.create_task(self._run(), name="delivery-engine")

    async def stop(self, grace: float = 20.0) -> None:
        """Stop claiming; hand back rows not yet on the wire, let sends under way finish (up to grace). Idempotent."""
        if self._stopping is None:
            self._stopping = asyncio.ensure_future(self._stop(grace))
        await asyncio.shield(self._stopping)

    async def _stop(self, grace: float) -> None:
        self._accepting = False
        for hook in self._stop_hooks:
            try:
                await hook()
            except Exception:
                log.warning("delivery stop hook failed", exc_info=True)
        self.kick()
        self._slot.set()
        if self._task:
            # Let the loop finish a claim in progress (its rows get tasks, which are released below).
            done, _ = await asyncio.wait({self._task}, timeout=min(5.0, grace))
            if not done:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
        waiting = [(task, self._rows[task]) for task in self._inflight - self._sending]
        for task, _ in waiting:
            task.cancel()  # not on the wire yet (rate-limit wait): hand the row back below
        if self._inflight:
            await asyncio.wait(self._inflight, timeout=grace)
        for _, row in waiting:
            with contextlib.suppress(Exception):
                await self.services.outbox.release(row.id, self.worker, timedelta(0))
        for task in list(self._inflight):
            # Past the grace period: the row stays claimed and is taken up again after the stale timeout.
            task.cancel()

    @property
    def send_timeout(self) -> float:
        """Seconds one send may take: well inside the stale-claim window, so a live send is never taken over."""
        return min(SEND_TIMEOUT_S, self.services.settings.outbox_stale_seconds / 2)

    async def send_now(self, conversation_id: str, activity: dict[str, Any], update_activity_id: str | None = None) -> str:
        """Send (or update) one message at once, outside the outbox but within the rate limits; raises SendError."""
        return await send_direct(self, conversation_id, activity, update_activity_id)

    # -- worker ------------------------------------------------------------------------------
    async def _run(self) -> None:
        low_water = max(1, self.prefetch // 2)
        while self._accepting:
            if not self.may_claim():
                # A standby enqueues only; it looks again when kicked (leadership taken) or after a short while.
                self._wake.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=STANDBY_POLL_S)
                continue
            waiting = len(self._inflight) - len(self._sending) - len(self._parked)
            free = min(self.concurrency - len(self._inflight), self.prefetch - waiting)
            if free < low_water:
                # Claim a few rows at a time (each claim is a write), only about what can leave soon: a claimed row
                # is in doubt if this instance dies.
                self._slot.clear()
                await self._slot.wait()
                continue
            try:
                stale = reclaim_after(self.services.settings.outbox_stale_seconds, self.send_timeout,
                                      self.took_over_at, self.services.clock.now())
                rows = await self.services.outbox.claim(self.worker, limit=free, stale_after=stale)
                claimed_at = time.monotonic()
            except Exception:
                log.warning("outbox claim failed", exc_info=True)
                rows = []
            refs: dict[str, tuple[dict[str, Any] | None, str]] = {}
            if rows:
                try:
                    refs = await self.services.outbox.conversation_refs({r.conversation_id for r in rows})
                except Exception:
                    log.warning("conversation lookup failed", exc_info=True)
            for row in rows:
                task = asyncio.create_task(self._deliver(row, *refs.get(row.conversation_id, (None, "")), claimed_at))
                self._inflight.add(task)
                self._rows[task] = row
                task.add_done_callback(self._done)
            if len(rows) == free:
                continue
            self._wake.clear()
            timeout = await self._idle_wait()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=timeout)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        self._sending.discard(task)
        self._parked.discard(task)
        if self._accepting:
            self._rows.pop(task, None)
        self._slot.set()

    async def _idle_wait(self) -> float:
        """Seconds to sleep when nothing is due: until the next due row, at most one second."""
        try:
            due = await self.services.outbox.next_due()
        except Exception:
            return 1.0
        if due is None:
            return 1.0
        return max(0.01, min(1.0, (due - self.services.clock.now()).total_seconds()))

    async def _deliver(self, row: OutboxRow, reference: dict[str, Any] | None, tenant: str, claimed_at: float) -> None:
        outbox = self.services.outbox
        task = asyncio.current_task()
        try:
            # Checked at send time, not when queued: a tenant removed from ALLOWED_TENANTS gets nothing more, even
            # from reminders and broadcasts queued or conversations stored before.
            refused = "inactive" if reference is None else \
                TENANT_REFUSED if not self.services.settings.tenant_allowed(tenant) else ""
            if refused:
                await outbox.mark_failed(row.id, self.worker, refused)
                await self._notify(row, "failed", refused)
                return
            if task is not None and self.limits.conversation_wait(row.conversation_id) > 0:
                self._parked.add(task)  # held up by its own conversation: claim rows for others meanwhile
                self._slot.set()
            permit, wait = await self.limits.permit(row.conversation_id, max_wait=MAX_LIMIT_WAIT_S)
            self._parked.discard(task)  # type: ignore[arg-type]
            if permit is None:
                # A long wait (a 429 back-off): give the row back rather than hold it claimed.
                await outbox.release(row.id, self.worker, timedelta(seconds=wait))
                self.kick()
                return
            # After a long wait for a slot, renew the claim so no other instance thinks this worker died, and skip
            # the row if one already took it over (it is sent there, once).
            waited_long = time.monotonic() - claimed_at > self.services.settings.outbox_stale_seconds / 4
            if waited_long and not await outbox.touch_claim(row.id, self.worker):
                permit.done()
                return
            if not self.may_claim():
                # Leadership moved while this row waited for a slot: the new leader's limiter sends it, not this one.
                permit.done()
                await outbox.release(row.id, self.worker, timedelta(0))
                return
        except Exception as exc:
            await self._failed(row, classify(exc))
            return
        if task is not None:
            self._sending.add(task)
            self._slot.set()
        async with self.wire.slot():
            if not self.may_claim():  # let go while waiting for the wire: the new leader may take this row over
                permit.done()
                await outbox.release(row.id, self.worker, timedelta(0))
                return
            try:
                activity_id = await asyncio.wait_for(self._send(reference, row.payload), self.send_timeout)
            except Exception as exc:
                permit.done()
                await self._failed(row, classify(exc))
                return
            permit.done()
            await outbox.mark_sent(row.id, self.worker, activity_id)  # at once: in doubt only while on the wire
        await self._notify(row, "sent", activity_id)

    async def _failed(self, row: OutboxRow, err: SendError) -> None:
        outbox = self.services.outbox
        detail = f"{err.status}:{err.code}" if err.code else str(err.status)
        if err.status == 429:
            self.observer.throttle("connector")
        if err.status in DEAD:
            await self.services.conversations.deactivate(row.conversation_id, f"{err.status} {err.code}".strip())
            await outbox.mark_failed(row.id, self.worker, detail)
            await self._notify(row, "failed", detail)
            return
        if (err.status in RETRYABLE or err.status == 0) and row.attempts < MAX_ATTEMPTS:
            delay = backoff(row.attempts, err.retry_after)
            if err.status == 429:
                self.limits.back_off(row.conversation_id, delay)
            await outbox.mark_retry(row.id, self.worker, detail, timedelta(seconds=delay))
            self.observer.retry("connector")
            await self._notify(row, "retry", detail)
            self.kick()
            return
        await outbox.mark_failed(row.id, self.worker, detail)
        await self._notify(row, "failed", detail)

    async def _send(self, reference: dict[str, Any], payload: dict[str, Any]) -> str:
        return await self.sender.deliver(reference, payload)

    async def _notify(self, row: OutboxRow, outcome: str, detail: str) -> None:
        """Count the outcome and tell the listeners of the row's group (broadcast reports, dead-chat notices)."""
        self.observer.delivery(outcome)
        for prefix, listener in self._listeners:
            if row.group_key.startswith(prefix):
                try:
                    await listener(row, outcome, detail)
                except Exception:
                    log.warning("delivery listener failed", exc_info=True)
