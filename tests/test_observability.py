"""Structured logs of the real process: one JSON line per activity, and no names, texts, tokens or secrets."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from sqlalchemy.orm import Session

from bot.storage.models import OutboxItem
from tests.crashkit import Db
from tests.fakes.identity import FakeIdentity
from tests.harness import TENANT, TeamsClient, make_user
from tests.procs import BotProcess

APP_ID = "3c1d2b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
PASSWORD = "Pa55word-that-must-never-appear"
SECRET_TEXTS = ["Hemmelig møtereferat om budsjett", "Samfunnssikkerhet og beredskap Østfold"]


async def test_json_logs_have_one_line_per_activity_and_no_personal_data(tmp_path: Path, connector, leader):
    ident = FakeIdentity(tmp_path)
    ident.start()
    db_url = f"sqlite+aiosqlite:///{tmp_path}/obs.db"
    env = {"DATABASE_URL": db_url, "BOT_LEADERS": leader.aad, "REQUESTS_CA_BUNDLE": str(ident.ca_file),
           "ALLOWED_TENANTS": TENANT, **ident.env(APP_ID, PASSWORD)}  # a multi-tenant app id must name its tenants
    proc = BotProcess(tmp_path, env, "obs")
    user = make_user("Åse Ærligsen")
    tokens: list[str] = []
    try:
        await proc.start()
        async with aiohttp.ClientSession() as http:
            teams = TeamsClient(http, proc.url, connector)

            async def post(act):
                tok = ident.token(APP_ID, connector.url)
                tokens.append(tok)
                return await teams.post(act, {"Authorization": f"Bearer {tok}"})

            conv = teams.group("Chat", [leader, user])
            posted = [
                teams.activity(conv, leader, "conversationUpdate", membersAdded=[{"id": "28:faggruppe-bot"}]),
                teams.activity(conv, user, text=f"<at>Faggruppe-bot</at> {SECRET_TEXTS[0]}",
                               entities=[{"type": "mention", "text": "<at>Faggruppe-bot</at>",
                                          "mentioned": {"id": "28:faggruppe-bot"}}]),
                teams.activity(conv, leader, text=f"<at>Faggruppe-bot</at> registrer {SECRET_TEXTS[1]}",
                               entities=[{"type": "mention", "text": "<at>Faggruppe-bot</at>",
                                          "mentioned": {"id": "28:faggruppe-bot"}}]),
                teams.activity(teams.personal(user), user, text="hjelp"),
                teams.activity(teams.personal(user), user, "invoke", name="adaptiveCard/action",
                               value={"action": {"type": "Action.Execute", "verb": "faggruppe.register",
                                                 "data": {"faggruppe": SECRET_TEXTS[1]}}}),
            ]
            statuses = [(await post(a)).status for a in posted]
            bad = await teams.post(teams.activity(conv, user, text=SECRET_TEXTS[0]),
                                   {"Authorization": f"Bearer {ident.token(APP_ID, connector.url, expires_in=-999)}"})
            assert bad.status == 401
            assert all(s in (200, 201) for s in statuses), statuses
            health = await proc.health()
        proc.terminate()
        assert await proc.wait() == 0
    finally:
        proc.stop()
        ident.stop()

    assert health["auth"] == "jwt" and health["database"]["reachable"] and health["scheduler"]["leader"]
    text = proc.logs()
    lines = proc.log_lines()
    # every line is JSON
    assert len(lines) == len([raw for raw in text.splitlines() if raw.strip()]), text[-2000:]
    activity_lines = [line for line in lines if line.get("message") == "activity"]
    assert len(activity_lines) == len(posted) + 1
    for line in activity_lines:
        assert line["level"] == "INFO"
        assert re.fullmatch(r"[0-9a-f]{12}", line["conversation"])
        assert isinstance(line["latency_ms"], (int, float)) and line["latency_ms"] >= 0
        assert line["activity_type"] in ("message", "invoke", "conversationUpdate")
        assert line["outcome"] and line["status"] in (200, 201, 401)
    assert sorted(line["outcome"] for line in activity_lines).count("unauthorized") == 1
    assert conv.id not in text
    forbidden = [leader.name, user.name, "Ærligsen", *SECRET_TEXTS, PASSWORD, *tokens, *ident.issued]
    leaked = [f for f in forbidden if f and f in text]
    assert leaked == [], leaked


async def test_healthz_reports_outbox_backlog_and_database(tmp_path: Path, leader):
    db_url = f"sqlite+aiosqlite:///{tmp_path}/health.db"
    proc = BotProcess(tmp_path, {"DATABASE_URL": db_url, "BOT_LEADERS": leader.aad}, "health")
    db = Db(db_url)
    try:
        await proc.start()
        assert (await proc.health())["outbox_backlog"] == 0
        later = datetime.now(UTC) + timedelta(days=1)
        with Session(db.engine) as s, s.begin():
            for i in range(3):
                s.add(OutboxItem(key=f"later:{i}", group_key="", conversation_id="19:x", state="pending", attempts=0,
                                 payload={"activity": {"type": "message"}}, not_before=later, created_at=later,
                                 claimed_by="", last_error="", activity_id=""))
        body = await proc.health()
        assert body["outbox_backlog"] == 3
        assert body["database"] == {"reachable": True, "dialect": "sqlite"}
        assert body["scheduler"] == {"running": True, "leader": True}
    finally:
        proc.stop()
        db.close()
