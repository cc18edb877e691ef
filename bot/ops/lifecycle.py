"""Shutdown: at SIGTERM release the scheduler lock at once and drain sends alongside the in-flight turns, within the grace."""

from __future__ import annotations

import asyncio
import logging
import os
import threading

from aiohttp import web

log = logging.getLogger(__name__)
_draining: set[asyncio.Task[None]] = set()  # referenced until done (the app's state is frozen once it runs)
# Set by `python -m bot` only: the process itself may end (never a test process running apps in-process).
HARD_EXIT = web.AppKey("hard_exit_after_grace", bool)
EXIT_SLACK_S = 3.0  # cleanup after the grace (closing the scheduler and the database)


def _give_up() -> None:
    """Exit at once when the shutdown grace is over, not waiting for sends hung in threads."""
    # Sends run as blocking HTTP calls in threads (botbuilder's connector client); the interpreter would wait for a
    # hung one however long it takes. Its outbox row stays claimed and is sent again after OUTBOX_STALE_SECONDS.
    log.warning("shutdown grace exceeded: exiting with sends still waiting on the connector")
    logging.shutdown()
    os._exit(0)


async def begin_shutdown(app: web.Application) -> None:
    """aiohttp's on_shutdown: runs once the listening socket is closed, before it waits for the requests under way.

    The scheduler lock is released first, so the other instance takes over now rather than after the drain; the
    delivery engine stops claiming and gets the same grace as the turns (aiohttp's shutdown_timeout), in parallel.
    """
    from bot.app import ENGINE, SERVICES, SETTINGS

    grace = float(app[SETTINGS].shutdown_grace_seconds)
    log.info("shutdown started", extra={"grace_seconds": grace})
    services = app.get(SERVICES)
    if services is not None and services.scheduler is not None:
        try:
            await services.scheduler.resign()
        except Exception:
            log.warning("could not release the scheduler lock early", exc_info=True)
    engine = app.get(ENGINE)
    if engine is not None:
        drain = asyncio.create_task(engine.stop(grace=grace), name="delivery-drain")
        _draining.add(drain)
        drain.add_done_callback(_draining.discard)
    if app.get(HARD_EXIT):
        watchdog = threading.Timer(grace + EXIT_SLACK_S, _give_up)
        watchdog.daemon = True
        watchdog.start()


def install(app: web.Application) -> None:
    """Register the shutdown start (the rest of the order stays in the app's cleanup)."""
    app.on_shutdown.append(begin_shutdown)
