"""`python -m bot backup|restore` against the real process: a consistent copy while it runs, restore only when stopped."""

from __future__ import annotations

import os
import shlex
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import aiohttp
import psycopg

from tests.conftest import PG_ADMIN, requires_pg
from tests.harness import RunningBot, TeamsClient
from tests.procs import ROOT, BotProcess


def cli(tmp: Path, db: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp), "PYTHONPATH": str(ROOT), "DATABASE_URL": db}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp, env=env, capture_output=True, text=True,
                          timeout=120)


def conversations(path: Path) -> set[str]:
    conn = sqlite3.connect(path)  # closed at once: an open connection here would count as "in use"
    try:
        return {row[0] for row in conn.execute("SELECT id FROM conversations")}
    finally:
        conn.close()


async def test_backup_while_running_then_restore_after_stop(tmp_path: Path, connector, leader):
    db_file = tmp_path / "live" / "bot.db"
    url = f"sqlite+aiosqlite:///{db_file}"
    proc = BotProcess(tmp_path, {"DATABASE_URL": url, "BOT_LEADERS": leader.aad}, "backup")
    backup = tmp_path / "backups" / "bot-backup.db"
    try:
        await proc.start()
        async with aiohttp.ClientSession() as http:
            teams = TeamsClient(http, proc.url, connector)
            before = teams.group("Oppvekst", [leader])
            assert (await teams.install(before, leader)).status in (200, 201)
            done = cli(tmp_path, url, "backup", str(backup))  # while the bot runs
            assert done.returncode == 0, done.stderr
            assert "integrity ok" in done.stdout and "schema revision" in done.stdout
            after = teams.group("Helse", [leader])
            await teams.install(after, leader)
        assert conversations(backup) == {before.id}
        assert not Path(f"{backup}-wal").exists()  # one self-contained file
        again = cli(tmp_path, url, "backup", str(backup))
        assert again.returncode == 3 and "--force" in again.stderr
        other = tmp_path / "backups" / "other.db"
        other.write_bytes(b"old")
        assert cli(tmp_path, url, "backup", str(other), "--force").returncode == 0
        assert conversations(other) == {before.id, after.id}

        busy = cli(tmp_path, url, "restore", str(backup), "--force")
        assert busy.returncode == 3 and "in use" in busy.stderr
        assert conversations(db_file) == {before.id, after.id}

        proc.terminate()
        assert await proc.wait() == 0
        unforced = cli(tmp_path, url, "restore", str(backup))
        assert unforced.returncode == 3 and "--force" in unforced.stderr
        restored = cli(tmp_path, url, "restore", str(backup), "--force")
        assert restored.returncode == 0, restored.stderr
        kept = list(db_file.parent.glob("bot.before-restore-*.db"))
        assert len(kept) == 1 and conversations(kept[0]) == {before.id, after.id}
        assert conversations(db_file) == {before.id}

        await proc.start()  # the restored database works (and would be migrated if it were older)
        assert (await proc.health())["database"]["reachable"]
    finally:
        proc.stop()


def test_restore_refuses_what_is_not_a_backup_of_this_bot(tmp_path: Path):
    url = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(4096))
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    newer = tmp_path / "newer.db"
    conn = sqlite3.connect(newer)
    conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    conn.execute("INSERT INTO alembic_version VALUES ('9999_from_the_future')")
    conn.commit()
    conn.close()
    for path, reason in ((junk, "not a faggruppe-bot"), (empty, "not a faggruppe-bot"), (newer, "newer release"),
                         (tmp_path / "missing.db", "does not exist")):
        done = cli(tmp_path, url, "restore", str(path), "--force")
        assert done.returncode == 1 and reason in done.stderr, (path, done.stderr)
    assert not (tmp_path / "bot.db").exists()  # nothing was written


def test_backup_of_a_missing_database_creates_nothing(tmp_path: Path):
    done = cli(tmp_path, f"sqlite+aiosqlite:///{tmp_path}/absent.db", "backup", str(tmp_path / "b.db"))
    assert done.returncode == 1 and "does not exist" in done.stderr
    assert not (tmp_path / "absent.db").exists() and not (tmp_path / "b.db").exists()


def test_postgresql_gets_the_pg_dump_command_without_the_password(tmp_path: Path):
    url = "postgresql+psycopg://faggruppe:S3cret-pw@db.example.org:5432/faggruppe"
    for command in ("backup", "restore"):
        done = cli(tmp_path, url, command, str(tmp_path / "dump.pgc"))
        assert done.returncode == 3
        assert "pg_dump --format=custom" in done.stderr and "pg_restore" in done.stderr
        assert "postgresql://faggruppe@db.example.org:5432/faggruppe" in done.stderr
        assert "S3cret-pw" not in done.stderr + done.stdout


@requires_pg
async def test_the_printed_pg_dump_and_pg_restore_commands_round_trip(tmp_path: Path, pg_url: str, make_settings, clock):
    running = RunningBot(make_settings(DATABASE_URL=pg_url), clock)
    await running.start()  # migrates the empty database
    try:
        await running.services.conversations.touch(
            conversation_id="19:kept@thread.v2", kind="groupChat", tenant_id="t", team_id="", service_url="https://x",
            reference={}, name="Oppvekst", installed=True, person_id=None)
    finally:
        await running.stop()
    dump = tmp_path / "faggruppe.pgc"
    printed = cli(tmp_path, pg_url, "backup", str(dump)).stderr.splitlines()
    pg_dump = next(line.strip() for line in printed if line.strip().startswith("pg_dump "))
    subprocess.run(shlex.split(pg_dump), check=True, timeout=120)
    name = f"fb_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        target = pg_url.rsplit("/", 1)[0] + f"/{name}"
        printed = cli(tmp_path, target, "restore", str(dump)).stderr.splitlines()
        pg_restore = next(line.strip() for line in printed if line.strip().startswith("pg_restore "))
        subprocess.run(shlex.split(pg_restore), check=True, timeout=120)
        with psycopg.connect(target.replace("postgresql+psycopg://", "postgresql://")) as conn:
            assert conn.execute("SELECT name FROM conversations").fetchall() == [("Oppvekst",)]
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
