"""Look at the configured database without changing it: reachable, migration revision, job store and outbox."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine


@dataclass
class DatabaseState:
    """What the database looks like from here."""

    where: str  # the URL without its password
    reachable: bool = False
    exists: bool = True  # False: a SQLite file the first start will create
    error: str = ""
    current: tuple[str, ...] = ()  # Alembic revisions in the database
    heads: tuple[str, ...] = ()  # Alembic heads of this version of the code
    unknown: tuple[str, ...] = ()  # revisions in the database this code does not know (a newer release migrated it)
    tables: set[str] = field(default_factory=set)
    jobs: int | None = None  # rows in the scheduler's job store (None: the table does not exist yet)
    backlog: int | None = None  # outbox deliveries not yet settled
    dialect: str = ""
    leader: bool | None = None  # PostgreSQL: an instance holds the scheduler's leader lock (None: not known)

    @property
    def migrated(self) -> bool:
        """True when the database is at this code's heads."""
        return set(self.current) == set(self.heads)


def safe_location(url: str) -> str:
    """The database URL without its password (for messages)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(DATABASE_URL)"


def _heads() -> tuple[tuple[str, ...], object]:
    """The migration heads this code knows, and the script directory to look revisions up in."""
    from alembic.script import ScriptDirectory

    from bot.storage.db import alembic_config

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return tuple(script.get_heads()), script


def _read(conn: Connection, state: DatabaseState, script: object) -> None:
    """Fill `state` with the database's tables and current revisions, and the revisions this code does not know."""
    from alembic.runtime.migration import MigrationContext

    state.tables = set(inspect(conn).get_table_names())
    state.current = tuple(MigrationContext.configure(conn).get_current_heads())
    known = {rev.revision for rev in script.walk_revisions()}  # type: ignore[attr-defined]
    state.unknown = tuple(rev for rev in state.current if rev not in known)
    if "apscheduler_jobs" in state.tables:
        state.jobs = int(conn.execute(text("SELECT count(*) FROM apscheduler_jobs")).scalar() or 0)
    state.dialect = conn.dialect.name
    if state.dialect == "postgresql":
        from bot.scheduling.scheduler import LEADER_LOCK_ID

        state.leader = bool(conn.execute(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = :low AND classid = :high"),
            {"low": LEADER_LOCK_ID & 0xFFFFFFFF, "high": LEADER_LOCK_ID >> 32}).scalar())
    if "outbox" in state.tables:
        state.backlog = int(conn.execute(
            text("SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')")).scalar() or 0)


def _missing_sqlite_file(url: str, state: DatabaseState) -> bool:
    """True (state filled in) when the URL names a SQLite file that does not exist yet."""
    path = url.split(":///", 1)[-1] if url.startswith("sqlite") else ""
    if not path or path == ":memory:" or Path(path).exists():
        return False
    state.exists, state.dialect = False, "sqlite"
    state.reachable = _creatable(Path(path).parent)
    if not state.reachable:
        state.error = f"{Path(path).parent} cannot be created"
    return True


async def inspect_database(url: str, wait: float = 8.0) -> DatabaseState:
    """Connect once (read only) and report; a SQLite file that does not exist yet is not created."""
    state = DatabaseState(where=safe_location(url))
    state.heads, script = await asyncio.to_thread(_heads)
    if await asyncio.to_thread(_missing_sqlite_file, url, state):
        return state
    engine = create_async_engine(url)
    try:
        async with asyncio.timeout(wait), engine.connect() as conn:
            await conn.run_sync(_read, state, script)
        state.reachable = True
    except Exception as exc:
        state.error = _first_line(exc)
    finally:
        await engine.dispose()
    return state


def _creatable(directory: Path) -> bool:
    """True when the nearest existing parent is writable (the bot creates the rest at start)."""
    import os

    for parent in (directory, *directory.parents):
        if parent.exists():
            return os.access(parent, os.W_OK)
    return False


def _first_line(exc: BaseException) -> str:
    """A short description of a database error (no URL, so no password)."""
    if isinstance(exc, TimeoutError):
        return "timed out"
    inner = getattr(exc, "orig", None) or exc
    message = str(inner).strip().splitlines()[0] if str(inner).strip() else ""
    return f"{type(inner).__name__}: {message[:200]}" if message else type(inner).__name__
