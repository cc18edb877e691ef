"""Meeting polls: polls, their slots and votes (one answer per member per slot, upserted)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    bindparam,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.config import Settings
from bot.kernel.errors import Conflict, NotFound
from bot.polls.model import CLOSED, OPEN, Poll, PollDraft, Slot, Vote
from bot.storage.db import Database, insert_for
from bot.storage.inventory import Retention, TableData
from bot.storage.models import Base, utcnow
from bot.storage.provider import PrivacyProvider, Rows, changed_rows, export_rows


class PollRow(Base):
    """A poll in one conversation, with the id of its posted card."""

    __tablename__ = "polls"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(400), index=True)
    creator_id: Mapped[str] = mapped_column(String(200))
    creator_name: Mapped[str] = mapped_column(String(300), default="")
    title: Mapped[str] = mapped_column(String(300))
    agenda: Mapped[str] = mapped_column(Text, default="")
    duration_min: Mapped[int] = mapped_column(Integer)
    online: Mapped[bool] = mapped_column(Boolean, default=True)
    location: Mapped[str] = mapped_column(String(300), default="")
    deadline: Mapped[datetime | None] = mapped_column(nullable=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(20), default=OPEN, index=True)
    locale: Mapped[str] = mapped_column(String(20), default="nb-NO")
    activity_id: Mapped[str] = mapped_column(String(400), default="")
    chosen_slot_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    booking_state: Mapped[str] = mapped_column(String(20), default="")
    join_url: Mapped[str] = mapped_column(String(2000), default="")
    ics_url: Mapped[str] = mapped_column(String(1000), default="")
    message_gone: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)


class PollSlotRow(Base):
    """A candidate start time."""

    __tablename__ = "poll_slots"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    start: Mapped[datetime]


class PollVoteRow(Base):
    """One member's answer for one slot."""

    __tablename__ = "poll_votes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("poll_slots.id", ondelete="CASCADE"))
    voter_id: Mapped[str] = mapped_column(String(200))
    voter_name: Mapped[str] = mapped_column(String(300), default="")
    voter_channel_id: Mapped[str] = mapped_column(String(200), default="")
    answer: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("poll_id", "slot_id", "voter_id", name="uq_poll_votes_poll_slot_voter"),)


def _poll(r: PollRow, slots: list[PollSlotRow]) -> Poll:
    """The domain Poll of a stored row and its slots."""
    return Poll(
        id=r.id, conversation_id=r.conversation_id, creator_id=r.creator_id, creator_name=r.creator_name, title=r.title,
        agenda=r.agenda, duration_min=r.duration_min, online=r.online, location=r.location, deadline=r.deadline,
        anonymous=r.anonymous, hidden=r.hidden, state=r.state, locale=r.locale, activity_id=r.activity_id,
        chosen_slot_id=r.chosen_slot_id, booking_state=r.booking_state, join_url=r.join_url, ics_url=r.ics_url,
        message_gone=r.message_gone, created_at=r.created_at, closed_at=r.closed_at,
        slots=tuple(Slot(s.id, s.start, s.position) for s in sorted(slots, key=lambda s: (s.start, s.id))),
    )


# Statements a vote runs, built once (a vote is the hottest path: building them was a fifth of its CPU time).
_POLL_BY_ID = select(PollRow.__table__).where(PollRow.id == bindparam("poll_id"))
_SLOTS_OF = select(PollSlotRow.__table__).where(PollSlotRow.poll_id == bindparam("poll_id"))
_VOTES_OF = (select(PollVoteRow.slot_id, PollVoteRow.voter_id, PollVoteRow.answer, PollVoteRow.voter_name,
                    PollVoteRow.voter_channel_id).where(PollVoteRow.poll_id == bindparam("poll_id")).order_by(PollVoteRow.id))
_STATE_FOR_SHARE = select(PollRow.state).where(PollRow.id == bindparam("poll_id")).with_for_update(read=True)
_UPSERTS: dict[str, Any] = {}


def _upsert_vote(dialect: str) -> Any:
    """INSERT a vote, or change the answer of the same (poll, slot, voter): one statement per dialect."""
    found = _UPSERTS.get(dialect)
    if found is None:
        ins = insert_for(dialect)(PollVoteRow.__table__).values(
            poll_id=bindparam("poll_id"), slot_id=bindparam("slot_id"), voter_id=bindparam("voter_id"),
            voter_name=bindparam("voter_name"), voter_channel_id=bindparam("voter_channel_id"), answer=bindparam("answer"),
            updated_at=bindparam("updated_at", type_=PollVoteRow.__table__.c.updated_at.type),
        )
        found = _UPSERTS[dialect] = ins.on_conflict_do_update(
            index_elements=["poll_id", "slot_id", "voter_id"],
            set_={k: ins.excluded[k] for k in ("answer", "voter_name", "voter_channel_id", "updated_at")},
        )
    return found


class PollRepo:
    """Creates polls, records votes, closes polls."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, draft: PollDraft, *, conversation_id: str, creator_id: str, creator_name: str, locale: str,
                     now: datetime) -> Poll:
        """Store a valid draft with its slots."""
        async with self.db.write() as s:
            row = PollRow(
                conversation_id=conversation_id, creator_id=creator_id, creator_name=creator_name, title=draft.title,
                agenda=draft.agenda, duration_min=draft.duration_min, online=draft.online, location=draft.location,
                deadline=draft.deadline, anonymous=draft.anonymous, hidden=draft.hidden, state=OPEN, locale=locale,
                created_at=now,
            )
            s.add(row)
            await s.flush()
            slots = [PollSlotRow(poll_id=row.id, position=i, start=start) for i, start in enumerate(draft.starts)]
            s.add_all(slots)
            await s.flush()
            return _poll(row, slots)

    async def get(self, poll_id: int) -> Poll | None:
        """One poll with its slots."""
        async with self.db.session() as s:  # plain rows (no ORM identity map): this runs on every vote
            row = (await s.execute(_POLL_BY_ID, {"poll_id": poll_id})).first()
            if row is None:
                return None
            slots = list((await s.execute(_SLOTS_OF, {"poll_id": poll_id})).all())
            return _poll(row, slots)  # type: ignore[arg-type]

    async def get_in(self, poll_id: int, conversation_id: str) -> Poll:
        """A poll of this conversation, else NotFound (ids of other chats' polls are refused)."""
        poll = await self.get(poll_id)
        if poll is None or poll.conversation_id != conversation_id:
            raise NotFound("polls.not_found")
        return poll

    async def open_in(self, conversation_id: str) -> list[Poll]:
        """Open polls of one conversation, newest first."""
        async with self.db.session() as s:
            ids = list(await s.scalars(
                select(PollRow.id).where(PollRow.conversation_id == conversation_id, PollRow.state == OPEN)
                .order_by(PollRow.id.desc()).limit(20)))
        return [p for p in [await self.get(i) for i in ids] if p is not None]

    async def recent(self, limit: int = 50) -> list[Poll]:
        """The newest polls, open and closed (the leaders' tab)."""
        async with self.db.session() as s:
            ids = list(await s.scalars(select(PollRow.id).order_by(PollRow.id.desc()).limit(limit)))
        return [p for p in [await self.get(i) for i in ids] if p is not None]

    async def all_open(self) -> list[Poll]:
        """Every open poll (start-up re-scheduling)."""
        async with self.db.session() as s:
            ids = list(await s.scalars(select(PollRow.id).where(PollRow.state == OPEN)))
        return [p for p in [await self.get(i) for i in ids] if p is not None]

    async def polls_voted_by(self, voter_id: str) -> list[int]:
        """Polls in which this voter has answered and whose message still exists."""
        async with self.db.session() as s:
            q = (select(PollVoteRow.poll_id).join(PollRow, PollRow.id == PollVoteRow.poll_id)
                 .where(PollVoteRow.voter_id == voter_id, PollRow.message_gone.is_(False)).distinct())
            return list(await s.scalars(q))

    async def votes(self, poll_id: int) -> list[Vote]:
        """All votes of a poll."""
        async with self.db.session() as s:
            return [Vote(*r) for r in await s.execute(_VOTES_OF, {"poll_id": poll_id})]

    async def vote(self, poll_id: int, slot_id: int, voter_id: str, answer: str, *, voter_name: str = "",
                   voter_channel_id: str = "", now: datetime) -> None:
        """Record an answer in one transaction: insert or change, never lost under concurrent clicks."""
        values = {"poll_id": poll_id, "slot_id": slot_id, "voter_id": voter_id, "voter_name": voter_name,
                  "voter_channel_id": voter_channel_id, "answer": answer, "updated_at": now}
        async with self.db.write() as s:
            # FOR SHARE on PostgreSQL: votes run side by side, closing (an UPDATE) waits for them and vice versa.
            state = await s.scalar(_STATE_FOR_SHARE, {"poll_id": poll_id})
            if state is None:
                raise NotFound("polls.not_found")
            if state != OPEN:
                raise Conflict("polls.closed")
            await s.execute(_upsert_vote(self.db.dialect), values)

    async def set_activity(self, poll_id: int, activity_id: str) -> None:
        """Remember the posted card's activity id."""
        await self._set(poll_id, activity_id=activity_id)

    async def mark_gone(self, poll_id: int) -> None:
        """The posted card was deleted in Teams."""
        await self._set(poll_id, message_gone=True)

    async def set_booking(self, poll_id: int, state: str, *, join_url: str | None = None, ics_url: str | None = None) -> None:
        """Record where the booking stands."""
        values: dict[str, Any] = {"booking_state": state}
        if join_url is not None:
            values["join_url"] = join_url
        if ics_url is not None:
            values["ics_url"] = ics_url
        await self._set(poll_id, **values)

    async def close(self, poll_id: int, slot_id: int | None, now: datetime, *, booking_state: str) -> bool:
        """Close an open poll on a slot; False when it was already closed."""
        async with self.db.write() as s:
            res = await s.execute(
                update(PollRow).where(PollRow.id == poll_id, PollRow.state == OPEN)
                .values(state=CLOSED, chosen_slot_id=slot_id, closed_at=now, booking_state=booking_state)
            )
            return (res.rowcount or 0) == 1

    async def purge_closed(self, before: datetime) -> int:
        """Delete polls closed before a date, and polls left open that were created before it (retention)."""
        async with self.db.write() as s:
            old = or_(and_(PollRow.state == CLOSED, PollRow.closed_at < before),
                      and_(PollRow.state != CLOSED, PollRow.created_at < before))
            ids = list(await s.scalars(select(PollRow.id).where(old)))
            if ids:
                await s.execute(delete(PollVoteRow).where(PollVoteRow.poll_id.in_(ids)))
                await s.execute(delete(PollSlotRow).where(PollSlotRow.poll_id.in_(ids)))
                await s.execute(delete(PollRow).where(PollRow.id.in_(ids)))
            return len(ids)

    async def _set(self, poll_id: int, **values: Any) -> None:
        """Update columns of one poll."""
        async with self.db.write() as s:
            await s.execute(update(PollRow).where(PollRow.id == poll_id).values(**values))


ERASED_NAME = "Slettet bruker"


async def _export(db: Database, person_id: str) -> dict[str, Rows]:
    """A person's poll votes and the polls they created (data access request)."""
    return await export_rows(db, poll_votes=select(PollVoteRow).where(PollVoteRow.voter_id == person_id),
                             polls_created=select(PollRow).where(PollRow.creator_id == person_id))


async def _erase(db: Database, person_id: str, alias: str) -> int:
    """Replace the person's id with their alias in votes and polls, and blank their names."""
    return await changed_rows(
        db,
        update(PollVoteRow).where(PollVoteRow.voter_id == person_id)
        .values(voter_id=alias, voter_name=ERASED_NAME, voter_channel_id=""),
        update(PollRow).where(PollRow.creator_id == person_id).values(creator_id=alias, creator_name=""),
    )


async def _retention(db: Database, now: datetime, settings: Settings) -> int:
    """Delete closed polls older than the polls retention period."""
    return await PollRepo(db).purge_closed(now - timedelta(days=settings.retention_polls_days))


PRIVACY = PrivacyProvider("polls", _export, _erase, _retention)


POLLS = Retention("slettes {value} dager etter at avstemningen ble lukket (eller opprettet, om den aldri ble lukket)",
                  "retention_polls_days")
PERSONAL_DATA = {
    "polls": TableData(
        about="Møteavstemninger", person_id="creator_id", person_name="creator_name", free_text="title agenda location",
        chat_id="conversation_id",
        none="id duration_min online deadline anonymous hidden state locale activity_id chosen_slot_id booking_state "
             "join_url ics_url message_gone created_at closed_at",
        retention=POLLS, erasure="den som laget avstemningen anonymiseres"),
    "poll_slots": TableData(about="Tidspunktene i en avstemning", none="id poll_id position start",
                            retention=POLLS, erasure="-"),
    "poll_votes": TableData(
        about="Stemmer i møteavstemninger", person_id="voter_id voter_channel_id", person_name="voter_name",
        none="id poll_id slot_id answer updated_at", retention=POLLS,
        erasure="stemmen telles fortsatt, under pseudonym; navnet fjernes"),
}
