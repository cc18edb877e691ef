"""Scheduled retries of pending calendar bookings (job id `booking:{source_key}:retry`)."""

from __future__ import annotations

import logging

from bot.scheduling import runtime

log = logging.getLogger(__name__)


async def retry_booking(source_key: str) -> None:
    """Try a pending booking again; it reschedules itself with backoff while Graph stays unavailable."""
    services = runtime.services()
    retry = getattr(services.bookings, "retry", None)
    if retry is None:
        log.warning("no bookings service bound; booking retry skipped")
        return
    await retry(source_key)
