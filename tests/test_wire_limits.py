"""Limits at the HTTP edge: slow clients are cut off (headers and body), bodies over the limit get 413, /healthz tells
the public only ok/degraded, and database errors never carry the bound values.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import text

import bot.app
from bot.storage.db import Database
from tests.harness import RunningBot, free_port

PUBLIC = {"status": "ok"}


@pytest.fixture
async def strict_bot(make_settings, clock, monkeypatch) -> AsyncIterator[RunningBot]:
    """The bot with a one-second read timeout (production: bot.app.READ_TIMEOUT_S)."""
    monkeypatch.setattr(bot.app, "READ_TIMEOUT_S", 1.0, raising=False)
    running = RunningBot(make_settings(MAX_BODY_BYTES="4096"), clock)
    await running.start()
    yield running
    await running.stop()


async def _trickle(url: str, chunks: list[bytes], pause: float = 0.25) -> tuple[int, bytes]:
    """Send chunks with pauses until the server answers or hangs up; (chunks sent, what the server said)."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    answer = asyncio.ensure_future(reader.read(65536))  # done on the first bytes or on EOF
    sent = 0
    try:
        for chunk in chunks:
            if answer.done():
                break
            try:
                writer.write(chunk)
                await writer.drain()
            except ConnectionError:
                break
            sent += 1
            await asyncio.wait({answer}, timeout=pause)
        said = await asyncio.wait_for(answer, 30)
    finally:
        writer.close()
    return sent, said


async def test_slow_headers_are_cut_off_and_others_are_served(strict_bot: RunningBot):
    lines = [b"POST /api/messages HTTP/1.1\r\n", b"Host: bot\r\n", *[b"X-Slow-%d: x\r\n" % i for i in range(40)], b"\r\n"]
    slow = [asyncio.ensure_future(_trickle(strict_bot.url, lines)) for _ in range(5)]
    await asyncio.sleep(0.3)
    async with aiohttp.ClientSession() as http, http.get(f"{strict_bot.url}/healthz") as r:
        assert r.status == 200  # served while five slow clients hold connections
    for sent, said in await asyncio.gather(*slow):
        assert sent < len(lines), "the server waited for the whole trickle of headers"
        assert said == b""  # hung up without processing anything


async def test_slow_body_gets_408(strict_bot: RunningBot):
    body = json.dumps({"type": "message", "text": "hjelp"}).encode()
    head = (b"POST /api/messages HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body))
    chunks = [head, *[body[i:i + 1] for i in range(len(body))]]
    sent, said = await _trickle(strict_bot.url, chunks)
    assert sent < len(chunks), "the server waited for the whole trickle of the body"
    assert said.startswith(b"HTTP/1.1 408"), said[:80]


async def test_body_over_the_limit_gets_413(strict_bot: RunningBot):
    async with aiohttp.ClientSession() as http:
        big = json.dumps({"type": "message", "text": "x" * 8000}).encode()
        async with http.post(f"{strict_bot.url}/api/messages", data=big,
                             headers={"Content-Type": "application/json"}) as r:
            assert r.status == 413


def _outward_ip() -> str | None:
    """An address of this machine that is not loopback (the one its default route uses), if there is one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("203.0.113.1", 9))  # TEST-NET-3: no packet is sent for a UDP connect
            ip = s.getsockname()[0]
        except OSError:
            return None
    return None if ip.startswith("127.") or ip == "0.0.0.0" else ip


async def test_healthz_details_only_on_loopback(bot: RunningBot):
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{bot.url}/healthz") as r:
            local = await r.json()
        async with http.get(f"{bot.url}/healthz", headers={"X-Forwarded-For": "203.0.113.9"}) as r:
            proxied, proxied_status = await r.json(), r.status
        async with http.get(f"{bot.url}/healthz", headers={"Forwarded": "for=203.0.113.9"}) as r:
            forwarded = await r.json()
    assert local["status"] == "ok" and local["auth"] and local["database"]["reachable"] is True
    assert (proxied_status, proxied, forwarded) == (200, PUBLIC, PUBLIC)
    ip = _outward_ip()
    if ip is None:
        pytest.skip("this machine has no non-loopback address to test a remote client with")
    port = free_port()
    assert bot.runner is not None
    site = web.TCPSite(bot.runner, ip, port)
    await site.start()
    try:
        async with aiohttp.ClientSession() as http, http.get(f"http://{ip}:{port}/healthz") as r:
            assert (r.status, await r.json()) == (200, PUBLIC)
    finally:
        await site.stop()


async def test_database_errors_hide_bound_values(tmp_path: Path):
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/hide.db")
    try:
        with pytest.raises(Exception) as err:
            async with db.engine.begin() as conn:
                await conn.execute(text("SELECT * FROM no_such_table WHERE name = :n"), {"n": "Hemmelig Navnesen"})
        assert "no_such_table" in str(err.value)
        assert "Hemmelig" not in str(err.value) and "hidden" in str(err.value)
    finally:
        await db.close()
