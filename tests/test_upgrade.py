"""Upgrade: jobs stored by release 1.1.0 (vendored in tests/fixtures) each fire once, on time, under this checkout.

The old release's own code builds the database (tests/upgrade/make_old_db.py, run in a subprocess with only the
extracted release on PYTHONPATH); this checkout's bot (`python -m bot`) then runs on that file against the fake
connector and the fake Graph. Checked by what arrives there and by the job table, never by module paths.
"""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import re
import sqlite3
import sys
import tarfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from apscheduler.util import ref_to_obj

from bot.scheduling import names
from bot.scheduling.scheduler import RUN_NAMED, RUN_ONCE
from tests.fakes.connector import FakeConnector, Record
from tests.procs import PASS_THROUGH, BotProcess

pytestmark = pytest.mark.slow
HERE = Path(__file__).resolve().parent
RELEASE = HERE / "fixtures" / "release-1.1.0.tar.gz"
LEAD = 10.0  # seconds from the old code's "now" to the first job: the script's exit and the bot's start fit in it
RETRY = 4  # the old release's JOB_RETRY_SECONDS: a one-off job left in the store would run again within this
EARLY = 1.0  # an effect may not arrive more than this before its job's due time
LATE = 8.0  # nor later than this after it (scheduler wake-up, outbox delivery, a loaded machine)
REF = re.compile(r"^[A-Za-z_][\w]*(\.[\w]+)+:[\w.]+$")


async def _old_database(tmp: Path, connector_url: str) -> tuple[Path, dict[str, Any]]:
    old = tmp / "release"
    with tarfile.open(RELEASE) as tar:
        tar.extractall(old, filter="data")
    db, manifest = tmp / "upgrade.db", tmp / "manifest.json"
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp), "PYTHONPATH": str(old), "PYTHONUNBUFFERED": "1",
           **{k: v for k in PASS_THROUGH if (v := os.environ.get(k))}}  # a moved clock (make test-future) moves it too
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(HERE / "upgrade" / "make_old_db.py"), "--db", str(db), "--connector", connector_url,
        "--lead", str(LEAD), "--retry-seconds", str(RETRY), "--manifest", str(manifest), cwd=tmp, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    _, err = await proc.communicate()
    assert proc.returncode == 0, err.decode(errors="replace")[-3000:]
    return db, json.loads(manifest.read_text(encoding="utf-8"))


def _text(r: Record) -> str:
    return json.dumps(r.body, ensure_ascii=False)


def _posts(connector: FakeConnector, conversation: str, mark: str) -> list[Record]:
    return [r for r in connector.records if r.op in ("send", "reply") and r.conversation_id == conversation
            and mark in _text(r)]


def _mentioned(r: Record) -> set[str]:
    return {e["mentioned"]["id"] for e in (r.body or {}).get("entities") or [] if e.get("type") == "mention"}


def _jobs(db: Path) -> dict[str, dict[str, Any]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT id, next_run_time, job_state FROM apscheduler_jobs").fetchall()
    return {i: {"next_run": nrt, **pickle.loads(state)} for i, nrt, state in rows}


def _errors(bot: BotProcess) -> list[dict[str, Any]]:
    """Log lines of failed or missed jobs, and any error."""
    return [line for line in bot.log_lines() if line.get("level") in ("ERROR", "CRITICAL")
            or re.search(r"raised an exception|was missed|Traceback", str(line.get("message", "")))]


def _expectations(m: dict[str, Any]) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Job kind -> (due key, [(conversation, mark)] where exactly one post is expected)."""
    c, k = m["chats"], m["marks"]
    both = ["Oppvekst", "Ungdom"]
    return {
        "gate_reminder": ("gate_reminder", [(c[f], k["gate_reminder"]) for f in both]),
        "gate_overdue": ("now", [(c["personal"], k["gate_overdue"])]),
        "poll_reminder": ("poll_reminder", [(c["poll"], k["poll_reminder"])]),
        "poll_close": ("poll_close", [(c["poll"], k["poll_close"])]),
        "broadcast": ("broadcast", [(c[f], k["broadcast"]) for f in both] + [(c["personal"], k["broadcast"])]),
        "campaign_reminder": ("campaign_reminder", [(c[f], k["campaign"]) for f in both]),
        "campaign_report": ("campaign_report", [(c["personal"], k["campaign"])]),
    }


async def test_jobs_stored_by_release_1_1_0_fire_once_after_upgrade(tmp_path: Path, connector: FakeConnector,
                                                                     fake_graph: Any) -> None:
    started = time.monotonic()
    db, m = await _old_database(tmp_path, connector.url)
    leader, members, chats = m["leader"], m["members"], m["chats"]
    for name in ("Oppvekst", "Ungdom", "poll"):
        connector.members[chats[name]] = [leader, *members]
    mono = time.monotonic() - time.time()  # wall clock -> the connector's monotonic stamps

    def due(key: str) -> float:
        at = m["now"] if key == "now" else m["expected_due"][key]
        return datetime.fromisoformat(at).timestamp() + mono

    bot = BotProcess(tmp_path, {"DATABASE_URL": f"sqlite+aiosqlite:///{db}", "BOT_LEADERS": leader["aadObjectId"],
                                "SSL_CERT_FILE": os.environ["SSL_CERT_FILE"], **fake_graph.env()})
    expect = _expectations(m)
    graph_subjects = [m["marks"]["gate_reminder"], m["marks"]["poll_close"]]  # the booking retry, the poll's booking

    booked_at: dict[str, float] = {}  # the fake Graph keeps no times: when the wait below first saw each event

    def missing() -> list[str]:
        posts = [f"{kind}: nothing with {mark!r} in {conv}" for kind, (_, where) in expect.items() for conv, mark in where
                 if not _posts(connector, conv, mark)]
        for s in graph_subjects:
            if s not in booked_at and any(e.get("subject", "").startswith(s) for e in fake_graph.live_events()):
                booked_at[s] = time.monotonic()
        return posts + [f"no calendar event {s!r}" for s in graph_subjects if s not in booked_at]

    try:
        await bot.start()
        up = time.monotonic()
        last_due = max(due(k) for k, _ in expect.values())
        try:
            await connector.wait_for(lambda: not missing(), timeout=last_due - time.monotonic() + LATE)
        except AssertionError:
            raise AssertionError(f"{missing()}\njob errors: {_errors(bot)[:5]}") from None
        await asyncio.sleep(RETRY + 1.5)  # a job not removed after its run would run again meanwhile
        jobs = _jobs(db)
    finally:
        bot.terminate()
        if bot.alive:
            await bot.wait(20)
        bot.stop()

    # Each job kind: exactly one post where it should go, not before its due time, not long after.
    lateness: dict[str, float] = {}
    for kind, (due_key, where) in expect.items():
        for conv, mark in where:
            posts = _posts(connector, conv, mark)
            assert len(posts) == 1, (kind, conv, [_text(p)[:300] for p in posts])
            if due_key == "now":  # the overdue notice was already due when the bot started: it comes at once
                assert posts[0].at <= up + LATE, (kind, "late after start", posts[0].at - up)
                lateness[kind] = max(lateness.get(kind, 0.0), posts[0].at - up)
                continue
            # A job that came due while the bot was still starting (a loaded machine takes longer than LEAD) can only
            # run once it is up: it is late from the later of its due time and the start, as the overdue notice is.
            runnable = max(due(due_key), up)
            lateness[kind] = max(lateness.get(kind, -EARLY), posts[0].at - due(due_key))
            assert due(due_key) - EARLY <= posts[0].at <= runnable + LATE, (kind, posts[0].at - runnable)
    poll_reminder = _posts(connector, chats["poll"], m["marks"]["poll_reminder"])[0]
    assert _mentioned(poll_reminder) == {p["id"] for p in members}  # the leader voted; the others are reminded
    for f in ("Oppvekst", "Ungdom"):
        assert _mentioned(_posts(connector, chats[f], m["marks"]["campaign"])[0]) == {p["id"] for p in members}  # not the leader
    # The polls' posted cards were updated (reminder: refreshed; close: the result), the closed one booked once.
    updated = {r.activity_id for r in connector.updates(chats["poll"])}
    assert {"act-upgrade-poll_reminder", "act-upgrade-poll_close"} <= updated
    booked, retry_due = booked_at[graph_subjects[0]], due("booking_retry")
    retry_late = booked - retry_due
    assert retry_due - EARLY <= booked <= max(retry_due, up) + LATE, ("booking retry", booked - max(retry_due, up))
    lateness["booking_retry"] = retry_late
    for subject in graph_subjects:
        creates = [r for r in fake_graph.calls("POST", "/events") if str((r.body or {}).get("subject", "")).startswith(subject)]
        assert len(creates) == 1, (subject, len(creates))

    # The job table: every one-off job that came due is gone; the later ones are kept, due as before, and resolvable.
    now = datetime.now(UTC)
    pending = {j["id"]: j for j in m["jobs"] if datetime.fromisoformat(j["next_run"]) > now}
    assert set(jobs) == set(pending), (sorted(jobs), sorted(pending))
    assert "privacy:retention" in jobs
    assert any(j["id"].startswith("poll:") for j in pending.values())  # the reminded poll still closes later
    for jid, state in jobs.items():
        assert abs(state["next_run"] - datetime.fromisoformat(pending[jid]["next_run"]).timestamp()) < 1, jid
        # Stored as a stable entry point and a job name (migration 0011), never as the path of a feature's function.
        assert state["func"] in (RUN_ONCE, RUN_NAMED), (jid, state["func"])
        assert callable(ref_to_obj(state["func"])), jid
        name = state["args"][0]
        assert name in names.JOBS and not REF.match(name), (jid, name)
        assert callable(names.resolve(name)), (jid, name)

    # No job failed or was missed; nothing logged an error.
    assert not _errors(bot), _errors(bot)[:5]
    print(f"\nupgrade from 1.1.0: {len(m['jobs'])} stored jobs, {len(m['jobs']) - len(jobs)} fired, {len(jobs)} kept; "
          f"{time.monotonic() - started:.1f} s; seconds after due (overdue: after start): "
          + ", ".join(f"{k} {v:.2f}" for k, v in lateness.items()))
