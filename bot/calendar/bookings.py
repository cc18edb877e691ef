"""The bookings service: one calendar event per source key, created once, then updated; retried while pending."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.calendar.port import (
    BOOKING_BOOKED,
    BOOKING_CANCELLED,
    BOOKING_FAILED,
    BOOKING_OFF,
    BOOKING_PENDING,
    BookingStatus,
    CalendarError,
    EventRef,
    EventSpec,
)
from bot.calendar.store import BookingRepo, BookingRow, without_attendees

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
Listener = Callable[[BookingStatus], Awaitable[None]]
RETRY_JOB = "booking.retry"


def retry_job_id(source_key: str) -> str:
    """The scheduler job id of a booking's retry."""
    return f"booking:{source_key}:retry"


def transaction_id_for(source_key: str, generation: str = "") -> str:
    """A stable Graph transactionId for a source (and generation), so a retried create never duplicates."""
    return "fb-" + hashlib.sha256(f"{source_key}\x00{generation}".encode()).hexdigest()[:40]


def spec_to_json(spec: EventSpec) -> dict[str, Any]:
    """An EventSpec as JSON (dates and datetimes tagged)."""
    def moment(v: datetime | date) -> dict[str, str]:
        """A start/end as JSON: a date-time for timed events, a date for all-day ones."""
        return {"datetime": v.isoformat()} if isinstance(v, datetime) else {"date": v.isoformat()}

    return {"subject": spec.subject, "body_html": spec.body_html, "start": moment(spec.start), "end": moment(spec.end),
            "attendees": list(spec.attendees), "online_meeting": spec.online_meeting, "location": spec.location,
            "categories": list(spec.categories), "transaction_id": spec.transaction_id}


def spec_from_json(data: dict[str, Any]) -> EventSpec:
    """The EventSpec stored by spec_to_json."""
    def moment(v: dict[str, str]) -> datetime | date:
        """The inverse of spec_to_json's moment."""
        return datetime.fromisoformat(v["datetime"]) if "datetime" in v else date.fromisoformat(v["date"])

    return EventSpec(subject=data["subject"], body_html=data["body_html"], start=moment(data["start"]), end=moment(data["end"]),
                     attendees=tuple(data.get("attendees", ())), online_meeting=bool(data.get("online_meeting")),
                     location=data.get("location", ""), categories=tuple(data.get("categories", ())),
                     transaction_id=data.get("transaction_id", ""))


def status_of(row: BookingRow) -> BookingStatus:
    """The BookingStatus of a stored row."""
    return BookingStatus(row.source_key, row.state, row.event_id, row.join_url, row.web_link, row.last_error)


class BookingService:
    """Implements the Bookings port over the Calendar port, the bookings table and the scheduler."""

    def __init__(self, services: Services, *, retry_base: timedelta = timedelta(seconds=30),
                 retry_max: timedelta = timedelta(hours=1)) -> None:
        """`retry_base` doubles per failed attempt of a booking, up to `retry_max`."""
        self.services = services
        self.repo = BookingRepo(services.db)
        self.retry_base = retry_base
        self.retry_max = retry_max
        self._listeners: list[tuple[str, Listener]] = []
        self._locks: dict[str, asyncio.Lock] = {}

    def on_change(self, prefix: str, listener: object) -> None:
        """Call `await listener(status)` when a pending booking whose key starts with prefix settles later."""
        self._listeners.append((prefix, listener))  # type: ignore[arg-type]

    def _lock(self, key: str) -> asyncio.Lock:
        """The lock that serialises calls for one source key (create/update/cancel must not race)."""
        return self._locks.setdefault(key, asyncio.Lock())

    def _now(self) -> datetime:
        """The current time (UTC) from the services' clock."""
        return self.services.clock.now()

    async def status(self, source_key: str) -> BookingStatus | None:
        """Where the booking of a source stands, or None when it was never booked."""
        row = await self.repo.get(source_key)
        return status_of(row) if row else None

    async def book(self, source_key: str, spec: EventSpec) -> BookingStatus:
        """Create the source's event the first time, update it afterwards; pending (and retried) when Graph is down."""
        async with self._lock(source_key):
            row = await self.repo.get(source_key)
            values: dict[str, Any] = {"spec": spec_to_json(spec), "want": BOOKING_BOOKED}
            if row is None or not row.transaction_id:
                values["transaction_id"] = transaction_id_for(source_key)
            elif row.state == BOOKING_CANCELLED:
                values["transaction_id"] = transaction_id_for(source_key, uuid.uuid4().hex)  # a new event, not the old one
                values["event_id"] = ""
            if self.services.calendar is None:
                values["spec"] = without_attendees(values["spec"])  # nothing will be sent: keep no addresses
                return status_of(await self.repo.put(source_key, self._now(), state=BOOKING_OFF, last_error="", **values))
            if row is None or row.state in (BOOKING_OFF, BOOKING_CANCELLED, BOOKING_FAILED):
                values["state"] = BOOKING_PENDING
            row = await self.repo.put(source_key, self._now(), **values)
            return await self._apply(row)

    async def cancel(self, source_key: str, comment: str = "") -> BookingStatus:
        """Cancel the source's event (attendees are told); pending (and retried) when Graph is down."""
        async with self._lock(source_key):
            row = await self.repo.get(source_key)
            if row is None:
                return BookingStatus(source_key, BOOKING_OFF if self.services.calendar is None else BOOKING_CANCELLED)
            if self.services.calendar is None or not row.event_id:
                self._unschedule(source_key)
                state = BOOKING_OFF if self.services.calendar is None else BOOKING_CANCELLED
                return status_of(await self.repo.put(source_key, self._now(), state=state, want=BOOKING_CANCELLED, last_error=""))
            row = await self.repo.put(source_key, self._now(), want=BOOKING_CANCELLED, state=BOOKING_PENDING,
                                      spec={**row.spec, "cancel_comment": comment})
            return await self._apply(row)

    async def retry(self, source_key: str) -> BookingStatus | None:
        """Try a pending booking again (the scheduler's retry job); listeners hear when it settles."""
        async with self._lock(source_key):
            row = await self.repo.get(source_key)
            if row is None or row.state != BOOKING_PENDING:
                return status_of(row) if row else None
            if self.services.calendar is None:
                result = status_of(await self.repo.put(source_key, self._now(), state=BOOKING_OFF))
            else:
                result = await self._apply(row)
        # Outside the lock: a listener may book or cancel the same key again (asyncio locks are not re-entrant).
        if result.state != BOOKING_PENDING:
            await self._notify(result)
        return result

    async def _apply(self, row: BookingRow) -> BookingStatus:
        """Make the calendar match what the row wants; record the outcome."""
        calendar = self.services.calendar
        assert calendar is not None
        key = row.source_key
        try:
            if row.want == BOOKING_CANCELLED:
                await calendar.cancel_event(row.event_id, str(row.spec.get("cancel_comment", "")))
                self._unschedule(key)
                return status_of(await self.repo.put(key, self._now(), state=BOOKING_CANCELLED, attempts=0, last_error="",
                                                     spec=without_attendees(row.spec)))
            spec = dataclasses.replace(spec_from_json(row.spec), transaction_id=row.transaction_id)
            ref = await self._create_or_update(row, spec)
            self._unschedule(key)
            # Booked: the calendar has the attendees now; the bot keeps no copy of their addresses.
            return status_of(await self.repo.put(key, self._now(), state=BOOKING_BOOKED, event_id=ref.id, join_url=ref.join_url,
                                                 web_link=ref.web_link, attempts=0, last_error="",
                                                 spec=without_attendees(row.spec)))
        except CalendarError as exc:
            # Only an unavailable Graph is worth waiting for; permission, not_found and invalid stay as they are.
            if exc.kind == "unavailable":
                return await self._pending(row, str(exc), exc.retry_after)
            log.warning("calendar booking failed", extra={"kind": exc.kind, "permission": exc.permission})
            self._unschedule(key)
            return status_of(await self.repo.put(key, self._now(), state=BOOKING_FAILED, last_error=str(exc)[:1000],
                                                 spec=without_attendees(row.spec)))
        except Exception as exc:  # never crash a handler or job over the calendar
            log.warning("calendar booking raised", exc_info=True)
            return await self._pending(row, f"{type(exc).__name__}: {exc}", None)

    async def _create_or_update(self, row: BookingRow, spec: EventSpec) -> EventRef:
        """Update the source's existing event, or create it when there is none or it was deleted in Outlook."""
        calendar = self.services.calendar
        assert calendar is not None
        if row.event_id:
            try:
                return await calendar.update_event(row.event_id, spec)
            except CalendarError as exc:
                if exc.kind != "not_found":
                    raise
                # Someone deleted the event in Outlook: book it anew, under a new transactionId.
                txn = transaction_id_for(row.source_key, uuid.uuid4().hex)
                await self.repo.put(row.source_key, self._now(), event_id="", transaction_id=txn)
                spec = dataclasses.replace(spec, transaction_id=txn)
        return await calendar.create_event(spec)

    async def _pending(self, row: BookingRow, error: str, retry_after: float | None) -> BookingStatus:
        """Leave the booking pending after a failure and schedule a retry with exponential backoff."""
        attempts = await self.repo.bump_attempts(row.source_key)
        delay = min(self.retry_base * (2 ** max(0, attempts - 1)), self.retry_max)
        if retry_after:
            delay = max(delay, timedelta(seconds=retry_after))
        result = status_of(await self.repo.put(row.source_key, self._now(), state=BOOKING_PENDING, last_error=error[:1000]))
        scheduler = self.services.scheduler
        if scheduler is not None:
            # Real time, not the (test-shiftable) domain clock: this is when the scheduler should really try again.
            scheduler.add(RETRY_JOB, retry_job_id(row.source_key), datetime.now(UTC) + delay, (row.source_key,))
        log.info("calendar booking pending", extra={"attempts": attempts, "retry_in_s": delay.total_seconds()})
        return result

    def _unschedule(self, source_key: str) -> None:
        """Remove the retry job of a source key (it settled or was cancelled)."""
        if self.services.scheduler is not None:
            self.services.scheduler.remove(retry_job_id(source_key))

    async def _notify(self, status: BookingStatus) -> None:
        """Tell the listeners registered for the source key's prefix that its booking changed."""
        for prefix, listener in list(self._listeners):
            if status.source_key.startswith(prefix):
                try:
                    await listener(status)
                except Exception:
                    log.warning("booking listener failed", exc_info=True)
