"""Microsoft Graph calendars: the only package that imports msgraph and azure.identity."""

from __future__ import annotations

from bot.config import Settings
from bot.domain.calendar import Calendar


def graph_configured(settings: Settings) -> bool:
    """True when enough is configured to talk to Graph."""
    if not settings.graph_organizer:
        return False
    if settings.graph_auth == "managed-identity":
        return True
    return bool(settings.graph_tenant_id and settings.graph_client_id
                and (settings.graph_client_secret or settings.graph_client_certificate_path))


async def build_calendar(settings: Settings) -> tuple[Calendar | None, str]:
    """The Graph calendar, or None with the reason it is off."""
    if not graph_configured(settings):
        return None, "off: not configured (polls offer .ics files; deadlines are reminded in Teams only)"
    return None, "off: Graph client not built yet"
