"""The delivery engine: works the outbox, within Teams' rate limits, retrying what may succeed later.

Broadcasts, gate reminders, poll reminders and notices all go through here. Each row is keyed, so
a restart or a second instance never sends a delivery twice; a claim left by a dead worker is
picked up again after a while.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Protocol

from bot.delivery.outbox import NewDelivery, OutboxRow
from bot.delivery.ratelimit import TeamsLimits
from bot.delivery.send_errors import DEAD, RETRYABLE, SendError, backoff, classify
from bot.kernel.observers import NULL, Observer
from bot.services import Services

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
SEND_TIMEOUT_S = 30.0
MAX_LIMIT_WAIT_S = 5.0  # longer rate-limit waits hand the row back to the outbox
STANDBY_POLL_S = 0.5  # a standby checks this often whether it leads now (it is also kicked when it takes over)
TENANT_REFUSED = "tenant_not_allowed"  # the failure reason of a delivery to a tenant not in ALLOWED_TENANTS
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
        self._listeners: list[tuple[str, Listener]] = []
        self._accepting = True
        self._stop_hooks: list[Callable[[], Awaitable[None]]] = []
        self.observer: Observer = NULL
        self._stopping: asyncio.Future[None] | None = None

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
        conv = await self.services.conversations.get(conversation_id)
        if conv is None or not conv.active:
            raise SendError(404, "conversation inactive", code="inactive")
        if not self.services.settings.tenant_allowed(conv.tenant_id):
            raise SendError(403, "tenant not allowed", code=TENANT_REFUSED)
        permit, _ = await self.limits.permit(conversation_id)
        payload: dict[str, Any] = {"activity": activity}
        if update_activity_id:
            payload["update_activity_id"] = update_activity_id
        try:
            return await asyncio.wait_for(self._send(conv.reference, payload), self.send_timeout)
        except Exception as exc:
            err = classify(exc)
            if err.status == 429:
                self.observer.throttle("connector")
            raise err from exc
        finally:
            if permit:
                permit.done()

    # -- worker ------------------------------------------------------------------------------
    async def _run(self) -> None:
        low_water = max(1, self.concurrency // 4)
        while self._accepting:
            if not self.may_claim():
                # A standby enqueues only; it looks again when kicked (leadership taken) or after a short while.
                self._wake.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=STANDBY_POLL_S)
                continue
            free = self.concurrency - len(self._inflight)
            if free < low_water:
                # Claim in batches, not one row per finished send (each claim is a write).
                self._slot.clear()
                await self._slot.wait()
                continue
            try:
                stale = timedelta(seconds=self.services.settings.outbox_stale_seconds)
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
            if rows:
                continue
            self._wake.clear()
            timeout = await self._idle_wait()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=timeout)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        self._sending.discard(task)
        if self._accepting:
            self._rows.pop(task, None)
        if self.concurrency - len(self._inflight) >= max(1, self.concurrency // 4):
            self._slot.set()

    async def _idle_wait(self) -> float:
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
            permit, wait = await self.limits.permit(row.conversation_id, max_wait=MAX_LIMIT_WAIT_S)
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
        try:
            activity_id = await asyncio.wait_for(self._send(reference, row.payload), self.send_timeout)
        except Exception as exc:
            permit.done()
            await self._failed(row, classify(exc))
            return
        permit.done()
        await outbox.mark_sent(row.id, self.worker, activity_id)
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
        self.observer.delivery(outcome)
        for prefix, listener in self._listeners:
            if row.group_key.startswith(prefix):
                try:
                    await listener(row, outcome, detail)
                except Exception:
                    log.warning("delivery listener failed", exc_info=True)
