"""Who works the outbox: on PostgreSQL only the scheduler's leader, so Teams' per-app limit holds across instances."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.delivery.engine import DeliveryEngine
from bot.scheduling.scheduler import Scheduler
from bot.storage.db import sync_url

log = logging.getLogger(__name__)


def claim_gate(database_url: str, scheduler: Scheduler | None) -> Callable[[], bool] | None:
    """When this instance may claim outbox rows; None means always (SQLite: one instance, nothing to share).

    Teams limits an app to about 50 requests/s however many instances it runs. Each instance has its own limiter, so
    the outbox is worked by one instance at a time: the holder of the scheduler's PostgreSQL advisory lock, which
    exists already, is taken over within a second when its holder stops or dies, and never held by two. The others
    answer activities and enqueue; their rows are sent by the leader.
    """
    if not sync_url(database_url).startswith("postgresql"):
        return None
    if scheduler is None:
        # SCHEDULER_ENABLED=false: never leads, so never sends proactively (another instance, with the scheduler, does).
        log.warning("scheduler off on PostgreSQL: this instance only enqueues outbound messages")
        return lambda: False
    return lambda: scheduler.is_leader


def gate_engine(engine: DeliveryEngine, database_url: str, scheduler: Scheduler | None) -> None:
    """Let the engine claim only when this instance may, and start claiming the moment it takes leadership over."""
    gate = claim_gate(database_url, scheduler)
    if gate is None:
        return
    engine.may_claim = gate
    if scheduler is not None:
        scheduler.on_leadership(lambda: _took_over(engine))


def _took_over(engine: DeliveryEngine) -> None:
    """Claim now; rows the old leader left claimed are taken over once its sends have timed out (outbox.reclaim_after)."""
    engine.took_over_at = engine.services.clock.now()
    engine.kick()
