"""The calendar port: what the domain needs from a calendar service (implemented in bot.calendar.factory)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol


@dataclass(frozen=True)
class EventSpec:
    """An event to create or update in the organiser mailbox."""

    subject: str
    body_html: str
    start: datetime | date
    end: datetime | date
    attendees: tuple[str, ...] = ()
    online_meeting: bool = False
    location: str = ""
    categories: tuple[str, ...] = ()
    transaction_id: str = ""

    @property
    def all_day(self) -> bool:
        """Date-only start means an all-day event."""
        return not isinstance(self.start, datetime)


@dataclass(frozen=True)
class EventRef:
    """A created event: its Graph id and, for Teams meetings, the join link."""

    id: str
    web_link: str = ""
    join_url: str = ""


@dataclass(frozen=True)
class BusySlot:
    """A busy interval of one person (UTC)."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Schedule:
    """Free/busy of a set of people; `excluded` lists those that could not be looked up."""

    busy: dict[str, list[BusySlot]] = field(default_factory=dict)
    excluded: tuple[str, ...] = ()


class CalendarError(Exception):
    """A calendar call failed; `kind` is one of permission, not_found, unavailable, invalid.

    `retry_after` (seconds) is set when the service said when to come back (429/503 with Retry-After).
    """

    def __init__(self, kind: str, message: str = "", permission: str = "", retry_after: float | None = None) -> None:
        super().__init__(message or kind)
        self.kind = kind
        self.permission = permission
        self.retry_after = retry_after


class Calendar(Protocol):
    """Create, update and cancel events in the organiser mailbox; read free/busy."""

    async def create_event(self, spec: EventSpec) -> EventRef:
        """Create an event in the organiser mailbox."""

    async def update_event(self, event_id: str, spec: EventSpec) -> EventRef:
        """Replace the details of an existing event."""

    async def cancel_event(self, event_id: str, comment: str = "") -> None:
        """Cancel an event (attendees get a cancellation with `comment`)."""

    async def get_schedule(self, people: list[str], start: datetime, end: datetime) -> Schedule:
        """Free/busy of `people` between `start` and `end` (aware datetimes)."""


BOOKING_OFF, BOOKING_PENDING, BOOKING_BOOKED, BOOKING_CANCELLED, BOOKING_FAILED = (
    "off", "pending", "booked", "cancelled", "failed",
)


@dataclass(frozen=True)
class BookingStatus:
    """Where a calendar booking stands. `state` is one of the BOOKING_* values; `off` means Graph is not configured."""

    source_key: str
    state: str
    event_id: str = ""
    join_url: str = ""
    web_link: str = ""
    last_error: str = ""


class Bookings(Protocol):
    """Keeps one calendar event per source (a poll, a gate deadline): create/update/cancel, retried while pending.

    `book` creates the event the first time and updates that same event afterwards; a failure leaves the
    booking pending and the scheduler retries it; `on_change` listeners hear when a pending booking settles.
    """

    async def book(self, source_key: str, spec: EventSpec) -> BookingStatus:
        """Create or update the event of `source_key`."""

    async def cancel(self, source_key: str, comment: str = "") -> BookingStatus:
        """Cancel the event of `source_key` (also when it was never created)."""

    async def status(self, source_key: str) -> BookingStatus | None:
        """The booking of `source_key`, or None when there has been none."""

    def on_change(self, prefix: str, listener: object) -> None:
        """Call `listener` with the status whenever a booking whose key starts with `prefix` settles."""
