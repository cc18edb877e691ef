"""An .ics file for one event (the fallback when Graph is off): the user adds it to their own calendar."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import icalendar

from bot.calendar.port import EventSpec

PRODID = "-//faggruppe-bot//NO"


def _plain(html: str) -> str:
    """HTML body as plain text for DESCRIPTION."""
    text = re.sub(r"<br\s*/?>|</p>|</li>|</div>", "\n", html, flags=re.IGNORECASE)
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"\n{3,}", "\n\n", unescape(text)).strip()


def event_ics(spec: EventSpec, uid: str, tz: ZoneInfo, *, stamp: datetime | None = None) -> bytes:
    """A VCALENDAR with one VEVENT (with VTIMEZONE for timed events); all-day ends are exclusive dates."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    ev = icalendar.Event()
    ev.add("uid", uid)
    ev.add("dtstamp", (stamp or datetime.now(UTC)).astimezone(UTC))
    ev.add("summary", spec.subject)
    if spec.all_day:
        start = spec.start if not isinstance(spec.start, datetime) else spec.start.date()
        end = spec.end if not isinstance(spec.end, datetime) else spec.end.date()
        ev.add("dtstart", start)
        ev.add("dtend", end if end > start else start + timedelta(days=1))
    else:
        assert isinstance(spec.start, datetime) and isinstance(spec.end, datetime)
        ev.add("dtstart", spec.start.replace(tzinfo=tz) if spec.start.tzinfo is None else spec.start.astimezone(tz))
        ev.add("dtend", spec.end.replace(tzinfo=tz) if spec.end.tzinfo is None else spec.end.astimezone(tz))
    if spec.body_html:
        ev.add("description", _plain(spec.body_html))
        ev.add("x-alt-desc", spec.body_html, parameters={"FMTTYPE": "text/html"})
    if spec.location:
        ev.add("location", spec.location)
    if spec.categories:
        ev.add("categories", list(spec.categories))
    for person in spec.attendees:
        ev.add("attendee", f"mailto:{person}", parameters={"ROLE": "REQ-PARTICIPANT", "RSVP": "TRUE"})
    cal.add_component(ev)
    if not spec.all_day:
        cal.add_missing_timezones()
    return cal.to_ical()
