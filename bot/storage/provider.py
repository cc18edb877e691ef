"""The contract a feature fulfils so its personal data can be exported, erased and expired."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.storage.db import Database

Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class PrivacyProvider:
    """Export returns {table: rows} about one person; erase anonymises or deletes and returns a row count;
    retention deletes or anonymises what is past its time and returns a row count."""

    name: str
    export: Callable[[Database, str], Awaitable[dict[str, Rows]]]
    erase: Callable[[Database, str, str], Awaitable[int]]
    retention: Callable[[Database, datetime, Settings], Awaitable[int]] | None = None


def row_dict(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """A model row as a JSON-friendly dict."""
    out: dict[str, Any] = {}
    for col in obj.__table__.columns:
        if col.key in skip:
            continue
        value = getattr(obj, col.key)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, bytes):
            value = f"<{len(value)} bytes>"
        out[col.key] = value
    return out


async def export_rows(db: Database, **queries: Any) -> dict[str, Rows]:
    """Each named query's rows as dicts, read in one session: the usual body of a provider's export."""
    async with db.session() as s:
        return {name: [row_dict(r) for r in await s.scalars(q)] for name, q in queries.items()}


async def changed_rows(db: Database, *statements: Any) -> int:
    """Run update/delete statements in order in one write transaction (all or none); the rows they changed."""
    n = 0
    async with db.write() as s:
        for stmt in statements:
            n += (await s.execute(stmt)).rowcount or 0
    return n


async def delete_older(db: Database, parent: Any, stamp: Any, cutoff: datetime, child_fk: Any) -> int:
    """Delete parent rows whose `stamp` is before cutoff, children (by `child_fk`) first; returns parents deleted."""
    from sqlalchemy import delete, select

    async with db.write() as s:
        old = list(await s.scalars(select(parent.id).where(stamp < cutoff)))
        if not old:
            return 0
        await s.execute(delete(child_fk.class_).where(child_fk.in_(old)))
        res = await s.execute(delete(parent).where(parent.id.in_(old)))
        return res.rowcount or 0
