"""How many sends may be on the wire at once: enough for the app's limit at the connector's measured answer time.

A send on the wire when its instance dies (kill -9) is in doubt: the connector may or may not have taken it, and the
row is sent again after the take-over. Keeping few on the wire keeps that number small without slowing the app down.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

MIN_ON_WIRE = 4  # at least this many at once, whatever the answer time
HEADROOM = 1.5  # room over rate x answer time, for answer times that vary


class WireGate:
    """At most `cap` sends between leaving and being marked sent; the cap follows the moving average answer time."""

    def __init__(self, per_second: int, ceiling: int, latency: float = 0.1) -> None:
        self.per_second = per_second
        self.ceiling = ceiling
        self.latency = latency  # seconds from leaving to settled, moving average
        self.on_wire = 0
        self._free = asyncio.Event()

    @property
    def cap(self) -> int:
        """The current bound."""
        need = math.ceil(self.per_second * self.latency * HEADROOM) + 1
        return max(MIN_ON_WIRE, min(self.ceiling, need))

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Wait for room, hold it for one send and its settling, and measure how long that took."""
        while self.on_wire >= self.cap:
            self._free.clear()
            await self._free.wait()
        self.on_wire += 1
        started = time.monotonic()
        try:
            yield
        finally:
            self.on_wire -= 1
            self.latency += (time.monotonic() - started - self.latency) / 8
            self._free.set()
