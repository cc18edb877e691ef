"""Database engine, sessions, migrations at start, and dialect-aware helpers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK_ID = 715_002_001  # any constant will do, as long as every instance uses the same one


def sync_url(url: str) -> str:
    """The synchronous URL for the same database (APScheduler's job store)."""
    return url.replace("sqlite+aiosqlite://", "sqlite://", 1)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """Configure each new SQLite connection (WAL, foreign keys, busy timeout)."""
    cur = dbapi_conn.cursor()
    # WAL: readers (and `python -m bot backup`) go on while the one writer writes.
    cur.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL cannot corrupt the file; a power cut may lose only the last commits.
    cur.execute("PRAGMA synchronous=NORMAL")
    # SQLite enforces foreign keys only when each connection asks for it.
    cur.execute("PRAGMA foreign_keys=ON")
    # Another process's lock (a second instance, a backup) is waited for up to 10 s instead of failing at once.
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def alembic_config(url: str) -> Config:
    """Alembic configuration pointing at the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", sync_url(url))
    return cfg


class Database:
    """Owns the async engine and session factory."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        """Open an engine for `url` (for a SQLite file, create its folder first)."""
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            path = url.split(":///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Error messages and echo logs never carry bound values (names, texts, ids are personal data).
        kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if not self.is_sqlite:
            # pre-ping: a connection the server closed while idle is replaced instead of failing the next query.
            kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        # Rows stay readable after commit: reloading an expired attribute would need I/O, which an async session
        # cannot do implicitly.
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite allows one writer; serialising writes in-process avoids "database is locked".
        self.write_lock = asyncio.Lock() if self.is_sqlite else None

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self.engine.dialect.name

    async def migrate(self) -> None:
        """Apply all Alembic migrations (serialised across instances on PostgreSQL)."""

        def upgrade(conn: Connection) -> None:
            """Upgrade to the heads on one connection (on PostgreSQL under an advisory lock)."""
            if conn.dialect.name == "postgresql":
                # Instances starting together wait here, so one migrates and the others find it done; the lock
                # ends with the transaction. (SQLite needs none: its file lock lets one writer in.)
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_ID})
            cfg = alembic_config(self.url)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "heads")

        async with self.engine.begin() as conn:
            await conn.run_sync(upgrade)
        log.info("database migrated", extra={"dialect": self.dialect})

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction: committed on success, rolled back on error."""
        async with self.sessions() as s, s.begin():
            yield s

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A writing transaction; on SQLite writes are serialised within the process."""
        if self.write_lock is None:
            async with self.session() as s:
                yield s
        else:
            async with self.write_lock, self.session() as s:
                yield s

    async def ping(self) -> bool:
        """True when the database answers."""
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:
            log.warning("database ping failed", exc_info=True)
            return False

    async def close(self) -> None:
        """Dispose the engine."""
        await self.engine.dispose()


def insert_for(dialect: str) -> Any:
    """The dialect's INSERT construct that supports ON CONFLICT."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert
