"""Audit log of leader actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.kernel.clock import Clock, SystemClock
from bot.storage.db import Database
from bot.storage.models import AuditEntry


@dataclass(frozen=True)
class AuditRecord:
    """One audited action."""

    id: int
    at: datetime
    actor_id: str
    action: str
    target: str
    details: dict[str, Any]


class AuditRepo:
    """Appends and reads the audit log."""

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self.db = db
        self.clock = clock or SystemClock()

    async def record(self, actor_id: str, action: str, target: str = "", **details: Any) -> None:
        """Append one entry."""
        async with self.db.write() as s:
            s.add(AuditEntry(at=self.clock.now(), actor_id=actor_id, action=action, target=target[:400], details=details))

    async def recent(self, limit: int = 50) -> list[AuditRecord]:
        """Newest first."""
        async with self.db.session() as s:
            rows = await s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit))
            return [AuditRecord(r.id, r.at, r.actor_id, r.action, r.target, r.details) for r in rows]
