"""Needs and benefits register: entries, their change history, and input campaigns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import JSON, ForeignKey, Index, Integer, Select, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from bot.kernel.errors import NotFound
from bot.needs.model import ACTIVE, WITHDRAWN, Content, Entry, from_dict, to_dict
from bot.storage.db import Database
from bot.storage.models import Base, utcnow

T = TypeVar("T")


class NeedEntry(Base):
    """One behov or gevinst; kind-specific fields live in `fields` (JSON)."""

    __tablename__ = "need_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    faggruppe: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str] = mapped_column(String(300))
    submitter_id: Mapped[str] = mapped_column(String(200), index=True)
    submitter_name: Mapped[str] = mapped_column(String(300), default="")
    municipalities: Mapped[list[Any]] = mapped_column(JSON, default=list)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default=ACTIVE)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class NeedEntryHistory(Base):
    """Who changed an entry, when, and what (a JSON diff {field: [old, new]})."""

    __tablename__ = "need_entry_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("need_entries.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(20))  # created / edited / withdrawn
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class InputCampaign(Base):
    """An input round: a project, the faggrupper asked, a deadline, who started it and where."""

    __tablename__ = "input_campaigns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    faggrupper: Mapped[list[Any]] = mapped_column(JSON, default=list)
    deadline: Mapped[datetime] = mapped_column()
    leader_id: Mapped[str] = mapped_column(String(200))
    origin_conversation_id: Mapped[str] = mapped_column(String(400), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_input_campaigns_deadline", "deadline"),)


@dataclass(frozen=True)
class HistoryItem:
    """One change to an entry."""

    at: datetime
    actor_id: str
    action: str
    changes: dict[str, Any]


@dataclass(frozen=True)
class Campaign:
    """An input campaign."""

    id: int
    project_id: int
    faggrupper: tuple[str, ...]
    deadline: datetime
    leader_id: str
    origin_conversation_id: str
    created_at: datetime


def _entry(r: Any) -> Entry:
    """The domain Entry of a stored row (an ORM object or a plain row with the same column names)."""
    return Entry(id=r.id, kind=r.kind, content=from_dict(r.kind, r.fields or {}), project_id=r.project_id,
                 faggruppe=r.faggruppe, submitter_id=r.submitter_id, submitter_name=r.submitter_name, status=r.status,
                 created_at=r.created_at, updated_at=r.updated_at)


def _campaign(r: InputCampaign) -> Campaign:
    """The domain Campaign of a stored row."""
    return Campaign(r.id, r.project_id, tuple(r.faggrupper or ()), r.deadline, r.leader_id, r.origin_conversation_id,
                    r.created_at)


async def _one(db: Database, model: type[Any], key: int, convert: Callable[[Any], T]) -> T | None:
    """The row of `model` with primary key `key`, converted, or None."""
    async with db.session() as s:
        row = await s.get(model, key)
        return convert(row) if row else None


async def _all(db: Database, query: Select[Any], convert: Callable[[Any], T]) -> list[T]:
    """The rows `query` selects, in its order, converted (one read session)."""
    async with db.session() as s:
        return [convert(r) for r in await s.scalars(query)]


class NeedsRepo:
    """Stores entries; every change writes a history row in the same transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, kind: str, content: Content, *, project_id: int, faggruppe: str, submitter_id: str,
                     submitter_name: str, now: datetime) -> Entry:
        """Save a new entry and its 'created' history row."""
        data = to_dict(content)
        async with self.db.write() as s:
            row = NeedEntry(kind=kind, project_id=project_id, faggruppe=faggruppe, title=content.title[:300],
                            submitter_id=submitter_id, submitter_name=submitter_name[:300],
                            municipalities=list(content.municipalities), fields=data, status=ACTIVE,
                            created_at=now, updated_at=now)
            s.add(row)
            await s.flush()
            s.add(NeedEntryHistory(entry_id=row.id, at=now, actor_id=submitter_id, action="created",
                                   changes={"project_id": [None, project_id], "faggruppe": [None, faggruppe]}))
            return _entry(row)

    async def update(self, entry_id: int, content: Content, *, project_id: int, faggruppe: str, actor_id: str,
                     now: datetime) -> tuple[Entry, dict[str, list[Any]]]:
        """Change an entry; returns it and the diff (nothing is written when nothing changed)."""
        from bot.needs.model import diff

        async with self.db.write() as s:
            row = await s.get(NeedEntry, entry_id, with_for_update=self.db.dialect == "postgresql")
            if row is None:
                raise NotFound()
            old = {**(row.fields or {}), "project_id": row.project_id, "faggruppe": row.faggruppe}
            new_fields = to_dict(content)
            changes = diff(old, {**new_fields, "project_id": project_id, "faggruppe": faggruppe})
            if changes:
                row.fields = new_fields
                row.title = content.title[:300]
                row.municipalities = list(content.municipalities)
                row.project_id = project_id
                row.faggruppe = faggruppe
                row.updated_at = now
                s.add(NeedEntryHistory(entry_id=row.id, at=now, actor_id=actor_id, action="edited", changes=changes))
            await s.flush()
            return _entry(row), changes

    async def withdraw(self, entry_id: int, *, actor_id: str, now: datetime) -> Entry:
        """Mark an entry withdrawn (kept for history); idempotent."""
        async with self.db.write() as s:
            row = await s.get(NeedEntry, entry_id)
            if row is None:
                raise NotFound()
            if row.status != WITHDRAWN:
                s.add(NeedEntryHistory(entry_id=row.id, at=now, actor_id=actor_id, action="withdrawn",
                                       changes={"status": [row.status, WITHDRAWN]}))
                row.status = WITHDRAWN
                row.updated_at = now
                await s.flush()
            return _entry(row)

    async def get(self, entry_id: int) -> Entry | None:
        """One entry."""
        return await _one(self.db, NeedEntry, entry_id, _entry)

    async def by_project(self, project_id: int, *, include_withdrawn: bool = False) -> list[Entry]:
        """A project's entries, oldest first."""
        q = select(NeedEntry).where(NeedEntry.project_id == project_id)
        if not include_withdrawn:
            q = q.where(NeedEntry.status == ACTIVE)
        return await _all(self.db, q.order_by(NeedEntry.id), _entry)

    async def all(self, *, include_withdrawn: bool = True) -> list[Entry]:
        """Every entry, oldest first (the tab's register filters and pages them).

        Read as plain rows, not ORM objects: the register page reads every entry on each request, and skipping the
        identity map halves the time at 10,000 entries (`make bench`, section tab)."""
        table = NeedEntry.__table__
        q = select(table)
        if not include_withdrawn:
            q = q.where(table.c.status == ACTIVE)
        async with self.db.session() as s:
            return [_entry(r) for r in (await s.execute(q.order_by(table.c.id))).all()]

    async def by_submitter(self, submitter_id: str, *, limit: int = 50) -> list[Entry]:
        """A person's entries, newest first."""
        q = select(NeedEntry).where(NeedEntry.submitter_id == submitter_id).order_by(NeedEntry.id.desc()).limit(limit)
        return await _all(self.db, q, _entry)

    async def history(self, entry_id: int) -> list[HistoryItem]:
        """An entry's changes, oldest first."""
        q = select(NeedEntryHistory).where(NeedEntryHistory.entry_id == entry_id).order_by(NeedEntryHistory.id)
        return await _all(self.db, q, lambda r: HistoryItem(r.at, r.actor_id, r.action, r.changes))


class CampaignRepo:
    """Stores input campaigns."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, project_id: int, faggrupper: list[str], deadline: datetime, leader_id: str,
                     origin_conversation_id: str, now: datetime) -> Campaign:
        """Save a campaign."""
        async with self.db.write() as s:
            row = InputCampaign(project_id=project_id, faggrupper=faggrupper, deadline=deadline, leader_id=leader_id,
                                origin_conversation_id=origin_conversation_id, created_at=now)
            s.add(row)
            await s.flush()
            return _campaign(row)

    async def get(self, campaign_id: int) -> Campaign | None:
        """One campaign."""
        return await _one(self.db, InputCampaign, campaign_id, _campaign)
