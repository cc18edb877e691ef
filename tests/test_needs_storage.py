"""The needs repository on SQLite and PostgreSQL: entries, history diffs, withdrawals, campaigns, Unicode."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect

from bot.kernel.errors import NotFound
from bot.needs.model import BENEFIT, NEED, Benefit, Need
from bot.needs.store import CampaignRepo, NeedsRepo
from bot.storage.db import Database

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request, tmp_path: Path):
    url = f"sqlite+aiosqlite:///{tmp_path}/n.db" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    database = Database(url)
    await database.migrate()
    yield database
    await database.close()


async def test_tables_and_round_trip(db: Database):
    async with db.engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert {"need_entries", "need_entry_history", "input_campaigns"} <= names
    repo = NeedsRepo(db)
    long = "Ærlig øving å 🚀 " * 250
    need = await repo.create(NEED, Need("Behov æøå 👩🏽‍💻", long, "Mål", "hoy", municipalities=("Brønnøy", "Træna")),
                             project_id=1, faggruppe="Helse og omsorg", submitter_id="aad-1", submitter_name="Åse",
                             now=NOW)
    ben = await repo.create(BENEFIT, Benefit("Gevinst", "kvalitet", estimate_nok=12.5, baseline_date=date(2026, 2, 1)),
                            project_id=1, faggruppe="Oppvekst", submitter_id="aad-2", submitter_name="Per", now=NOW)
    got = await repo.get(need.id)
    assert got.content.problem == long and got.municipalities == ("Brønnøy", "Træna") and got.created_at == NOW
    assert (await repo.get(ben.id)).content.baseline_date == date(2026, 2, 1)
    updated, changes = await repo.update(ben.id, Benefit("Gevinst", "kvalitet", estimate_nok=99.0,
                                                         baseline_date=date(2026, 2, 1)),
                                         project_id=1, faggruppe="Oppvekst", actor_id="leader", now=NOW + timedelta(hours=1))
    assert changes == {"estimate_nok": [12.5, 99.0]} and updated.updated_at == NOW + timedelta(hours=1)
    await repo.withdraw(need.id, actor_id="aad-1", now=NOW)
    await repo.withdraw(need.id, actor_id="aad-1", now=NOW)  # idempotent
    assert [h.action for h in await repo.history(need.id)] == ["created", "withdrawn"]
    assert [h.actor_id for h in await repo.history(ben.id)] == ["aad-2", "leader"]
    assert [e.id for e in await repo.by_project(1)] == [ben.id]
    assert [e.id for e in await repo.by_project(1, include_withdrawn=True)] == [need.id, ben.id]
    assert [e.id for e in await repo.by_submitter("aad-1")] == [need.id]
    with pytest.raises(NotFound):
        await repo.withdraw(9999, actor_id="x", now=NOW)
    campaigns = CampaignRepo(db)
    c = await campaigns.create(1, ["Oppvekst", "Ungdom"], NOW + timedelta(days=2), "leader", "19:abc", NOW)
    again = await campaigns.get(c.id)
    assert again.faggrupper == ("Oppvekst", "Ungdom") and again.deadline == NOW + timedelta(days=2)
