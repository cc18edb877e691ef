"""The real bot process and the fake connector on a background event loop, for synchronous drivers (hypothesis)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from tests.fakes.connector import FakeConnector

T = TypeVar("T")


class LiveProcessBot:
    """The real bot as a subprocess (`python -m bot`) and the fake connector on a background loop in this process.

    The bot gets its own interpreter (and core), so a synchronous driver such as hypothesis does not share a GIL with it.
    """

    def __init__(self, tmp: Path, env: dict[str, str]) -> None:
        from tests.procs import BotProcess

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True, name="live-connector")
        self.connector = FakeConnector()
        self.proc = BotProcess(tmp, env, "fuzz")

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def start(self) -> LiveProcessBot:
        self.thread.start()
        self.call(self.connector.start())
        self.call(self.proc.start())
        return self

    def stop(self) -> None:
        self.proc.stop()
        self.call(self.connector.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    @property
    def url(self) -> str:
        return self.proc.url

    def error_lines(self) -> list[dict[str, Any]]:
        """ERROR/CRITICAL log lines the bot process wrote (unhandled turn errors, failed processing)."""
        return [line for line in self.proc.log_lines() if line.get("level") in ("ERROR", "CRITICAL")]


def sqlite_counts(path: Path, tables: tuple[str, ...]) -> dict[str, int]:
    """Row counts read directly from the SQLite file (a second connection, as an operator would)."""
    with sqlite3.connect(path) as conn:
        return {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables}


def sqlite_integrity(path: Path) -> tuple[str, list[Any]]:
    """PRAGMA integrity_check and foreign_key_check results."""
    with sqlite3.connect(path) as conn:
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
        fks = conn.execute("PRAGMA foreign_key_check").fetchall()
    return ok, fks
