"""Who may read /metrics (loopback or a bearer token), and the activity id as correlation id on every log line of a turn."""

from __future__ import annotations

import io
import json
import logging

import aiohttp
import pytest
from multidict import CIMultiDict

from bot.config import ConfigError, load_settings
from bot.kernel.logsetup import CorrelationFilter, JsonFormatter
from bot.ops.metrics_http import access
from tests.harness import RunningBot, TeamsClient

TOKEN = "m3tr1cs-t0ken-0123456789abcdef"


async def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers or {}) as r:
        return r.status, await r.text(), dict(r.headers)


@pytest.mark.parametrize(("remote", "headers", "token", "loopback", "expected"), [
    ("127.0.0.1", {}, "", True, 200),
    ("::1", {}, "", True, 200),
    ("::ffff:127.0.0.1", {}, "", True, 200),
    ("127.0.0.1", {}, "", False, 404),  # METRICS_LOOPBACK=false
    ("10.1.2.3", {}, "", True, 404),  # not loopback, no token configured: as if there were no such page
    ("10.1.2.3", {"X-Forwarded-For": "127.0.0.1"}, "", True, 404),  # a forwarded-for header proves nothing
    ("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}, "", True, 404),  # a proxy on this host relayed it
    ("127.0.0.1", {"Forwarded": "for=203.0.113.9"}, "", True, 404),
    (None, {}, "", True, 404),  # unix socket / unknown peer
    ("10.1.2.3", {}, TOKEN, True, 401),
    ("10.1.2.3", {"Authorization": f"Bearer {TOKEN}"}, TOKEN, True, 200),
    ("10.1.2.3", {"Authorization": f"bearer {TOKEN}"}, TOKEN, True, 200),
    ("10.1.2.3", {"Authorization": f"Bearer {TOKEN[:-1]}"}, TOKEN, True, 401),
    ("10.1.2.3", {"Authorization": f"Bearer {TOKEN}x"}, TOKEN, True, 401),
    ("10.1.2.3", {"Authorization": f"Basic {TOKEN}"}, TOKEN, True, 401),
    ("10.1.2.3", {"Authorization": "Bearer "}, TOKEN, True, 401),
    ("127.0.0.1", {"X-Forwarded-For": "203.0.113.9", "Authorization": f"Bearer {TOKEN}"}, TOKEN, False, 200),
])
def test_access_rules(remote, headers, token, loopback, expected):
    assert access(remote, CIMultiDict(headers), token, loopback) == expected


def test_metrics_token_is_validated_and_never_printed():
    with pytest.raises(ConfigError, match="METRICS_TOKEN"):
        load_settings({"METRICS_TOKEN": "short"})
    with pytest.raises(ConfigError, match="METRICS_TOKEN"):
        load_settings({"METRICS_TOKEN": "has spaces in the middle of it ok"})
    settings = load_settings({"METRICS_TOKEN": TOKEN, "METRICS_LOOPBACK": "false"})
    assert settings.metrics_token == TOKEN and not settings.metrics_loopback
    assert TOKEN not in repr(settings)


async def test_loopback_behind_a_proxy_header_is_refused_like_a_missing_page(bot: RunningBot):
    status, body, _ = await get(f"{bot.url}/metrics", {"X-Forwarded-For": "203.0.113.9"})
    missing_status, missing_body, _ = await get(f"{bot.url}/no-such-page")
    assert (status, body) == (missing_status, missing_body) == (404, "404: Not Found")
    assert (await get(f"{bot.url}/metrics"))[0] == 200


async def test_untrusted_loopback_needs_the_token(make_settings, clock):
    running = RunningBot(make_settings(METRICS_TOKEN=TOKEN, METRICS_LOOPBACK="false"), clock)
    await running.start()
    try:
        url = f"{running.url}/metrics"
        status, body, headers = await get(url)
        assert status == 401 and headers.get("WWW-Authenticate", "").startswith("Bearer")
        assert "faggruppe_" not in body
        assert (await get(url, {"Authorization": "Bearer wrong-token-wrong-token-wrong"}))[0] == 401
        status, body, headers = await get(url, {"Authorization": f"Bearer {TOKEN}"})
        assert status == 200 and "faggruppe_activity_duration_seconds" in body
        assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    finally:
        await running.stop()


async def test_every_log_line_of_a_turn_carries_the_activity_id(teams: TeamsClient, members):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(CorrelationFilter())
    root, ours = logging.getLogger(), logging.getLogger("bot")
    root.addHandler(handler)
    level = ours.level
    ours.setLevel(logging.INFO)
    try:
        user = members[0]
        me = teams.personal(user)
        teams.connector.fail(500, times=1)  # the reply fails: the turn logs a warning
        first = teams.activity(me, user, text="hjelp", id="1:abc-DEF_123")
        await teams.post(first)
        second = teams.activity(me, user, text="hjelp", id='2:x"\n{"level": "ERROR"}')  # a hostile id
        await teams.post(second)
    finally:
        root.removeHandler(handler)
        ours.setLevel(level)
    lines = [json.loads(raw) for raw in stream.getvalue().splitlines()]
    turn_lines = [line for line in lines if line["logger"].startswith("bot")]
    assert turn_lines and all(line.get("correlation_id") in ("1:abc-DEF_123", "2:xlevel:ERROR") for line in turn_lines)
    warned = [line for line in turn_lines if "could not be delivered" in line["message"]]
    assert warned[0]["correlation_id"] == "1:abc-DEF_123"  # logged inside the turn
    activity_lines = [line for line in turn_lines if line["message"] == "activity"]
    assert [line.get("correlation_id") for line in activity_lines] == ["1:abc-DEF_123", "2:xlevel:ERROR"]
