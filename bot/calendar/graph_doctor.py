"""The Graph part of `python -m bot doctor --online`: a token from Entra ID, the organiser's calendar, free/busy."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Protocol

from azure.core.exceptions import ServiceRequestError

from bot.calendar.port import CalendarError
from bot.config import Settings

AADSTS = re.compile(r"AADSTS\d+")


class Report(Protocol):
    """Where checks go (bot/ops/doctor.py): one line each, in the operator's language."""

    def ok(self, key: str, **params: object) -> None:
        """Record a check that passed."""
    def note(self, key: str, **params: object) -> None:
        """Record something worth knowing that is not an error."""
    def error(self, key: str, **params: object) -> None:
        """Record a check that failed."""


def reason(exc: BaseException) -> str:
    """The exception's type and Entra ID error code: language-neutral, never a secret."""
    code = AADSTS.search(str(exc))
    return f"{type(exc).__name__}{' ' + code.group(0) if code else ''}"


async def check_graph_online(settings: Settings, report: Report) -> None:
    """Get a token and make the calls the bot makes; each failure names the permission or setting to fix."""
    from bot.calendar.graph import READ_PERMISSION, WRITE_PERMISSION, GraphCalendar
    from bot.calendar.graph_client import build_credential, scope_for

    try:
        credential = build_credential(settings)
    except Exception as exc:
        report.error("doctor.graph_credential", reason=reason(exc))
        return
    calendar = GraphCalendar(settings, credential)
    try:
        try:
            await credential.get_token(scope_for(settings.graph_base_url))
        except ServiceRequestError as exc:
            report.error("doctor.graph_unreachable", reason=reason(exc))
            return
        except Exception as exc:
            report.error("doctor.graph_no_token", reason=reason(exc))
            return
        report.ok("doctor.graph_token")
        try:
            name = await calendar.read_calendar()
            report.ok("doctor.graph_calendar", name=name, organizer=settings.graph_organizer)
        except CalendarError:
            report.error("doctor.graph_calendar_denied", organizer=settings.graph_organizer, permission=WRITE_PERMISSION)
        try:
            now = datetime.now(UTC)
            await calendar.get_schedule([settings.graph_organizer], now, now + timedelta(days=1))
            report.ok("doctor.graph_freebusy")
        except CalendarError:
            # Suggestions still work without free/busy: a note, not an error.
            report.note("doctor.graph_freebusy_denied", permission=READ_PERMISSION)
    finally:
        await calendar.close()
