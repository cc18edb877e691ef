"""Calendar bookings: one row per source (a poll, a gate deadline) with its event id and state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Integer, String, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.db import Database, insert_for
from bot.storage.inventory import Retention, TableData
from bot.storage.models import Base, Person, utcnow
from bot.storage.provider import PrivacyProvider, Rows, row_dict

if TYPE_CHECKING:
    from bot.config import Settings


class CalendarBooking(Base):
    """The calendar event kept for one source key; `want` is what the retry job should reach (booked/cancelled)."""

    __tablename__ = "calendar_bookings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_key: Mapped[str] = mapped_column(String(300), unique=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    event_id: Mapped[str] = mapped_column(String(400), default="")
    join_url: Mapped[str] = mapped_column(String(2000), default="")
    web_link: Mapped[str] = mapped_column(String(2000), default="")
    state: Mapped[str] = mapped_column(String(20), default="pending")
    want: Mapped[str] = mapped_column(String(20), default="booked")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(1000), default="")
    transaction_id: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class BookingRow:
    """A stored booking."""

    source_key: str
    spec: dict[str, Any]
    event_id: str
    join_url: str
    web_link: str
    state: str
    want: str
    attempts: int
    last_error: str
    transaction_id: str
    updated_at: datetime


def _row(r: CalendarBooking) -> BookingRow:
    """The BookingRow of a stored calendar booking."""
    return BookingRow(r.source_key, r.spec, r.event_id, r.join_url, r.web_link, r.state, r.want, r.attempts,
                      r.last_error, r.transaction_id, r.updated_at)


class BookingRepo:
    """Reads and writes calendar bookings."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, source_key: str) -> BookingRow | None:
        """The booking of a source, or None."""
        async with self.db.session() as s:
            r = await s.scalar(select(CalendarBooking).where(CalendarBooking.source_key == source_key))
            return _row(r) if r else None

    async def put(self, source_key: str, now: datetime, **values: Any) -> BookingRow:
        """Insert or update a booking's columns (an upsert on source_key) and return it."""
        insert = insert_for(self.db.dialect)
        values = {**values, "updated_at": now}
        stmt = insert(CalendarBooking).values(source_key=source_key, created_at=now, **{
            "spec": {}, "event_id": "", "join_url": "", "web_link": "", "state": "pending", "want": "booked", "attempts": 0,
            "last_error": "", "transaction_id": "", **values})
        stmt = stmt.on_conflict_do_update(index_elements=[CalendarBooking.source_key], set_=values)
        async with self.db.write() as s:
            await s.execute(stmt)
        row = await self.get(source_key)
        assert row is not None
        return row

    async def bump_attempts(self, source_key: str) -> int:
        """Count one failed attempt (atomically) and return the new count."""
        async with self.db.write() as s:
            await s.execute(update(CalendarBooking).where(CalendarBooking.source_key == source_key)
                            .values(attempts=CalendarBooking.attempts + 1))
            return int(await s.scalar(select(CalendarBooking.attempts).where(CalendarBooking.source_key == source_key)) or 0)

    async def pending(self, limit: int = 500) -> list[BookingRow]:
        """Bookings still pending (for a sweep after a restart without scheduler)."""
        async with self.db.session() as s:
            rows = await s.scalars(select(CalendarBooking).where(CalendarBooking.state == "pending").limit(limit))
            return [_row(r) for r in rows]


def without_attendees(spec: dict[str, Any]) -> dict[str, Any]:
    """A stored spec once its event is settled: the attendees' addresses are not needed any more."""
    return {**spec, "attendees": []} if spec.get("attendees") else spec


async def _export(db: Database, person_id: str) -> dict[str, Rows]:
    """Bookings that still list the person's address (those waiting to be sent to the calendar)."""
    async with db.session() as s:
        upn = (await s.scalar(select(Person.upn).where(Person.id == person_id))) or ""
        rows = list(await s.scalars(select(CalendarBooking))) if upn else []
    mine = [r for r in rows if upn in [str(a).lower() for a in (r.spec or {}).get("attendees", [])]]
    return {"calendar_bookings": [row_dict(r) for r in mine]}


async def _erase(db: Database, person_id: str, alias: str) -> int:
    """Nothing to erase here: addresses in specs are handled by the erasure sweep."""
    return 0  # addresses in specs are removed by the erasure sweep (the spec is declared free text)


async def _retention(db: Database, now: datetime, settings: Settings) -> int:
    """Settled bookings are forgotten after RETENTION_POLLS_DAYS without change."""
    cutoff = now - timedelta(days=settings.retention_polls_days)
    async with db.write() as s:
        res = await s.execute(delete(CalendarBooking).where(CalendarBooking.state != "pending",
                                                            CalendarBooking.updated_at < cutoff))
        return res.rowcount or 0


PRIVACY = PrivacyProvider("calendar", _export, _erase, _retention)
PERSONAL_DATA = {
    "calendar_bookings": TableData(
        about="Kalenderhendelser boten har laget (møter og frister), med deltakernes e-postadresser til de er sendt",
        free_text="spec last_error",
        none="id source_key event_id join_url web_link state want attempts transaction_id created_at updated_at",
        retention=Retention("e-postadressene fjernes så snart hendelsen er opprettet, endret eller avlyst; raden "
                            "slettes {value} dager etter siste endring", "retention_polls_days"),
        erasure="personens e-postadresse og navn fjernes", subjects=("deltakere",)),
}
