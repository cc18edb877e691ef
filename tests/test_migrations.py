"""Migrations: one head, and the models match the migrated schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot.storage.all_models import Base
from bot.storage.db import Database, alembic_config


def test_single_head():
    script = ScriptDirectory.from_config(alembic_config("sqlite+aiosqlite:///x.db"))
    assert len(script.get_heads()) == 1


async def test_models_match_migrations(tmp_path):
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/m.db")
    await db.migrate()

    def diff(conn):
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        return [d for d in compare_metadata(ctx, Base.metadata)
                if not (isinstance(d, tuple) and d[0] == "remove_table" and d[1].name == "apscheduler_jobs")]

    async with db.engine.connect() as conn:
        changes = await conn.run_sync(diff)
    await db.close()
    assert changes == []
