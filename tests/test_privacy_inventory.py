"""Defect 9: the personal data inventory covers the whole schema, and erasure and retention cover the inventory.

A new column fails `test_every_column_is_declared` until it is declared; once declared as personal, the erasure and
retention tests below seed it with a marked person and fail if any trace is left behind.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import JSON, LargeBinary, String, Text

from bot.config import load_settings
from bot.privacy.service import erase_user, run_retention
from bot.storage.inventory import FILE, KINDS, NONE, inventory
from tests.harness import RunningBot
from tests.privacy_seed import Marked, declared_personal, dump, seed, tables, traces

MARKED = Marked("aaaaaaaa-1111-2222-3333-444444444444", "29:marked-user", "Marta Merket-Ørnes", "marta.merket@kommune.no")
BYSTANDER = Marked("bbbbbbbb-1111-2222-3333-444444444444", "29:other-user", "Bjørn Bystander", "bjorn.by@kommune.no")
PERSONISH = re.compile(r"(^|_)(by|name|email|upn|person|user|author|owner|voter|actor|leader|creator|submitter|target|"
                       r"member|attendees?)($|_)")
# Text columns declared free of personal data, and why.
NOT_PERSONAL = {
    ("faggrupper", "name"): "the name of a faggruppe: a key commands use, chosen from the configured list",
    ("projects", "name"): "the name of a project: a unique key commands use",
    ("bot_secrets", "name"): "the name of a setting",
    ("outbox", "claimed_by"): "the id of a bot worker process",
    ("bot_secrets", "value"): "a generated key",
    ("input_campaigns", "faggrupper"): "faggruppe names from the registry",
    ("projects", "faggrupper"): "faggruppe names from the registry",
    ("gates", "faggrupper"): "faggruppe names from the registry",
    ("gates", "documents"): "document names from Prosjektveiviseren",
    ("gates", "offsets"): "numbers (seconds)",
    ("need_entries", "municipalities"): "municipality names from the configured list",
}


@pytest.fixture(params=["sqlite", "postgresql"])
async def store_bot(request, make_settings, clock) -> AsyncIterator[RunningBot]:
    """The running bot on each store (PostgreSQL when reachable)."""
    env = {"DATABASE_URL": request.getfixturevalue("pg_url")} if request.param == "postgresql" else {}
    running = RunningBot(make_settings(**env), clock)
    await running.start()
    yield running
    await running.stop()


def test_every_column_is_declared():
    declared = inventory()
    assert set(declared) == {t.name for t in tables()}
    for t in tables():
        data = declared[t.name]
        listed = [c for k in KINDS for c in data.columns(k)]
        assert sorted(listed) == sorted(c.name for c in t.columns), f"{t.name}: declare every column exactly once"


def test_text_columns_that_look_personal_are_declared_personal():
    for t in tables():
        kinds = inventory()[t.name].kinds()
        for col in t.columns:
            texty = isinstance(col.type, (String, Text, JSON, LargeBinary))
            if texty and kinds[col.name] == NONE and (PERSONISH.search(col.name) or isinstance(col.type, (JSON, Text))):
                assert (t.name, col.name) in NOT_PERSONAL, f"{t.name}.{col.name} looks personal but is declared none"


def test_every_personal_table_has_a_retention_rule():
    for name, data in inventory().items():
        assert data.retention.text and data.erasure, name
        if data.retention.setting:
            assert hasattr(load_settings({}), data.retention.setting), (name, data.retention.setting)


async def test_erasure_leaves_no_trace_in_any_declared_column(store_bot):
    bot = store_bot
    db = bot.services.db
    await seed(db, MARKED, 1)
    await seed(db, BYSTANDER, 2)
    # The seed put the person into every declared column and nowhere else.
    assert set(traces(await dump(db), MARKED)) == declared_personal()

    await erase_user(bot.services, MARKED.aad)
    after = await dump(db)
    assert traces(after, MARKED) == []
    # Nobody else's data was touched (files are dropped for everyone: they could hold anyone's data).
    files = {(t, c) for t, data in inventory().items() for c in data.columns(FILE)}
    assert set(traces(after, BYSTANDER)) == declared_personal() - files


async def test_retention_removes_every_row_past_its_time(store_bot):
    bot = store_bot
    db = bot.services.db
    await seed(db, MARKED, 1)
    await seed(db, BYSTANDER, 2)
    await run_retention(bot.services)
    after = await dump(db)
    expiring = {name for name, data in inventory().items() if data.retention.expires}
    # Rows that hang off an expired parent go with it.
    expiring |= {t.name for t in tables() if any(fk.column.table.name in expiring for fk in t.foreign_keys)}
    left = {name: len(after[name]) for name in sorted(expiring) if after[name]}
    assert left == {}
    # What is kept as documentation (projects, decision points) no longer names the people erased for inactivity.
    assert traces(after, MARKED) == [] and traces(after, BYSTANDER) == []
