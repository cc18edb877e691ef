"""Personal data in the foundation tables: profile, memberships, personal chat, audit entries, downloads."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update

from bot.config import Settings
from bot.privacy.provider import PrivacyProvider, Rows, row_dict
from bot.storage.db import Database
from bot.storage.models import AuditEntry, Conversation, Download, Membership, OutboxItem, Person

OUTBOX_KEEP_DAYS = 30


async def _export(db: Database, person_id: str) -> dict[str, Rows]:
    async with db.session() as s:
        people = await s.scalars(select(Person).where(Person.id == person_id))
        members = await s.scalars(select(Membership).where(Membership.person_id == person_id))
        convs = await s.scalars(select(Conversation).where(Conversation.person_id == person_id))
        audit = await s.scalars(
            select(AuditEntry).where(or_(AuditEntry.actor_id == person_id, AuditEntry.target == person_id))
        )
        return {
            "people": [row_dict(r) for r in people],
            "memberships": [row_dict(r) for r in members],
            "personal_chats": [row_dict(r, skip=("reference",)) for r in convs],
            "audit_log": [row_dict(r) for r in audit],
        }


async def _erase(db: Database, person_id: str, alias: str) -> int:
    n = 0
    async with db.write() as s:
        personal = list(await s.scalars(select(Conversation.id).where(Conversation.person_id == person_id)))
        for stmt in (
            delete(Person).where(Person.id == person_id),
            delete(Membership).where(Membership.person_id == person_id),
            delete(Download).where(Download.owner_id == person_id),
            update(AuditEntry).where(AuditEntry.actor_id == person_id).values(actor_id=alias),
            update(AuditEntry).where(AuditEntry.target == person_id).values(target=alias),
        ):
            n += (await s.execute(stmt)).rowcount or 0
        if personal:
            n += (await s.execute(delete(OutboxItem).where(OutboxItem.conversation_id.in_(personal)))).rowcount or 0
            n += (await s.execute(delete(Conversation).where(Conversation.id.in_(personal)))).rowcount or 0
    return n


async def _retention(db: Database, now: datetime, settings: Settings) -> int:
    async with db.write() as s:
        a = await s.execute(delete(AuditEntry).where(AuditEntry.at < now - timedelta(days=settings.retention_audit_days)))
        o = await s.execute(
            delete(OutboxItem).where(
                OutboxItem.state.in_(["sent", "failed", "cancelled"]),
                OutboxItem.created_at < now - timedelta(days=OUTBOX_KEEP_DAYS),
            )
        )
        return (a.rowcount or 0) + (o.rowcount or 0)


PRIVACY = PrivacyProvider("core", _export, _erase, _retention)
