"""Short-lived downloads behind unguessable links (bots cannot upload files to group chats)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete

from bot.domain.clock import Clock
from bot.storage.db import Database
from bot.storage.models import Download


@dataclass(frozen=True)
class DownloadFile:
    """A file ready to serve."""

    filename: str
    content_type: str
    content: bytes


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class DownloadRepo:
    """Issues tokens and serves files until they expire."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def issue(self, content: bytes, filename: str, content_type: str, ttl: timedelta, owner_id: str = "") -> str:
        """Store a file and return its token (only the hash is kept)."""
        token = secrets.token_urlsafe(32)
        now = self.clock.now()
        async with self.db.write() as s:
            s.add(
                Download(
                    token_hash=_hash(token), filename=filename, content_type=content_type, content=content,
                    owner_id=owner_id, created_at=now, expires_at=now + ttl,
                )
            )
        return token

    async def fetch(self, token: str) -> DownloadFile | None:
        """The file behind a token, or None when unknown or expired."""
        if not token or len(token) > 100:
            return None
        async with self.db.session() as s:
            row = await s.get(Download, _hash(token))
            if row is None or row.expires_at <= self.clock.now():
                return None
            return DownloadFile(row.filename, row.content_type, row.content)

    async def purge(self, before: datetime | None = None) -> int:
        """Delete expired files."""
        cutoff = before or self.clock.now()
        async with self.db.write() as s:
            res = await s.execute(delete(Download).where(Download.expires_at <= cutoff))
            return res.rowcount or 0
