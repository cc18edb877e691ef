"""Storage on SQLite and on PostgreSQL: migrations, upserts, registry and roles."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect

from bot.delivery.outbox import NewDelivery, OutboxRepo
from bot.kernel.clock import ShiftedClock
from bot.kernel.people import Role
from bot.storage.conversations import ConversationRepo
from bot.storage.db import Database
from bot.storage.people import PeopleRepo
from bot.storage.projects import ProjectRepo


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request, tmp_path: Path):
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path}/s.db"
    else:
        url = request.getfixturevalue("pg_url")
    database = Database(url)
    await database.migrate()
    await database.migrate()  # idempotent
    yield database
    await database.close()


async def test_tables_exist(db: Database):
    async with db.engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert {"conversations", "people", "audit_log", "outbox", "projects", "downloads", "alembic_version"} <= names


async def test_conversation_upsert_and_deactivate(db: Database):
    repo = ConversationRepo(db)
    ref = {"serviceUrl": "http://x/", "conversation": {"id": "c1"}}
    await repo.touch(conversation_id="c1", kind="groupChat", tenant_id="t", team_id="", service_url="http://x/",
                     reference=ref, name="Oppvekst", installed=True)
    await repo.touch(conversation_id="c1", kind="groupChat", tenant_id="t", team_id="", service_url="http://y/",
                     reference={**ref, "serviceUrl": "http://y/"})
    got = await repo.get("c1")
    assert got.service_url == "http://y/" and got.name == "Oppvekst" and got.active
    await repo.set_faggruppe("c1", "Oppvekst")
    assert [c.id for c in await repo.faggruppe_chats(["Oppvekst"])] == ["c1"]
    await repo.deactivate("c1", "403")
    assert not (await repo.get("c1")).active
    assert await repo.faggruppe_chats() == []
    await repo.touch(conversation_id="c1", kind="groupChat", tenant_id="t", team_id="", service_url="http://y/",
                     reference=ref, installed=True)
    assert (await repo.get("c1")).active


async def test_people_roles_unicode(db: Database):
    repo = PeopleRepo(db)
    p = await repo.upsert(person_id="aad-1", name="Åse Ærlig-Øvrebø 🌲", aad_object_id="aad-1", upn="ASE@Kommune.no")
    assert p.role == Role.MEMBER and p.name == "Åse Ærlig-Øvrebø 🌲"
    await repo.set_role("aad-1", Role.LEADER)
    again = await repo.upsert(person_id="aad-1", name="Åse")
    assert again.role == Role.LEADER
    assert (await repo.find("ase@kommune.no")).id == "aad-1"
    assert [x.id for x in await repo.leaders()] == ["aad-1"]


async def test_outbox_keys_are_unique_and_claims_exclusive(db: Database):
    clock = ShiftedClock()
    repo = OutboxRepo(db, clock)
    item = NewDelivery(key="k1", conversation_id="c1", payload={"activity": {"type": "message"}}, group_key="g")
    assert await repo.enqueue([item]) == 1
    assert await repo.enqueue([item]) == 0
    first = await repo.claim("w1")
    second = await repo.claim("w2")
    assert [r.key for r in first] == ["k1"] and second == []
    await repo.mark_retry(first[0].id, "w1", "502", timedelta(seconds=30))
    assert await repo.claim("w2") == []
    clock.advance(timedelta(seconds=31))
    again = await repo.claim("w2")
    assert again and again[0].attempts == 2
    await repo.mark_sent(again[0].id, "w2", "act-1")
    assert (await repo.get("k1")).state == "sent"
    assert await repo.backlog() == 0


async def test_stale_claim_is_recovered(db: Database):
    clock = ShiftedClock()
    repo = OutboxRepo(db, clock)
    await repo.enqueue([NewDelivery(key="k2", conversation_id="c", payload={})])
    assert await repo.claim("dead-worker")
    clock.advance(timedelta(minutes=5))
    rescued = await repo.claim("w2")
    assert [r.key for r in rescued] == ["k2"]


async def test_projects_unique_names(db: Database):
    repo = ProjectRepo(db)
    p = await repo.create("Felles journalsystem", "Beskrivelse", "aad-1", ["Helse og omsorg"])
    assert (await repo.find("journal")).id == p.id
    from bot.kernel.errors import InvalidInput

    with pytest.raises(InvalidInput):
        await repo.create("felles JOURNALSYSTEM", "", "aad-1", [])
