"""The delivery engine: works the outbox, within Teams' rate limits, retrying what may succeed later.

Broadcasts, gate reminders, poll reminders and notices all go through here. Each row is keyed, so
a restart or a second instance never sends a delivery twice; a claim left by a dead worker is
picked up again after a while.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import aiohttp
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ConversationReference, Entity, Mention

from bot.services import Services
from bot.storage.outbox import NewDelivery, OutboxRow
from bot.teams.ratelimit import TeamsLimits

log = logging.getLogger(__name__)
RETRYABLE = {408, 412, 429, 500, 502, 503, 504}
DEAD = {403, 404}
MAX_ATTEMPTS = 8
SEND_TIMEOUT_S = 30.0
Listener = Callable[[OutboxRow, str, str], Awaitable[None]]  # row, outcome (sent/failed/retry), detail


class SendError(Exception):
    """A send failed with an HTTP status (0 for network errors) and an optional Retry-After."""

    def __init__(self, status: int, message: str, retry_after: float | None = None, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.code = code


def classify(exc: BaseException) -> SendError:
    """Turn a connector exception into status / Retry-After / error code."""
    if isinstance(exc, SendError):
        return exc
    if isinstance(exc, (asyncio.TimeoutError, aiohttp.ClientError, ConnectionError, OSError)):
        return SendError(0, type(exc).__name__)
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None) or getattr(response, "status", None) or 0
    headers = getattr(response, "headers", None) or {}
    retry_after = None
    raw = headers.get("Retry-After") if hasattr(headers, "get") else None
    if raw:
        with contextlib.suppress(ValueError):
            retry_after = float(raw)
    code = ""
    err = getattr(exc, "error", None)
    inner = getattr(err, "error", None)
    if inner is not None:
        code = getattr(inner, "code", "") or ""
    return SendError(int(status), f"{type(exc).__name__} {status}", retry_after, code)


def backoff(attempt: int, retry_after: float | None) -> float:
    """Retry-After when given, else exponential backoff with full jitter (capped)."""
    if retry_after is not None:
        return max(0.0, min(retry_after, 300.0))
    return random.uniform(0.5, min(60.0, 0.5 * 2 ** attempt))


class DeliveryEngine:
    """Claims due outbox rows and sends them concurrently within Teams' limits."""

    def __init__(self, adapter: CloudAdapter, services: Services, app_id: str, *, concurrency: int = 32) -> None:
        self.adapter = adapter
        self.services = services
        self.app_id = app_id or None
        self.limits = TeamsLimits()
        self.worker = f"w-{uuid.uuid4().hex[:10]}"
        self._sem = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[None]] = set()
        self._listeners: list[tuple[str, Listener]] = []
        self._accepting = True

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

    def start(self) -> None:
        """Start the worker loop."""
        self._task = asyncio.create_task(self._run(), name="delivery-engine")

    async def stop(self, grace: float = 20.0) -> None:
        """Stop claiming new work and let in-flight sends finish."""
        self._accepting = False
        self.kick()
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._inflight:
            await asyncio.wait(self._inflight, timeout=grace)

    @property
    def inflight(self) -> int:
        """Sends under way."""
        return len(self._inflight)

    # -- worker ------------------------------------------------------------------------------
    async def _run(self) -> None:
        while self._accepting:
            try:
                rows = await self.services.outbox.claim(self.worker, limit=200)
            except Exception:
                log.warning("outbox claim failed", exc_info=True)
                rows = []
            for row in rows:
                await self._sem.acquire()
                task = asyncio.create_task(self._deliver(row))
                self._inflight.add(task)
                task.add_done_callback(self._done)
            if rows:
                continue
            self._wake.clear()
            timeout = await self._idle_wait()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=timeout)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        self._sem.release()

    async def _idle_wait(self) -> float:
        try:
            due = await self.services.outbox.next_due()
        except Exception:
            return 1.0
        if due is None:
            return 1.0
        return max(0.01, min(1.0, (due - self.services.clock.now()).total_seconds()))

    async def _deliver(self, row: OutboxRow) -> None:
        outbox = self.services.outbox
        try:
            conv = await self.services.conversations.get(row.conversation_id)
            if conv is None or not conv.active:
                await outbox.mark_failed(row.id, self.worker, "inactive")
                await self._notify(row, "failed", "inactive")
                return
            await self.limits.acquire(row.conversation_id)
            activity_id = await asyncio.wait_for(self._send(conv.reference, row.payload), SEND_TIMEOUT_S)
        except Exception as exc:
            err = classify(exc)
            await self._failed(row, err)
            return
        await outbox.mark_sent(row.id, self.worker, activity_id)
        await self._notify(row, "sent", activity_id)

    async def _failed(self, row: OutboxRow, err: SendError) -> None:
        outbox = self.services.outbox
        detail = f"{err.status}:{err.code}" if err.code else str(err.status)
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
            await self._notify(row, "retry", detail)
            self.kick()
            return
        await outbox.mark_failed(row.id, self.worker, detail)
        await self._notify(row, "failed", detail)

    async def _send(self, reference: dict[str, Any], payload: dict[str, Any]) -> str:
        ref = ConversationReference().deserialize(reference)
        activity = Activity().deserialize(payload["activity"])
        raw_entities = payload["activity"].get("entities") or []
        if any(isinstance(e, dict) and e.get("type") == "mention" for e in raw_entities):
            # Entity keeps only `type` when deserialised; mentions need their `mentioned` and `text`.
            activity.entities = [Mention().deserialize(e) if e.get("type") == "mention" else Entity().deserialize(e)
                                 for e in raw_entities if isinstance(e, dict)]
        update_id = payload.get("update_activity_id")
        result: dict[str, Any] = {}

        async def callback(turn: TurnContext) -> None:
            # Caught here: the adapter's on_turn_error would otherwise swallow it and post an apology.
            try:
                if update_id:
                    activity.id = update_id
                    await turn.update_activity(activity)
                    result["id"] = update_id
                else:
                    res = await turn.send_activity(activity)
                    result["id"] = (res.id if res else "") or ""
            except Exception as exc:
                result["error"] = exc

        await self.adapter.continue_conversation(ref, callback, self.app_id)
        if "error" in result:
            raise result["error"]
        return str(result.get("id", ""))

    async def _notify(self, row: OutboxRow, outcome: str, detail: str) -> None:
        for prefix, listener in self._listeners:
            if row.group_key.startswith(prefix):
                try:
                    await listener(row, outcome, detail)
                except Exception:
                    log.warning("delivery listener failed", exc_info=True)
