"""Sliding-window rate limits matching Teams' bot limits (per conversation and per app)."""

from __future__ import annotations

import asyncio
import time
from collections import deque


class SlidingWindow:
    """At most `limit` acquisitions in any `period` seconds."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self._stamps: deque[float] = deque()
        self._lock = asyncio.Lock()
        self.blocked_until = 0.0

    def _wait_time(self, now: float) -> float:
        while self._stamps and now - self._stamps[0] >= self.period:
            self._stamps.popleft()
        wait = max(0.0, self.blocked_until - now)
        if len(self._stamps) >= self.limit:
            wait = max(wait, self.period - (now - self._stamps[0]))
        return wait

    async def acquire(self) -> None:
        """Wait until one more call fits in the window, then take it."""
        async with self._lock:
            while True:
                now = time.monotonic()
                wait = self._wait_time(now)
                if wait <= 0:
                    self._stamps.append(now)
                    return
                await asyncio.sleep(wait)

    def block_for(self, seconds: float) -> None:
        """Back off (a 429 with Retry-After)."""
        self.blocked_until = max(self.blocked_until, time.monotonic() + seconds)


class TeamsLimits:
    """Per-conversation windows (7/1 s, 8/2 s, 60/30 s) and one per-app window (50/1 s)."""

    def __init__(self, per_app: int = 50) -> None:
        self.app = SlidingWindow(per_app, 1.0)
        self._conv: dict[str, tuple[SlidingWindow, ...]] = {}

    def _windows(self, conversation_id: str) -> tuple[SlidingWindow, ...]:
        w = self._conv.get(conversation_id)
        if w is None:
            w = (SlidingWindow(7, 1.0), SlidingWindow(8, 2.0), SlidingWindow(60, 30.0))
            self._conv[conversation_id] = w
            if len(self._conv) > 10_000:
                self._conv.pop(next(iter(self._conv)))
        return w

    async def acquire(self, conversation_id: str) -> None:
        """Wait for room in the conversation's windows and in the app's."""
        for w in self._windows(conversation_id):
            await w.acquire()
        await self.app.acquire()

    def back_off(self, conversation_id: str, seconds: float) -> None:
        """Honour a 429 for this conversation."""
        for w in self._windows(conversation_id):
            w.block_for(seconds)
