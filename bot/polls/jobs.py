"""Scheduled poll jobs: the reminder before the deadline and the auto-close at it (ids only; survive restarts)."""

from __future__ import annotations

import logging

from bot.scheduling import runtime

log = logging.getLogger(__name__)


async def remind(poll_id: int) -> None:
    """Remind members who have not answered (one message, @mentions); stops quietly if the card was deleted."""
    from bot.polls.service import ops

    sent = await ops(runtime.services()).remind(poll_id)
    log.info("poll reminder", extra={"poll_id": poll_id, "mentioned": sent})


async def close_poll(poll_id: int) -> None:
    """Close at the deadline and book the best slot (skipped when the card was deleted in Teams)."""
    from bot.polls.service import ops

    o = ops(runtime.services())
    poll = await o.repo.get(poll_id)
    if poll is None or poll.state != "open":
        return
    await o.close(poll, None, background=False)
