"""Sliding-window rate limits matching Teams' bot limits (per conversation and per app).

A send reserves a slot in all its windows at once (the conversation's three and the app's), so a
task waiting for a busy conversation never holds up sends to other conversations, and no slot is
taken in one window while waiting for another. Reservation is synchronous (no await between
checking and taking), which makes it atomic on the event loop without locks.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, deque

# The connector counts when a request arrives, we count when it leaves: a small margin keeps
# jitter in between from tipping a full window over the limit.
MARGIN_S = 0.03


class SlidingWindow:
    """At most `limit` acquisitions in any `period` seconds."""

    def __init__(self, limit: int, period: float, margin: float = MARGIN_S) -> None:
        self.limit = limit
        self.period = period + margin
        self._stamps: deque[float] = deque()
        self.blocked_until = 0.0

    def wait_time(self, now: float) -> float:
        """Seconds until one more call fits (0 when it fits now)."""
        while self._stamps and now - self._stamps[0] >= self.period:
            self._stamps.popleft()
        wait = max(0.0, self.blocked_until - now)
        if len(self._stamps) >= self.limit:
            wait = max(wait, self.period - (now - self._stamps[0]))
        return wait

    def take(self, now: float) -> None:
        """Record one call at `now` (after wait_time said it fits)."""
        self._stamps.append(now)

    async def acquire(self) -> None:
        """Wait until one more call fits in the window, then take it."""
        await reserve((self,))

    def block_for(self, seconds: float) -> None:
        """Back off (a 429 with Retry-After)."""
        self.blocked_until = max(self.blocked_until, time.monotonic() + seconds)


async def reserve(windows: tuple[SlidingWindow, ...], max_wait: float | None = None) -> float:
    """Take a slot in every window at once, waiting as needed.

    With `max_wait`, returns the remaining wait (> 0) instead of sleeping longer than that, and takes
    nothing; returns 0.0 once the slot is taken.
    """
    waited = 0.0
    while True:
        now = time.monotonic()
        wait = max(w.wait_time(now) for w in windows)
        if wait <= 0:
            for w in windows:
                w.take(now)
            return 0.0
        if max_wait is not None and waited + wait > max_wait:
            return wait
        # Small random-free step: many waiters wake together, the first ones in take the slots.
        await asyncio.sleep(wait)
        waited += wait


class TeamsLimits:
    """Per-conversation windows (7/1 s, 8/2 s, 60/30 s) and one per-app window (50/1 s)."""

    MAX_CONVERSATIONS = 10_000

    def __init__(self, per_app: int = 50, margin: float = MARGIN_S) -> None:
        self.margin = margin
        self.app = SlidingWindow(per_app, 1.0, margin)
        self._conv: OrderedDict[str, tuple[SlidingWindow, ...]] = OrderedDict()

    def _windows(self, conversation_id: str) -> tuple[SlidingWindow, ...]:
        w = self._conv.get(conversation_id)
        if w is None:
            m = self.margin
            w = (SlidingWindow(7, 1.0, m), SlidingWindow(8, 2.0, m), SlidingWindow(60, 30.0, m))
            self._conv[conversation_id] = w
            if len(self._conv) > self.MAX_CONVERSATIONS:
                self._conv.popitem(last=False)
        else:
            self._conv.move_to_end(conversation_id)
        return w

    async def acquire(self, conversation_id: str, max_wait: float | None = None) -> float:
        """Wait for room in the conversation's windows and the app's; see `reserve` for max_wait."""
        return await reserve((*self._windows(conversation_id), self.app), max_wait)

    def conversation_wait(self, conversation_id: str) -> float:
        """How long the conversation's own windows would make a send wait now."""
        now = time.monotonic()
        return max(w.wait_time(now) for w in self._windows(conversation_id))

    def back_off(self, conversation_id: str, seconds: float) -> None:
        """Honour a 429 for this conversation."""
        for w in self._windows(conversation_id):
            w.block_for(seconds)
