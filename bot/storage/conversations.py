"""Conversation registry: stored references, faggruppe names, members seen."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from bot.storage.db import Database, insert_for
from bot.storage.models import Conversation, Faggruppe, Membership, utcnow


@dataclass(frozen=True)
class ConversationInfo:
    """What the registry knows of one conversation."""

    id: str
    kind: str
    tenant_id: str
    team_id: str
    service_url: str
    reference: dict[str, Any]
    name: str
    faggruppe: str | None
    active: bool
    last_seen_at: datetime


def _info(row: Conversation) -> ConversationInfo:
    """The ConversationInfo of a stored row."""
    return ConversationInfo(
        id=row.id, kind=row.kind, tenant_id=row.tenant_id, team_id=row.team_id, service_url=row.service_url,
        reference=row.reference, name=row.name, faggruppe=row.faggruppe, active=row.active,
        last_seen_at=row.last_seen_at,
    )


class ConversationRepo:
    """Stores and reads conversation references."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._recent: dict[str, tuple[float, ConversationInfo]] = {}

    async def get_recent(self, conversation_id: str, max_age: float = 5.0) -> ConversationInfo | None:
        """Like get(), but answers from a short in-process cache (writes through this repo invalidate it)."""
        hit = self._recent.get(conversation_id)
        now = time.monotonic()
        if hit and now - hit[0] < max_age:
            return hit[1]
        info = await self.get(conversation_id)
        if info is not None:
            if len(self._recent) > 5000:  # bounded memory; starting over costs one read per conversation
                self._recent.clear()
            self._recent[conversation_id] = (now, info)
        return info

    def _forget(self, conversation_id: str | None = None) -> None:
        """Drop one conversation (or all) from the recently-seen cache."""
        if conversation_id is None:
            self._recent.clear()
        else:
            self._recent.pop(conversation_id, None)

    async def touch(
        self, *, conversation_id: str, kind: str, tenant_id: str, team_id: str, service_url: str,
        reference: dict[str, Any], name: str = "", person_id: str | None = None, installed: bool = False,
    ) -> None:
        """Insert or refresh a conversation reference; reactivates it when the bot is (re)installed."""
        now = utcnow()
        values = dict(
            id=conversation_id, kind=kind, tenant_id=tenant_id, team_id=team_id, service_url=service_url,
            reference=reference, name=name, person_id=person_id, active=True, installed_at=now, last_seen_at=now,
            inactive_reason="",
        )
        # Every turn refreshes the reference (the service URL can move); an ordinary message does not revive a chat
        # marked inactive, only an installation does; a turn without a name keeps the one stored.
        changes: dict[str, Any] = dict(service_url=service_url, reference=reference, last_seen_at=now)
        if name:
            changes["name"] = name
        if installed:
            changes.update(active=True, inactive_reason="", installed_at=now)
        # An upsert, not read-then-write: two instances seeing the same chat at once cannot both insert.
        ins = insert_for(self.db.dialect)(Conversation).values(**values)
        async with self.db.write() as s:
            await s.execute(ins.on_conflict_do_update(index_elements=["id"], set_=changes))
        self._forget(conversation_id)

    async def touch_member(self, conversation_id: str, person_id: str) -> None:
        """Record that a person was seen in a conversation."""
        now = utcnow()
        ins = insert_for(self.db.dialect)(Membership).values(
            conversation_id=conversation_id, person_id=person_id, last_seen_at=now
        )
        async with self.db.write() as s:
            await s.execute(
                ins.on_conflict_do_update(
                    index_elements=["conversation_id", "person_id"], set_={"last_seen_at": now}
                )
            )

    async def get(self, conversation_id: str) -> ConversationInfo | None:
        """One conversation, or None."""
        async with self.db.session() as s:
            row = await s.get(Conversation, conversation_id)
            return _info(row) if row else None

    async def deactivate(self, conversation_id: str, reason: str) -> None:
        """Mark a conversation dead (bot removed, 403/404 from the connector)."""
        async with self.db.write() as s:
            await s.execute(
                update(Conversation).where(Conversation.id == conversation_id)
                .values(active=False, inactive_reason=reason[:200])
            )
        self._forget(conversation_id)

    async def set_faggruppe(self, conversation_id: str, faggruppe: str) -> None:
        """Name the faggruppe of a chat."""
        async with self.db.write() as s:
            await s.execute(update(Conversation).where(Conversation.id == conversation_id).values(faggruppe=faggruppe))
        self._forget(conversation_id)

    async def faggruppe_chats(self, names: list[str] | None = None, *, active_only: bool = True) -> list[ConversationInfo]:
        """Conversations registered to a faggruppe (optionally some of them)."""
        q = select(Conversation).where(Conversation.faggruppe.is_not(None))
        if active_only:
            q = q.where(Conversation.active.is_(True))
        if names is not None:
            q = q.where(Conversation.faggruppe.in_(names))
        async with self.db.session() as s:
            return [_info(r) for r in (await s.scalars(q.order_by(Conversation.faggruppe)))]

    async def personal_chat_of(self, person_id: str) -> ConversationInfo | None:
        """The personal chat between the bot and a person, if it exists."""
        q = select(Conversation).where(Conversation.person_id == person_id, Conversation.kind == "personal")
        async with self.db.session() as s:
            row = (await s.scalars(q.order_by(Conversation.last_seen_at.desc()).limit(1))).first()
            return _info(row) if row else None

    async def member_ids(self, conversation_id: str) -> list[str]:
        """People seen in a conversation."""
        q = select(Membership.person_id).where(Membership.conversation_id == conversation_id)
        async with self.db.session() as s:
            return list(await s.scalars(q))

    async def faggrupper(self, configured: tuple[str, ...]) -> list[str]:
        """Configured faggrupper followed by those leaders added."""
        async with self.db.session() as s:
            added = list(await s.scalars(select(Faggruppe.name).order_by(Faggruppe.name)))
        seen = {c.lower() for c in configured}
        return list(configured) + [a for a in added if a.lower() not in seen]

    async def add_faggruppe(self, name: str, added_by: str) -> None:
        """Add a faggruppe name (idempotent)."""
        ins = insert_for(self.db.dialect)(Faggruppe).values(name=name, added_by=added_by)
        async with self.db.write() as s:
            await s.execute(ins.on_conflict_do_nothing(index_elements=["name"]))
