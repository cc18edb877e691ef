"""Hostile request bodies over HTTP: deep nesting, huge numbers, NaN, lone surrogates → 400 before any work; never 500."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.jsonbody import MAX_DEPTH, too_deep
from tests.fakes.connector import FakeConnector
from tests.harness import RunningBot, TeamsClient
from tests.livebot import sqlite_counts

TABLES = ("people", "conversations", "memberships", "audit_log", "outbox")


def nested(depth: int, leaf: Any = 1) -> Any:
    value = leaf
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


@pytest.fixture
async def big_teams(make_settings, clock, connector: FakeConnector, tmp_path: Path):
    """The bot with a 2 MiB body limit, so that the depth check (not the size limit) must refuse the deep bodies."""
    running = RunningBot(make_settings(MAX_BODY_BYTES=str(2 * 1024 * 1024)), clock)
    await running.start()
    async with aiohttp.ClientSession() as http:
        yield TeamsClient(http, running.url, connector)
    await running.stop()


async def _raw(teams: TeamsClient, body: bytes) -> tuple[int, Any]:
    async with teams.http.post(f"{teams.bot_url}/api/messages", data=body,
                               headers={"Content-Type": "application/json"}) as r:
        text = await r.text()
        return r.status, json.loads(text) if r.status == 400 else text[:200]


async def test_hostile_bodies_get_400_before_any_work(big_teams: TeamsClient, members, tmp_path: Path):
    teams, user = big_teams, members[0]
    me = teams.personal(user)
    db = tmp_path / "bot.db"
    act = teams.activity(me, user, text="hjelp")
    envelope = json.dumps(act)
    before = sqlite_counts(db, TABLES)
    hostile = {
        "2,000 [": b"[" * 2000,
        "2,000 ]": b"]" * 2000,
        "100,000 nested objects": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        "100,000 nested arrays": b"[" * 100_000 + b"]" * 100_000,
        "activity with value 65 deep": json.dumps({**act, "value": nested(MAX_DEPTH + 1)}).encode(),
        "activity with channelData 1,000 deep": envelope[:-1].encode() + b', "channelData": ' + b'{"k": [' * 500
        + b"1" + b"]}" * 500 + b"}",
        "5,000-digit number": envelope[:-1].encode() + b', "n": ' + b"9" * 5000 + b"}",
        "NaN": envelope[:-1].encode() + b', "n": NaN}',
        "-Infinity": envelope[:-1].encode() + b', "n": -Infinity}',
        "1e999": envelope[:-1].encode() + b', "value": {"poll_id": 1e999}}',
        "400-digit decimal": envelope[:-1].encode() + b', "n": ' + b"9" * 400 + b'.5}',
        "lone surrogate in the text": envelope.replace('"hjelp"', '"hjelp \\ud800"').encode(),
        "unbalanced": envelope[:-1].encode(),
        "invalid UTF-8": envelope.encode().replace(b"hjelp", b"hj\xc3\x28lp"),
    }
    for name, body in hostile.items():
        status, answer = await _raw(teams, body)
        assert status == 400, (name, status, answer)
        assert answer["error"] == "bad_request", name
    assert sqlite_counts(db, TABLES) == before, "a refused body was processed"
    # The bot still answers, and legitimate bodies near the limits pass.
    res = await teams.send(me, user, "hjelp")
    assert res.status in (200, 201) and res.cards
    res = await teams.post({**act, "value": None, "channelData": {**act["channelData"], "x": nested(MAX_DEPTH - 4)}})
    assert res.status in (200, 201)
    res = await teams.post({**act, "text": "hjelp", "entities": [{"type": "x", "n": 2**70, "f": 1e300}]})
    assert res.status in (200, 201)


async def test_brackets_and_quotes_inside_strings_do_not_count(teams: TeamsClient, members):
    """User text full of brackets, quotes and backslashes is text, not nesting."""
    user = members[0]
    me = teams.personal(user)
    for text in ("[" * 3000, "{" * 3000 + '\\"' * 100, '\\' * 99 + '"[[[[' * 500, "]" * 3000 + "[" * 10):
        res = await teams.send(me, user, text)
        assert res.status in (200, 201), text[:20]
        assert res.texts and "hjelp" in res.texts[0]


def test_depth_check_agrees_with_json():
    for depth in (1, MAX_DEPTH - 1, MAX_DEPTH):
        assert not too_deep(json.dumps(nested(depth))), depth
        assert not too_deep(json.dumps([nested(depth - 1)] * 50)), depth
    for depth in (MAX_DEPTH + 1, 500):
        assert too_deep(json.dumps(nested(depth))), depth
        assert too_deep(json.dumps([1, {"a": [nested(depth)]}])), depth
    assert not too_deep(json.dumps({"t": "[{" * 500, "u": '\\"[' * 200, "v": ["\\", "[\\\\"] * 40}))
    assert too_deep("[" * 100)  # unbalanced: no JSON looks like this
