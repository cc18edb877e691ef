"""Calendar bookings: one row per source (a poll, a gate deadline) with its event id and state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.db import Database, insert_for
from bot.storage.models import Base, utcnow


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
