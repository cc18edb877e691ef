"""`python -m bot backup|restore PATH`: a consistent SQLite copy while the bot runs, and putting one back when it is stopped."""

from __future__ import annotations

import contextlib
import os
import shlex
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Settings

OK, FAILED, REFUSED = 0, 1, 3
DMS_BYTE = 128  # SQLite's "dead man switch" lock byte in the -shm file: every open WAL connection holds it shared


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why and what to do."""


def _say(message: str) -> None:
    """Tell the operator (on stderr: stdout is left for the command's result)."""
    print(message, file=sys.stderr)


def postgres_commands(database_url: str, path: str) -> str:
    """pg_dump / pg_restore command lines for the configured database, without its password."""
    from sqlalchemy.engine import URL, make_url

    given = make_url(database_url)  # rebuilt without the password (URL.set(password=None) keeps it)
    url = URL.create("postgresql", username=given.username, host=given.host, port=given.port, database=given.database,
                     query=given.query)
    target = shlex.quote(url.render_as_string(hide_password=False))
    return (f"  pg_dump --format=custom --no-owner --file={shlex.quote(path)} {target}\n"
            f"Restore (into an empty database, with the bots stopped):\n"
            f"  pg_restore --clean --if-exists --no-owner --dbname={target} {shlex.quote(path)}\n"
            "The password comes from PGPASSWORD or ~/.pgpass, never from the command line.")


def in_use(db: Path) -> bool:
    """True when another process has the database open (it holds SQLite's shared lock on the -shm file)."""
    shm = Path(f"{db}-shm")
    try:
        import fcntl
    except ImportError:  # not on Windows: no check there
        return False
    if not shm.exists():
        return False
    with open(shm, "r+b") as f:
        try:
            fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, DMS_BYTE)
        except OSError:
            return True
        fcntl.lockf(f, fcntl.LOCK_UN, 1, DMS_BYTE)
    return False


def _open_existing(path: Path) -> sqlite3.Connection:
    """A connection to a database file that must exist (sqlite3 would create an empty one)."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=30)
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def _revision(conn: sqlite3.Connection, what: Path) -> str:
    """Check a copy (integrity, a faggruppe-bot schema this release knows) and return its Alembic revision."""
    from alembic.script import ScriptDirectory

    from bot.storage.db import alembic_config

    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{what} is not a faggruppe-bot SQLite database ({exc})") from None
    if result != "ok":
        raise BackupError(f"{what} fails SQLite's integrity check: {result}")
    if len(rows) != 1:
        raise BackupError(f"{what} has no single schema revision (alembic_version): not a faggruppe-bot database")
    script = ScriptDirectory.from_config(alembic_config("sqlite:///unused"))
    revision = str(rows[0][0])
    try:
        script.get_revision(revision)
    except Exception:
        raise BackupError(f"{what} has schema revision {revision!r}, which this release does not know: it was made by "
                          "a newer release; restore it with that release") from None
    return revision


def _copy(source: Path, target: Path) -> str:
    """SQLite's online backup of source into a new single file at target (atomically); its revision."""
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    partial.unlink(missing_ok=True)
    src = _open_existing(source)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # one step: a consistent snapshot even while the bot writes (WAL readers don't block)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            revision = _revision(dst, source)
        finally:
            dst.close()
        with open(partial, "rb") as f:
            os.fsync(f.fileno())
        os.replace(partial, target)
        with contextlib.suppress(OSError):
            fd = os.open(target.parent, os.O_RDONLY)
            os.fsync(fd)
            os.close(fd)
        return revision
    finally:
        src.close()
        partial.unlink(missing_ok=True)


def _sqlite_path(settings: Settings, command: str, path: str) -> Path | None:
    """The SQLite file to back up or restore, or None (with the reason said) when there is none."""
    db = settings.sqlite_path
    if db is None and settings.database_url.startswith("postgresql"):
        verb = "backed up" if command == "backup" else "restored"
        _say(f"PostgreSQL is {verb} with its own tools, not `python -m bot {command}`. Back up:\n"
             + postgres_commands(settings.database_url, path))
    elif db is None:
        _say(f"`python -m bot {command}` needs a SQLite file in DATABASE_URL (an in-memory database has nothing to keep)")
    return db


def _occupied(path: Path, force: bool, advice: str) -> bool:
    """True (and the operator told what to do) when `path` exists and --force was not given: nothing is overwritten
    unasked."""
    if path.exists() and not force:
        _say(f"{path} exists: {advice}")
        return True
    return False


def run_backup(settings: Settings, path: str, force: bool = False) -> int:
    """Copy the configured SQLite database to path (safe while the bot runs)."""
    db = _sqlite_path(settings, "backup", path)
    if db is None:
        return REFUSED
    target = Path(path)
    if _occupied(target, force, "choose another file or pass --force to overwrite it"):
        return REFUSED
    if target.resolve() == db.resolve():
        _say("the backup cannot be the database itself")
        return REFUSED
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        revision = _copy(db, target)
    except (BackupError, sqlite3.Error, OSError) as exc:
        _say(f"backup failed: {exc}")
        return FAILED
    print(f"Backed up {db} to {target} ({target.stat().st_size} bytes, schema revision {revision}, integrity ok)")
    return OK


def run_restore(settings: Settings, path: str, force: bool = False) -> int:
    """Put a backup in place of the SQLite database: not while the bot has it open, not over it without --force."""
    db = _sqlite_path(settings, "restore", path)
    if db is None:
        return REFUSED
    source = Path(path)
    try:
        conn = _open_existing(source)
        try:
            revision = _revision(conn, source)
        finally:
            conn.close()
    except (BackupError, sqlite3.Error) as exc:
        _say(f"restore refused: {exc}")
        return FAILED
    if in_use(db):
        _say(f"{db} is in use by a running bot (or another program): stop it first, then restore")
        return REFUSED
    if _occupied(db, force, "pass --force to replace it (a copy of it is kept beside it first)"):
        return REFUSED
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
        kept = None
        if db.exists():
            kept = db.with_name(f"{db.stem}.before-restore-{datetime.now(UTC):%Y%m%dT%H%M%SZ}{db.suffix}")
            _copy(db, kept)
        partial = db.with_name(f".{db.name}.restoring")
        _copy(source, partial)
        for leftover in (Path(f"{db}-wal"), Path(f"{db}-shm")):
            leftover.unlink(missing_ok=True)  # an old WAL would be replayed onto the restored file
        os.replace(partial, db)
    except (BackupError, sqlite3.Error, OSError) as exc:
        _say(f"restore failed: {exc}")
        return FAILED
    print(f"Restored {source} to {db} (schema revision {revision}; the bot migrates it to this release on start)"
          + (f"; the replaced database is kept as {kept}" if kept else ""))
    return OK
