"""Sliding-window rate limits matching Teams' bot limits (per conversation and per app).

Teams counts a request when it arrives; we only know when it left and when its answer came. A send
therefore occupies its slot from when it leaves until a full period after its answer: whatever the
network does in between, the connector never sees more than the limit in any window.

A send reserves a slot in all its windows at once (the conversation's three and the app's), so a
task waiting for a busy conversation never holds up sends to other conversations, and no slot is
taken in one window while waiting for another. Reservation is synchronous (no await between
checking and taking), which makes it atomic on the event loop without locks.

The app's window is also paced: sends leave at least half a period / limit apart, so a full window goes out over
half a period instead of in one burst. A burst makes the answers slow (every send competes for the CPU at once) and a
slot is only free a period after its answer, so each slow answer delays the next round; paced sends are answered
quickly and the app keeps close to its limit (tests/test_rate_instances.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict, deque

MARGIN_S = 0.01  # clock granularity
PACE = 0.5  # the app's sends are spread over this part of a period (the least gap: PACE / limit seconds)
STUCK_S = 45.0  # a send unanswered this long no longer holds its slot (the send timeout is shorter)


class _Stamp:
    """One slot taken in a window: when it was taken, or when its send finished once `done`."""
    __slots__ = ("done", "t")

    def __init__(self, t: float, done: bool) -> None:
        self.t = t
        self.done = done


class SlidingWindow:
    """At most `limit` sends in any `period` seconds, a send counting until a period after its answer."""

    def __init__(self, limit: int, period: float, margin: float = MARGIN_S, spacing: float = 0.0) -> None:
        self.limit = limit
        self.period = period + margin
        self.spacing = spacing  # the least time between two sends (0: none)
        self._stamps: deque[_Stamp] = deque()
        self._last = float("-inf")
        self.blocked_until = 0.0

    def _prune(self, now: float) -> None:
        """Drop stamps that no longer count: finished a period ago, or unanswered longer than STUCK_S."""
        self._stamps = deque(
            s for s in self._stamps
            if not ((s.done and now - s.t >= self.period) or (not s.done and now - s.t >= STUCK_S))
        )

    def wait_time(self, now: float) -> float:
        """Seconds until one more send fits (0 when it fits now; a period when it waits for an answer)."""
        wait = max(0.0, self.blocked_until - now, self._last + self.spacing - now)
        if len(self._stamps) >= self.limit:
            self._prune(now)
        if len(self._stamps) >= self.limit:
            done = [s.t for s in self._stamps if s.done]
            wait = max(wait, self.period - (now - min(done)) if done else self.period)
        return wait

    def take(self, now: float, done: bool = False) -> _Stamp:
        """Record one send leaving at `now` (after wait_time said it fits)."""
        stamp = _Stamp(now, done)
        self._stamps.append(stamp)
        self._last = now
        return stamp

    def block_for(self, seconds: float) -> None:
        """Back off (a 429 with Retry-After)."""
        self.blocked_until = max(self.blocked_until, time.monotonic() + seconds)


class Permit:
    """Slots taken for one send; call done() when its answer (or error) came."""

    def __init__(self, stamps: list[_Stamp], limits: TeamsLimits) -> None:
        self._stamps = stamps
        self._limits = limits

    def done(self) -> None:
        """The send is over: its slots count until a period from now."""
        now = time.monotonic()
        for s in self._stamps:
            s.t = now
            s.done = True
        self._limits._signal()


class TeamsLimits:
    """Per-conversation windows (7/1 s, 8/2 s, 60/30 s) and one per-app window (50/1 s)."""

    MAX_CONVERSATIONS = 10_000

    def __init__(self, per_app: int = 50, margin: float = MARGIN_S) -> None:
        self.margin = margin
        self.app = SlidingWindow(per_app, 1.0, margin, spacing=PACE / per_app)
        self._conv: OrderedDict[str, tuple[SlidingWindow, ...]] = OrderedDict()
        self._changed = asyncio.Event()

    def _windows(self, conversation_id: str) -> tuple[SlidingWindow, ...]:
        """The conversation's three windows, created on first use; least recently used dropped past MAX_CONVERSATIONS."""
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

    def _signal(self) -> None:
        """Wake every waiting permit() so it checks its windows again (a slot was freed or its time moved)."""
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def permit(self, conversation_id: str, max_wait: float | None = None) -> tuple[Permit | None, float]:
        """Wait for room in the conversation's windows and the app's and take it: (permit, 0.0).

        With `max_wait`, gives up instead of waiting longer: (None, the remaining wait).
        """
        windows = (*self._windows(conversation_id), self.app)
        started = time.monotonic()
        while True:
            now = time.monotonic()
            wait = max(w.wait_time(now) for w in windows)
            if wait <= 0:
                return Permit([w.take(now) for w in windows], self), 0.0
            if max_wait is not None and (now - started) + wait > max_wait:
                return None, wait
            changed = self._changed
            # Woken early when any send finishes: its slot may be the one we wait for.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), timeout=wait)

    def conversation_wait(self, conversation_id: str) -> float:
        """Seconds until the conversation's own windows allow a send (0: only the app's window may hold it up)."""
        now = time.monotonic()
        return max(w.wait_time(now) for w in self._windows(conversation_id))

    def back_off(self, conversation_id: str, seconds: float) -> None:
        """Honour a 429 for this conversation."""
        for w in self._windows(conversation_id):
            w.block_for(seconds)
