"""Scheduled broadcasts: the job sends one when its time comes (unless it was cancelled)."""

from __future__ import annotations

import logging

from bot.broadcasts.model import State
from bot.scheduling.runtime import services

log = logging.getLogger(__name__)


def job_id(broadcast_id: int) -> str:
    """The scheduler job id of a scheduled broadcast."""
    return f"broadcast:{broadcast_id}:send"


async def send_broadcast(broadcast_id: int) -> None:
    """Start sending a scheduled broadcast (a no-op when it was cancelled or has already gone)."""
    from bot.broadcasts.service import broadcaster

    started = await broadcaster(services()).start(broadcast_id, [State.SCHEDULED])
    log.info("scheduled broadcast", extra={"broadcast_id": broadcast_id, "started": started})
