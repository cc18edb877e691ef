"""The bounds behind a small kill -9 window: paced app sends, few sends on the wire, early take-over of a dead leader's rows."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.delivery.outbox import reclaim_after
from bot.delivery.ratelimit import PACE, TeamsLimits
from bot.delivery.wire import MIN_ON_WIRE, WireGate


def test_reclaim_after_a_take_over_waits_out_the_old_leaders_send_timeout(clock):
    now = clock.now()
    assert reclaim_after(60, 30, None, now) == timedelta(seconds=60)
    assert reclaim_after(60, 30, now - timedelta(seconds=10), now) == timedelta(seconds=60)  # its sends may be on the wire
    # 31 s after taking over: whatever was claimed before the take-over
    assert reclaim_after(60, 30, now - timedelta(seconds=31), now) == timedelta(seconds=31)
    assert reclaim_after(60, 30, now - timedelta(seconds=90), now) == timedelta(seconds=60)


def test_wire_gate_follows_the_answer_time():
    gate = WireGate(45, 45, latency=0.0)
    assert gate.cap == MIN_ON_WIRE
    gate.latency = 0.2
    assert gate.cap == 15  # 45/s x 0.2 s x 1.5 + 1
    gate.latency = 5.0
    assert gate.cap == 45


async def test_wire_gate_bounds_the_sends_at_once():
    gate = WireGate(45, 45, latency=0.05)
    over: list[tuple[int, int]] = []
    most = 0

    async def send() -> None:
        nonlocal most
        async with gate.slot():
            # The cap follows the measured answer time (it grows on a loaded machine), so compare with it as it is now.
            if gate.on_wire > gate.cap:
                over.append((gate.on_wire, gate.cap))
            most = max(most, gate.on_wire)
            await asyncio.sleep(0.05)

    await asyncio.gather(*(send() for _ in range(30)))
    assert not over and gate.on_wire == 0
    assert 1 < most < 30  # sends overlapped, but never all 30 at once


async def test_app_sends_are_paced():
    limits = TeamsLimits(per_app=50)
    loop = asyncio.get_running_loop()
    started = loop.time()
    permits = [(await limits.permit(f"c{i}"))[0] for i in range(11)]
    took = loop.time() - started
    assert all(permits)
    assert took >= 10 * PACE / 50 * 0.9  # ten gaps of PACE/limit
    assert took < 1.0  # not a whole window
