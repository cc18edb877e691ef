"""Short-lived downloads behind unguessable links (bots cannot upload files to group chats).

A file with an owner is personal (an export, someone's own data): its link works once, for a short time. A file
without an owner is shared with the chat it was posted in (a meeting's .ics): it works until it expires.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, select, update

from bot.kernel.clock import Clock
from bot.storage.db import Database
from bot.storage.models import Download

# How long a used or expired link still answers "gone" (410) before its row is deleted and it becomes unknown (404).
GONE_KEPT = timedelta(days=1)


@dataclass(frozen=True)
class DownloadFile:
    """A file ready to serve."""

    filename: str
    content_type: str
    content: bytes


class LinkState(StrEnum):
    """What a link leads to."""

    OK = "ok"
    GONE = "gone"  # used (personal links work once) or expired
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Opened:
    """The outcome of opening a link: a file only when the state is OK."""

    state: LinkState
    file: DownloadFile | None = None


def token_hash(token: str) -> str:
    """The stored form of a token (the token itself is never stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


class DownloadRepo:
    """Issues tokens and serves files until they expire (or, for personal files, until first use)."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def issue(self, content: bytes, filename: str, content_type: str, ttl: timedelta, owner_id: str = "") -> str:
        """Store a file and return its token (only the hash is kept)."""
        token = secrets.token_urlsafe(32)  # 256 random bits: the link is the only key to the file
        now = self.clock.now()
        async with self.db.write() as s:
            s.add(
                Download(
                    token_hash=token_hash(token), filename=filename, content_type=content_type, content=content,
                    owner_id=owner_id, created_at=now, expires_at=now + ttl,
                )
            )
        return token

    async def open(self, token: str, *, consume: bool = True) -> Opened:
        """The file behind a token. A personal file is marked used in the same transaction (so two simultaneous
        requests, even on two instances, get it once); `consume=False` only looks (HEAD requests)."""
        if not token or len(token) > 100:  # issued tokens are 43 characters: anything else is not worth a query
            return Opened(LinkState.UNKNOWN)
        now = self.clock.now()
        async with self.db.write() as s:
            row = await s.get(Download, token_hash(token))
            if row is None:
                return Opened(LinkState.UNKNOWN)
            if row.expires_at <= now or row.used_at is not None or not row.content:
                return Opened(LinkState.GONE)  # no content: dropped by an erasure
            found = DownloadFile(row.filename, row.content_type, row.content)
            if row.owner_id and consume:
                # The condition on used_at, not the row read above, decides: only one concurrent request changes it.
                res = await s.execute(
                    update(Download).where(Download.token_hash == row.token_hash, Download.used_at.is_(None))
                    .values(used_at=now, content=b"")
                )
                if (res.rowcount or 0) != 1:
                    return Opened(LinkState.GONE)
            return Opened(LinkState.OK, found)

    async def fetch(self, token: str) -> DownloadFile | None:
        """The file behind a token (using it up when personal), or None."""
        return (await self.open(token)).file

    async def is_personal(self, tokens: list[str]) -> bool:
        """True when any of the tokens belongs to a personal file (its link must not be shown to others)."""
        if not tokens:
            return False
        async with self.db.session() as s:
            owners = await s.scalars(select(Download.owner_id).where(Download.token_hash.in_([token_hash(t) for t in tokens])))
            return any(owners)

    async def revoke(self, tokens: list[str]) -> int:
        """Delete files whose links could not be delivered."""
        if not tokens:
            return 0
        async with self.db.write() as s:
            res = await s.execute(delete(Download).where(Download.token_hash.in_([token_hash(t) for t in tokens])))
            return res.rowcount or 0

    async def purge(self, before: datetime | None = None) -> int:
        """Drop the content of expired files; delete rows a day after they expired (until then links say 'gone')."""
        cutoff = before or self.clock.now()
        async with self.db.write() as s:
            await s.execute(update(Download).where(Download.expires_at <= cutoff).values(content=b""))
            res = await s.execute(delete(Download).where(Download.expires_at <= cutoff - GONE_KEPT))
            return res.rowcount or 0
