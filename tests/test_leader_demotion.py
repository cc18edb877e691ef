"""Defect 5: BOT_LEADERS plus roles granted in chat are the truth.

A leader taken out of BOT_LEADERS loses the role at the next start; a role removed in chat stops working on every
instance within 60 s (the role cache follows the clock).
"""

from __future__ import annotations

from datetime import timedelta

import aiohttp

from bot.kernel.people import Role
from bot.storage.models import Person as Row
from tests.harness import RunningBot, TeamsClient

REFUSED = "bare prosjektledere"


async def _start(settings, clock) -> RunningBot:
    running = RunningBot(settings, clock)
    await running.start()
    return running


async def test_leader_removed_from_config_is_refused_after_restart(make_settings, clock, connector, leader, members):
    granted = members[0]
    first = await _start(make_settings(), clock)
    try:
        async with aiohttp.ClientSession() as http:
            teams = TeamsClient(http, first.url, connector)
            group = teams.group("Oppvekst", [leader, granted])
            assert "Oppvekst" in (await teams.send(group, leader, "registrer Oppvekst")).texts[0]
            await teams.send(group, leader, "leder legg til", mentions=[granted])
            assert (await first.services.people.get(leader.aad)).role == Role.LEADER
    finally:
        await first.stop()

    second = await _start(make_settings(BOT_LEADERS=""), clock)  # the leader is no longer configured
    try:
        async with aiohttp.ClientSession() as http:
            teams = TeamsClient(http, second.url, connector)
            res = await teams.send(group, leader, "registrer Ungdom")
            assert REFUSED in res.texts[0]
            assert (await second.services.conversations.get(group.id)).faggruppe == "Oppvekst"
            # The leader granted in chat stays a leader until removed in chat, with who granted it and when.
            assert "Ungdom" in (await teams.send(group, granted, "registrer Ungdom")).texts[0]
            async with second.services.db.session() as s:
                row = await s.get(Row, granted.aad)
                assert (row.role, row.role_source, row.role_granted_by) == ("leader", "chat", leader.aad)
                assert row.role_granted_at is not None
            assert (await second.services.people.get(leader.aad)).role == Role.MEMBER
            audit = [(a.action, a.target) for a in await second.services.audit.recent()]
            assert ("role.config", leader.aad) in audit
    finally:
        await second.stop()


async def test_role_removed_in_chat_stops_working_on_another_instance_within_60_s(make_settings, clock, connector,
                                                                                  leader, members):
    deputy = members[1]
    one = await _start(make_settings(), clock)
    two = await _start(make_settings(SCHEDULER_ENABLED="false"), clock)  # the same database, a second instance
    try:
        async with aiohttp.ClientSession() as http:
            t1, t2 = TeamsClient(http, one.url, connector), TeamsClient(http, two.url, connector)
            group = t1.group("Oppvekst", [leader, deputy])
            await t1.send(group, leader, "leder legg til", mentions=[deputy])
            assert "Oppvekst" in (await t2.send(group, deputy, "registrer Oppvekst")).texts[0]  # cached as leader on two
            await t1.send(group, leader, "leder fjern", mentions=[deputy])
            clock.advance(timedelta(seconds=61))
            res = await t2.send(group, deputy, "registrer Ungdom")
            assert REFUSED in res.texts[0]
            assert (await two.services.conversations.get(group.id)).faggruppe == "Oppvekst"
    finally:
        await two.stop()
        await one.stop()


def test_migration_tells_chat_grants_from_configured_leaders(tmp_path):
    """A deployed database: leaders whose last role change in the audit log was a grant came from chat."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from bot.storage.db import alembic_config

    url = f"sqlite+aiosqlite:///{tmp_path}/old.db"
    cfg = alembic_config(url)
    command.upgrade(cfg, "0008")
    engine = create_engine(f"sqlite:///{tmp_path}/old.db")
    with engine.begin() as conn:
        for pid in ("configured", "granted", "member"):
            conn.execute(text("INSERT INTO people (id, aad_object_id, channel_user_id, name, upn, tenant_id, role, "
                              "created_at, updated_at) VALUES (:id, '', '', '', '', '', :role, '2026-01-01', '2026-01-01')"),
                         {"id": pid, "role": "member" if pid == "member" else "leader"})
        conn.execute(text("INSERT INTO audit_log (at, actor_id, action, target, details) VALUES "
                          "('2026-02-01', 'configured', 'role.change', 'granted', '{\"role\": \"leader\"}')"))
    command.upgrade(cfg, "heads")
    with engine.begin() as conn:
        rows = dict(conn.execute(text("SELECT id, role_source || '/' || role_granted_by FROM people")).all())
    engine.dispose()
    assert rows == {"configured": "config/", "granted": "chat/configured", "member": "/"}
