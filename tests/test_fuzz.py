"""Property-based fuzzing of /api/messages over HTTP against one running app.

FUZZ_EXAMPLES sets the number of generated activities (default 1,500; CI runs 10,000). Invariants:
no 5xx, no unhandled turn error, 4xx-rejected input writes nothing, the app still answers /healthz, and the
SQLite file passes PRAGMA integrity_check / foreign_key_check afterwards.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.teams.handlers import build_router
from tests.harness import BOT_ID, TENANT, make_user
from tests.livebot import LiveProcessBot, sqlite_counts, sqlite_integrity

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "1500"))
SURVEY = os.environ.get("FUZZ_SURVEY") == "1"  # count failures over the whole run instead of stopping at the first
TABLES = ("people", "conversations", "memberships", "faggrupper", "audit_log", "outbox")
ROUTER = build_router()
VERBS = [*sorted(ROUTER.verbs), "cmd", "", "nope.nothing", "faggruppe.", "../../etc", "x" * 300]
COMMANDS = [n for c in ROUTER.commands for n in c.names if n]
LEADER = make_user("Lise Leder")
USERS = [LEADER, make_user("Åse Ærlig"), make_user("Ørjan Øverli"), make_user("Zoë 🤖 Ünicode"),
         make_user("Ola Fremmed", tenant="99999999-8888-7777-6666-555555555555")]
CONVS = [("a:personal-fuzz", "personal"), (f"19:{uuid.uuid4().hex}@thread.v2", "groupChat"),
         (f"19:{uuid.uuid4().hex}@thread.tacv2", "channel"), ("19:other-chat@thread.v2", "groupChat")]
FIELD_NAMES = ["faggruppe", "new_faggruppe", "command", "verb", "id", "poll_id", "date", "time", "choice", "text",
               "value", "member", "project", "kommune", "answer", "deadline", "option", "options", "need_id"]

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**63, max_value=2**64),
                         st.floats(allow_nan=False), st.text(max_size=40))
json_values = st.recursive(json_scalars, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                                 st.dictionaries(st.text(max_size=8), kids, max_size=4)),
                           max_leaves=12)
junk_strings = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["2026-02-30", "2026-13-01", "31.02.2026", "9999-99-99T99:99", "", " ", "\u0000", "null", "-1",
                     "1e309", "<at>x</at>", "[lenke](https://evil.example)", "{{DATE(2026-01-01)}}", "' OR 1=1 --",
                     "Oppvekst", "oppvekst", "Helse og omsorg", "ÆØÅ æøå", "\u202eRTL", "🤖" * 50]),
    st.integers(min_value=1, max_value=50_000).map(lambda n: "å" * n),
)
card_data = st.dictionaries(st.sampled_from(FIELD_NAMES), st.one_of(junk_strings, json_values), max_size=6)
message_text = st.one_of(
    junk_strings,
    st.tuples(st.sampled_from(COMMANDS), junk_strings).map(lambda p: f"{p[0]} {p[1]}"),
    st.sampled_from(COMMANDS),
)


@st.composite
def envelopes(draw: st.DrawFn) -> dict[str, Any]:
    """A Teams-shaped activity from a small pool of users and chats."""
    user = draw(st.sampled_from(USERS))
    conv_id, kind = draw(st.sampled_from(CONVS))
    act: dict[str, Any] = {
        "type": "message", "id": f"in-{uuid.uuid4().hex[:10]}", "timestamp": "2026-11-23T10:00:00.000Z",
        "serviceUrl": "SERVICE_URL", "channelId": "msteams", "from": user.account(),
        "recipient": {"id": BOT_ID, "name": "Faggruppe-bot"},
        "conversation": {"id": conv_id, "conversationType": kind, "tenantId": user.tenant, "isGroup": kind != "personal"},
        "channelData": {"tenant": {"id": user.tenant}}, "locale": draw(st.sampled_from(["nb-NO", "en-US", "nn-NO", "", "xx"])),
    }
    if kind == "channel":
        act["channelData"]["team"] = {"id": "19:team-fuzz@thread.tacv2"}
    return act


@st.composite
def activities(draw: st.DrawFn) -> dict[str, Any]:
    act = draw(envelopes())
    shape = draw(st.sampled_from(["message", "execute", "submit", "update", "other", "mangled"]))
    if shape == "message":
        text = draw(message_text)
        if act["conversation"]["conversationType"] != "personal" and draw(st.booleans()):
            text = f"<at>Faggruppe-bot</at> {text}"
            act["entities"] = [{"type": "mention", "text": "<at>Faggruppe-bot</at>",
                                "mentioned": {"id": BOT_ID, "name": "Faggruppe-bot"}}]
            if draw(st.booleans()):
                target = draw(st.sampled_from(USERS))
                act["entities"].append({"type": "mention", "text": f"<at>{target.name}</at>",
                                        "mentioned": draw(st.one_of(st.just({"id": target.id, "name": target.name}),
                                                                    json_values))})
        act["text"] = text
    elif shape == "execute":
        act["type"] = "invoke"
        act["name"] = draw(st.sampled_from(["adaptiveCard/action", "adaptiveCard/action", "task/fetch", "x", ""]))
        action = {"type": "Action.Execute", "verb": draw(st.one_of(st.sampled_from(VERBS), json_values)),
                  "data": draw(st.one_of(card_data, json_values))}
        act["value"] = draw(st.one_of(st.just({"action": action, "trigger": "manual"}), json_values,
                                      st.just({"action": json.loads(json.dumps(action))["data"]})))
        if draw(st.booleans()):
            act["replyToId"] = draw(st.one_of(st.text(max_size=20), st.just("act-1")))
    elif shape == "submit":
        value = draw(card_data)
        value["verb"] = draw(st.one_of(st.sampled_from(VERBS), json_values))
        if value["verb"] == "cmd":
            value["command"] = draw(st.one_of(message_text, json_values))
        act["value"] = draw(st.one_of(st.just(value), json_values))
        if draw(st.booleans()):
            act["text"] = draw(junk_strings)
    elif shape == "update":
        act["type"] = draw(st.sampled_from(["conversationUpdate", "installationUpdate"]))
        me = {"id": BOT_ID}
        act["membersAdded"] = draw(st.one_of(st.just([me]), st.lists(json_values, max_size=3), st.just([])))
        act["membersRemoved"] = draw(st.one_of(st.just([]), st.just([me]), json_values))
        act["action"] = draw(st.one_of(st.sampled_from(["add", "remove", "add-upgrade"]), json_values))
    elif shape == "other":
        act["type"] = draw(st.one_of(st.sampled_from(["typing", "messageReaction", "event", "endOfConversation",
                                                       "messageUpdate", "messageDelete", "trace", "handoff"]),
                                     st.text(min_size=1, max_size=30)))
        act["value"] = draw(json_values)
    else:
        act["text"] = draw(message_text)
        for key in draw(st.lists(st.sampled_from(sorted(act)), max_size=4, unique=True)):
            if draw(st.booleans()):
                del act[key]
            else:
                act[key] = draw(json_values)
        if draw(st.booleans()):
            path = draw(st.sampled_from(["conversation", "from", "channelData", "recipient"]))
            if isinstance(act.get(path), dict):
                act[path][draw(st.sampled_from(["id", "tenantId", "aadObjectId", "tenant", "team", "name"]))] = draw(json_values)
    return act


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory):
    tmp: Path = tmp_path_factory.mktemp("fuzz")
    bot = LiveProcessBot(tmp, {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/fuzz.db", "BOT_LEADERS": LEADER.aad,
                               "LOG_LEVEL": "WARNING", "ALLOWED_TENANTS": TENANT}).start()
    bot.db_path = tmp / "fuzz.db"  # type: ignore[attr-defined]
    yield bot
    bot.stop()


class Stats:
    tried = 0
    statuses: dict[int, int] = {}
    server_errors: list[tuple[int, str]] = []
    slow: list[tuple[float, int, str]] = []


def _post(live: LiveProcessBot, http: requests.Session, act: Any) -> int:
    body = json.dumps(act).replace("SERVICE_URL", live.connector.url)
    started = time.perf_counter()
    r = http.post(f"{live.url}/api/messages", data=body.encode(), headers={"Content-Type": "application/json"}, timeout=30)
    Stats.slow.append((time.perf_counter() - started, r.status_code, body[:300]))
    Stats.tried += 1
    Stats.statuses[r.status_code] = Stats.statuses.get(r.status_code, 0) + 1
    if r.status_code >= 500:
        Stats.server_errors.append((r.status_code, body[:500]))
    return r.status_code


@pytest.mark.timeout(max(300, EXAMPLES // 5))  # 10,000 examples may take minutes on a busy machine
def test_fuzzed_activities_never_500(live: LiveProcessBot):
    http = requests.Session()
    db = live.db_path  # type: ignore[attr-defined]
    # Register the group chat and a faggruppe so that valid card data has something to hit.
    for conv_id, kind in CONVS[:3]:
        act = {"type": "message", "text": "<at>Faggruppe-bot</at> registrer Oppvekst", "serviceUrl": "SERVICE_URL",
               "channelId": "msteams", "from": LEADER.account(), "recipient": {"id": BOT_ID},
               "entities": [{"type": "mention", "mentioned": {"id": BOT_ID}}],
               "conversation": {"id": conv_id, "conversationType": kind, "tenantId": TENANT},
               "channelData": {"tenant": {"id": TENANT}}}
        assert _post(live, http, act) in (200, 201)

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(act=activities())
    def one(act: dict[str, Any]) -> None:
        before = sqlite_counts(db, TABLES)
        status = _post(live, http, act)
        if SURVEY:
            return
        assert status < 500, status
        if status >= 400:
            assert sqlite_counts(db, TABLES) == before, "a rejected request wrote to the database"

    one()
    # Raw bodies that are not activities at all.
    for raw in (b"", b"{", b"null", b"[]", b'{"type": ""}', b'{"type": {}}', b"\xff" * 10, b'{"type": "message"}',
                json.dumps({"type": "message", "text": "x" * 300_000}).encode()):
        r = http.post(f"{live.url}/api/messages", data=raw, headers={"Content-Type": "application/json"}, timeout=30)
        Stats.tried += 1
        assert r.status_code in (400, 413), (raw[:40], r.status_code)
    health = http.get(f"{live.url}/healthz", timeout=10).json()
    ok, fks = sqlite_integrity(db)
    errors = live.error_lines()
    print(f"\nfuzz: tried={Stats.tried} statuses={dict(sorted(Stats.statuses.items()))} "
          f"5xx={len(Stats.server_errors)} turn_errors={len(errors)}")
    if os.environ.get("FUZZ_SLOW"):
        for item in sorted(Stats.slow, reverse=True)[:8]:
            print(item)
        print("total s", sum(x[0] for x in Stats.slow))
    assert health["database"]["reachable"] is True
    assert ok == "ok" and fks == []
    assert Stats.server_errors == []
    assert [(e.get("message"), e.get("exc", "")[-300:]) for e in errors] == []
    assert live.proc.alive
    assert Stats.tried >= EXAMPLES
    with sqlite3.connect(db) as conn:  # the other tenant's user never got in
        assert conn.execute("SELECT count(*) FROM people WHERE tenant_id != ?", (TENANT,)).fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM conversations WHERE tenant_id != ?", (TENANT,)).fetchone()[0] == 0
