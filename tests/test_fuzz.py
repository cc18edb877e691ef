"""Property-based fuzzing of /api/messages over HTTP against the real bot process, on SQLite and on PostgreSQL.

Each store first gets a sweep (every card verb with every hostile id and number, deep nesting and huge strings; every
command with long and hostile arguments; raw bodies that are not activities), then FUZZ_EXAMPLES generated activities
(tests/fuzz_strategies.py). Defaults (the quick profile CI runs): 600 examples on SQLite, 200 on PostgreSQL; with
FUZZ_EXAMPLES set, both stores get that many (`make fuzz`: 10,000 each). FUZZ_PG_EXAMPLES overrides PostgreSQL's.
Invariants: no 5xx, no unhandled turn error, 4xx-rejected input writes nothing, the app still answers /healthz, the
database is consistent afterwards, and the other tenant's user never got in.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from hypothesis import HealthCheck, given, settings

from tests.conftest import PG_ADMIN, PG_OK
from tests.fuzz_strategies import (
    CONVS,
    HOSTILE_NUMBERS,
    ID_FIELDS,
    LEADER,
    RAW_BODIES,
    ROUTER,
    activities,
    nested,
)
from tests.harness import BOT_ID, TENANT
from tests.livebot import LiveProcessBot, sqlite_counts, sqlite_integrity

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "600"))
PG_EXAMPLES = int(os.environ.get("FUZZ_PG_EXAMPLES") or (EXAMPLES if "FUZZ_EXAMPLES" in os.environ else 200))
SURVEY = os.environ.get("FUZZ_SURVEY") == "1"  # count failures over the whole run instead of stopping at the first
TABLES = ("people", "conversations", "memberships", "faggrupper", "audit_log", "outbox")


class Store:
    """Row counts and consistency checks, read directly from the bot's database (as an operator would)."""

    def __init__(self, kind: str, url: str, path: Path | None = None) -> None:
        self.kind, self.url, self.path = kind, url, path
        self.conn = psycopg.connect(url.replace("+psycopg", ""), autocommit=True) if kind == "postgresql" else None

    def counts(self) -> dict[str, int]:
        if self.conn is None:
            assert self.path is not None
            return sqlite_counts(self.path, TABLES)
        return {t: int(self.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in TABLES}  # type: ignore[index]

    def scalar(self, query: str, *args: Any) -> Any:
        if self.conn is None:
            with sqlite3.connect(self.path) as conn:  # type: ignore[arg-type]
                return conn.execute(query, args).fetchone()[0]
        return self.conn.execute(query.replace("?", "%s"), args).fetchone()[0]  # type: ignore[index]

    def consistent(self) -> bool:
        if self.conn is None:
            ok, fks = sqlite_integrity(self.path)  # type: ignore[arg-type]
            return ok == "ok" and fks == []
        return True  # PostgreSQL enforces its foreign keys itself

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveProcessBot]:
    tmp: Path = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    pg_name = ""
    if request.param == "postgresql":
        if not PG_OK:
            pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432 (set TEST_PG_URL)")
        pg_name = f"fb_fuzz_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{pg_name}"')
        url = f"postgresql+psycopg://{PG_ADMIN.rsplit('/', 1)[0].split('://', 1)[1]}/{pg_name}"
    else:
        url = f"sqlite+aiosqlite:///{tmp}/fuzz.db"
    bot = LiveProcessBot(tmp, {"DATABASE_URL": url, "BOT_LEADERS": LEADER.aad, "LOG_LEVEL": "WARNING",
                               "ALLOWED_TENANTS": TENANT}).start()
    bot.store = Store(request.param, url, tmp / "fuzz.db")  # type: ignore[attr-defined]
    bot.examples = PG_EXAMPLES if request.param == "postgresql" else EXAMPLES  # type: ignore[attr-defined]
    yield bot
    bot.store.close()  # type: ignore[attr-defined]
    bot.stop()
    if pg_name:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


class Stats:
    def __init__(self) -> None:
        self.tried = 0
        self.statuses: dict[int, int] = {}
        self.server_errors: list[tuple[int, str]] = []
        self.slow: list[tuple[float, int, str]] = []


def _post(live: LiveProcessBot, http: requests.Session, stats: Stats, act: Any) -> int:
    raw = act if isinstance(act, bytes) else json.dumps(act).encode()
    body = raw.replace(b"SERVICE_URL", live.connector.url.encode())
    started = time.perf_counter()
    r = http.post(f"{live.url}/api/messages", data=body, headers={"Content-Type": "application/json"}, timeout=60)
    stats.slow.append((time.perf_counter() - started, r.status_code, body[:300].decode(errors="replace")))
    stats.tried += 1
    stats.statuses[r.status_code] = stats.statuses.get(r.status_code, 0) + 1
    if r.status_code >= 500:
        stats.server_errors.append((r.status_code, body[:500].decode(errors="replace")))
    return r.status_code


def _leader_act(conv_id: str, kind: str, **extra: Any) -> dict[str, Any]:
    act = {"type": "message", "serviceUrl": "SERVICE_URL", "channelId": "msteams", "from": LEADER.account(),
           "recipient": {"id": BOT_ID}, "conversation": {"id": conv_id, "conversationType": kind, "tenantId": TENANT},
           "channelData": {"tenant": {"id": TENANT}}, "locale": "nb-NO"}
    return {**act, **extra}


def _sweep(live: LiveProcessBot, http: requests.Session, stats: Stats) -> None:
    """Every verb with every hostile number in every id field, deep and huge data; commands with hostile arguments."""
    conv_id, kind = CONVS[1]
    mention = [{"type": "mention", "mentioned": {"id": BOT_ID}, "text": "<at>Faggruppe-bot</at>"}]
    for verb in [*sorted(ROUTER.verbs), "cmd"]:
        payloads = [dict.fromkeys(ID_FIELDS, v) for v in HOSTILE_NUMBERS]
        payloads += [dict.fromkeys(ID_FIELDS, nested(50)), dict.fromkeys(ID_FIELDS, nested(70)),
                     dict.fromkeys(ID_FIELDS, "å" * 5_000),
                     {"command": "hjelp " + "a " * 60_000}, {"command": ["hjelp"]}]
        for data in payloads:
            value = {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"}
            act = _leader_act(conv_id, kind, type="invoke", name="adaptiveCard/action", value=value)
            assert _post(live, http, stats, act) < 500, (verb, str(data)[:200])
    for command in sorted({n for c in ROUTER.commands for n in c.names if n}):
        for args in ("", "[klikk her](https://evil.example)", str(2**70), "a " * 3_000, "🤖" * 3_000):
            act = _leader_act(conv_id, kind, text=f"<at>Faggruppe-bot</at> {command} {args}", entities=mention)
            assert _post(live, http, stats, act) < 500, (command, args[:40])
    for raw in RAW_BODIES:
        assert _post(live, http, stats, raw) in (400, 413), raw[:40]


@pytest.mark.timeout(max(600, max(EXAMPLES, PG_EXAMPLES) // 3))  # 10,000 examples take many minutes on a busy machine
def test_fuzzed_activities_never_500(live: LiveProcessBot):
    http = requests.Session()
    store: Store = live.store  # type: ignore[attr-defined]
    stats = Stats()
    # Register the chats and a faggruppe so that valid card data has something to hit.
    for conv_id, kind in CONVS[:3]:
        act = _leader_act(conv_id, kind, text="<at>Faggruppe-bot</at> registrer Oppvekst",
                          entities=[{"type": "mention", "mentioned": {"id": BOT_ID}}])
        assert _post(live, http, stats, act) in (200, 201)
    _sweep(live, http, stats)
    swept = stats.tried

    @settings(max_examples=live.examples, deadline=None, database=None, derandomize=False,  # type: ignore[attr-defined]
              suppress_health_check=list(HealthCheck))
    @given(act=activities())
    def one(act: dict[str, Any] | bytes) -> None:
        before = store.counts()
        status = _post(live, http, stats, act)
        if SURVEY:
            return
        assert status < 500, status
        if status >= 400:
            assert store.counts() == before, "a rejected request wrote to the database"

    one()
    health = http.get(f"{live.url}/healthz", timeout=10).json()
    errors = live.error_lines()
    print(f"\nfuzz[{store.kind}]: tried={stats.tried} (sweep {swept}) statuses={dict(sorted(stats.statuses.items()))} "
          f"5xx={len(stats.server_errors)} turn_errors={len(errors)}")
    if os.environ.get("FUZZ_SLOW"):
        for item in sorted(stats.slow, reverse=True)[:8]:
            print(item)
        print("total s", sum(x[0] for x in stats.slow))
    assert health["database"]["reachable"] is True
    assert store.consistent()
    assert stats.server_errors == []
    assert [(e.get("message"), e.get("exc", "")[-300:]) for e in errors] == []
    assert live.proc.alive
    assert stats.tried >= live.examples  # type: ignore[attr-defined]
    # The other tenant's user never got in.
    assert store.scalar("SELECT count(*) FROM people WHERE tenant_id != ?", TENANT) == 0
    assert store.scalar("SELECT count(*) FROM conversations WHERE tenant_id != ?", TENANT) == 0
