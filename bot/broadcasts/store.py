"""Broadcasts and their read acknowledgements."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from bot.broadcasts.model import Draft, State
from bot.storage.db import Database, insert_for
from bot.storage.models import Base, utcnow


class BroadcastRow(Base):
    """A leader's broadcast: content, targets, schedule and state, and where its report lives."""

    __tablename__ = "broadcasts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    author_id: Mapped[str] = mapped_column(String(200), index=True)
    author_name: Mapped[str] = mapped_column(String(300), default="")
    title: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    # {"mode", "names", "project_id", "project_name", "conversations": {conversation id: [faggruppe, chat name]}}
    targets: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    send_at: Mapped[datetime | None] = mapped_column(nullable=True)
    ack: Mapped[bool] = mapped_column(Boolean, default=False)
    link: Mapped[str] = mapped_column(String(500), default="")
    image_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    state: Mapped[str] = mapped_column(String(20), default=State.DRAFT.value, index=True)
    locale: Mapped[str] = mapped_column(String(20), default="nb-NO")
    report_conversation_id: Mapped[str] = mapped_column(String(400), default="")
    report_activity_id: Mapped[str] = mapped_column(String(400), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)


class BroadcastAck(Base):
    """One person's "Lest" on one broadcast (once per person)."""

    __tablename__ = "broadcast_acks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    person_id: Mapped[str] = mapped_column(String(200))
    faggruppe: Mapped[str] = mapped_column(String(200), default="")
    conversation_id: Mapped[str] = mapped_column(String(400), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("broadcast_id", "person_id", name="uq_broadcast_acks_person"),)


@dataclass(frozen=True)
class Broadcast:
    """A broadcast as stored."""

    id: int
    author_id: str
    author_name: str
    title: str
    message: str
    targets: dict[str, Any]
    send_at: datetime | None
    ack: bool
    link: str
    state: State
    locale: str
    report_conversation_id: str
    report_activity_id: str
    created_at: datetime
    started_at: datetime | None
    image: str = ""

    @property
    def group_key(self) -> str:
        """The outbox group of its deliveries."""
        return f"broadcast:{self.id}"

    @property
    def conversations(self) -> dict[str, list[str]]:
        """Conversation id -> [faggruppe, chat name], fixed when sending started."""
        return dict(self.targets.get("conversations") or {})


def _b(r: BroadcastRow) -> Broadcast:
    """The domain Broadcast of a stored row."""
    return Broadcast(r.id, r.author_id, r.author_name, r.title, r.message, dict(r.targets or {}), r.send_at, r.ack,
                     r.link, State(r.state), r.locale, r.report_conversation_id, r.report_activity_id, r.created_at,
                     r.started_at, r.image_url or "")


def _targets(draft: Draft) -> dict[str, Any]:
    """The JSON stored for a draft's target selection."""
    t = draft.targets
    return {"mode": t.mode.value, "names": list(t.names), "project_id": t.project_id, "project_name": t.project_name}


class BroadcastRepo:
    """Drafts, state transitions, report location and acknowledgements."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def save_draft(self, draft: Draft, *, author_id: str, author_name: str, locale: str,
                         conversation_id: str, broadcast_id: int | None = None) -> Broadcast | None:
        """Create a draft, or change one that is still a draft (None when it is not)."""
        values = dict(title=draft.title, message=draft.message, targets=_targets(draft), send_at=draft.send_at,
                      ack=draft.ack, link=draft.link, image_url=draft.image, locale=locale,
                      report_conversation_id=conversation_id)
        async with self.db.write() as s:
            if broadcast_id is None:
                row = BroadcastRow(author_id=author_id, author_name=author_name, state=State.DRAFT.value, **values)
                s.add(row)
                await s.flush()
                return _b(row)
            res = await s.execute(update(BroadcastRow).where(BroadcastRow.id == broadcast_id,
                                                             BroadcastRow.state == State.DRAFT.value).values(**values))
            if res.rowcount != 1:
                return None
            row = await s.get(BroadcastRow, broadcast_id, populate_existing=True)
            return _b(row) if row else None

    async def get(self, broadcast_id: int) -> Broadcast | None:
        """One broadcast."""
        async with self.db.session() as s:
            row = await s.get(BroadcastRow, broadcast_id)
            return _b(row) if row else None

    async def transition(self, broadcast_id: int, from_: Iterable[State], to: State, **values: Any) -> bool:
        """Move to a state only from the given ones (atomic: a double click moves it once)."""
        async with self.db.write() as s:
            res = await s.execute(
                update(BroadcastRow)
                .where(BroadcastRow.id == broadcast_id, BroadcastRow.state.in_([f.value for f in from_]))
                .values(state=to.value, **values)
            )
            return res.rowcount == 1

    async def set_fields(self, broadcast_id: int, **values: Any) -> None:
        """Change stored fields (targets resolved at send, report location)."""
        async with self.db.write() as s:
            await s.execute(update(BroadcastRow).where(BroadcastRow.id == broadcast_id).values(**values))

    async def recent(self, limit: int = 10) -> list[Broadcast]:
        """Newest first, drafts left out."""
        q = (select(BroadcastRow).where(BroadcastRow.state != State.DRAFT.value)
             .order_by(BroadcastRow.id.desc()).limit(limit))
        async with self.db.session() as s:
            return [_b(r) for r in await s.scalars(q)]

    async def in_state(self, state: State) -> list[Broadcast]:
        """All broadcasts in a state (resume reports at start-up)."""
        async with self.db.session() as s:
            return [_b(r) for r in await s.scalars(select(BroadcastRow).where(BroadcastRow.state == state.value))]

    async def acknowledge(self, broadcast_id: int, person_id: str, faggruppe: str, conversation_id: str) -> bool:
        """Record a "Lest"; False when this person had already pressed it."""
        ins = insert_for(self.db.dialect)(BroadcastAck).values(
            broadcast_id=broadcast_id, person_id=person_id, faggruppe=faggruppe, conversation_id=conversation_id,
            at=utcnow(),
        )
        async with self.db.write() as s:
            res = await s.execute(ins.on_conflict_do_nothing(index_elements=["broadcast_id", "person_id"])
                                  .returning(BroadcastAck.id))
            return bool(res.fetchall())

    async def read_counts(self, broadcast_id: int) -> dict[str, int]:
        """Acknowledgements per faggruppe."""
        q = (select(BroadcastAck.faggruppe, func.count()).where(BroadcastAck.broadcast_id == broadcast_id)
             .group_by(BroadcastAck.faggruppe))
        async with self.db.session() as s:
            return {name: int(n) for name, n in (await s.execute(q)).all()}

    async def read_counts_by_chat(self, broadcast_id: int) -> dict[str, int]:
        """Acknowledgements per chat (conversation id)."""
        q = (select(BroadcastAck.conversation_id, func.count()).where(BroadcastAck.broadcast_id == broadcast_id)
             .group_by(BroadcastAck.conversation_id))
        async with self.db.session() as s:
            return {cid: int(n) for cid, n in (await s.execute(q)).all()}
