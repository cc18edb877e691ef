"""Microsoft Graph calendars: the only package that imports msgraph and azure.identity."""

from __future__ import annotations

import logging

from bot.calendar.port import Calendar
from bot.config import Settings

log = logging.getLogger(__name__)
OFF_NOT_CONFIGURED = "off: not configured (polls offer .ics files; deadlines are reminded in Teams only)"


def graph_configured(settings: Settings) -> bool:
    """True when enough is configured to talk to Graph."""
    if not settings.graph_organizer:
        return False
    if settings.graph_auth == "managed-identity":
        return True
    return bool(settings.graph_tenant_id and settings.graph_client_id
                and (settings.graph_client_secret or settings.graph_client_certificate_path))


async def build_calendar(settings: Settings) -> tuple[Calendar | None, str]:
    """The Graph calendar (it has close()), or None with the reason it is off."""
    if not graph_configured(settings):
        return None, OFF_NOT_CONFIGURED
    try:
        import asyncio

        from bot.calendar.graph import GraphCalendar, warm_up_models
        from bot.calendar.graph_client import auth_mode, build_credential

        calendar = GraphCalendar(settings, build_credential(settings))
        await asyncio.to_thread(warm_up_models)
    except Exception as exc:  # a bad certificate path or authority must not stop the bot
        log.warning("Microsoft Graph could not be set up", extra={"error": type(exc).__name__}, exc_info=True)
        return None, f"off: configuration error ({type(exc).__name__}: {str(exc)[:200]}); run `python -m bot doctor`"
    return calendar, f"on: organiser {settings.graph_organizer} ({auth_mode(settings)}, {settings.graph_base_url})"
